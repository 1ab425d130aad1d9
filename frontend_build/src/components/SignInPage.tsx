import { useState, type FormEvent } from "react";
import { describeError, type AccountClient } from "../lib/account";
import { TokenForm } from "./TokenForms";

/** Email and password for a session cookie; or an access token, as before accounts. */
export function SignInPage({
  client,
  notice,
  onSignedIn,
  onToken,
}: {
  client: AccountClient;
  notice?: string;
  onSignedIn: () => void;
  onToken: (token: string) => void;
}) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [withToken, setWithToken] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await client.signIn(email.trim(), password);
      onSignedIn();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <main className="token-page">
      <div className="card" data-testid="signin-page">
        <h1>Sign in to Pose Studio</h1>
        {notice && <p className="muted">{notice}</p>}
        <form className="form" onSubmit={(e) => void submit(e)}>
          <label htmlFor="signin-email">Email</label>
          <input
            id="signin-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <label htmlFor="signin-password">Password</label>
          <input
            id="signin-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {error && (
            <p className="form-error" role="alert" data-testid="signin-error">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
        {withToken ? (
          <>
            <p className="muted">
              Paste an API token, or open the address <code>posestudio serve</code> printed with its{" "}
              <code>?token=</code>.
            </p>
            <TokenForm onToken={onToken} />
          </>
        ) : (
          <button type="button" className="btn btn-ghost" onClick={() => setWithToken(true)}>
            Use an access token instead
          </button>
        )}
      </div>
    </main>
  );
}
