import { useState, type FormEvent } from "react";
import { describeError, type AccountClient } from "../lib/account";

/** The first admin, created with the one-time code from `posestudio serve`'s setup address. */
export function SetupPage({
  client,
  code: codeFromAddress,
  onDone,
}: {
  client: AccountClient;
  code: string;
  onDone: () => void;
}) {
  const [code, setCode] = useState(codeFromAddress);
  const [displayName, setDisplayName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await client.setup({
        code: code.trim(),
        email: email.trim(),
        password,
        display_name: displayName.trim(),
      });
      onDone();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <main className="token-page">
      <form className="card form" data-testid="setup-page" onSubmit={(e) => void submit(e)}>
        <h1>Welcome to Pose Studio</h1>
        <p className="muted">
          Nobody has an account yet. Create the first admin: they can then add operators and viewers.
        </p>
        {!codeFromAddress && (
          <>
            <label htmlFor="setup-code">Setup code</label>
            <input
              id="setup-code"
              autoComplete="off"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
            <p className="muted hint">
              From the setup address <code>posestudio serve</code> printed (<code>/setup?code=…</code>).
            </p>
          </>
        )}
        <label htmlFor="setup-name">Display name</label>
        <input
          id="setup-name"
          autoComplete="name"
          required
          maxLength={100}
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
        />
        <label htmlFor="setup-email">Email</label>
        <input
          id="setup-email"
          type="email"
          autoComplete="username"
          required
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="setup-password">Password</label>
        <input
          id="setup-password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          maxLength={256}
          aria-describedby="setup-password-rule"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <p id="setup-password-rule" className="muted hint">
          At least 12 characters, not a common password.
        </p>
        {error && (
          <p className="form-error" role="alert" data-testid="setup-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Creating…" : "Create admin"}
        </button>
      </form>
    </main>
  );
}
