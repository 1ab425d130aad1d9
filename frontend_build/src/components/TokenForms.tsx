import { useState, type FormEvent } from "react";
import { forgetToken } from "../lib/config";

/** Paste an API token (or the bootstrap token) instead of signing in. */
export function TokenForm({ onToken }: { onToken: (token: string) => void }) {
  const [value, setValue] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onToken(value.trim());
  };
  return (
    <form className="token-form" onSubmit={submit}>
      <label htmlFor="token">Access token</label>
      <input
        id="token"
        type="password"
        autoComplete="off"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="btn">
        Connect
      </button>
    </form>
  );
}

/** Shown over the studio when the server refused the stored token. */
export function TokenBanner({
  onToken,
  onSignIn,
}: {
  onToken: (token: string) => void;
  onSignIn: () => void;
}) {
  const [value, setValue] = useState("");
  return (
    <form
      className="banner"
      role="alert"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onToken(value.trim());
      }}
    >
      <span>The server refused the access token.</span>
      <label htmlFor="new-token" className="sr-only">
        Access token
      </label>
      <input
        id="new-token"
        type="password"
        placeholder="access token"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="btn">
        Use this token
      </button>
      <button
        type="button"
        className="btn btn-ghost"
        onClick={() => {
          forgetToken();
          onSignIn();
        }}
      >
        Forget it and sign in
      </button>
    </form>
  );
}
