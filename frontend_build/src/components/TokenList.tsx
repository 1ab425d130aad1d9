import { useState } from "react";
import type { ApiToken } from "../lib/account";

export function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "—";
}

function state(token: ApiToken, now: number): string {
  if (token.revoked_at) return "revoked";
  if (token.expires_at && Date.parse(token.expires_at) <= now) return "expired";
  return "active";
}

/** API tokens in a table (never their secrets), each active one with Revoke. */
export function TokenList({
  tokens,
  owner,
  onRevoke,
  busy,
}: {
  tokens: ApiToken[];
  /** Who owns a token, for the admin's list of everyone's; absent: mine. */
  owner?: (token: ApiToken) => string;
  onRevoke: (token: ApiToken) => void;
  busy: boolean;
}) {
  const now = Date.now();
  if (!tokens.length) return <p className="muted">No API tokens.</p>;
  return (
    <table className="table" data-testid="token-list">
      <thead>
        <tr>
          <th scope="col">Name</th>
          {owner && <th scope="col">Owner</th>}
          <th scope="col">Role</th>
          <th scope="col">Scopes</th>
          <th scope="col">Starts</th>
          <th scope="col">Created</th>
          <th scope="col">Expires</th>
          <th scope="col">Last used</th>
          <th scope="col">State</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => {
          const s = state(t, now);
          return (
            <tr key={t.id} data-testid="token-row" data-token-name={t.name} data-state={s}>
              <td>{t.name}</td>
              {owner && <td>{owner(t)}</td>}
              <td>{t.role}</td>
              <td data-testid="token-scopes">{t.scopes ? t.scopes.join(", ") : "all of its role"}</td>
              <td>
                <code>{t.prefix}…</code>
              </td>
              <td>{when(t.created_at)}</td>
              <td>{t.expires_at ? when(t.expires_at) : "never"}</td>
              <td>{when(t.last_used_at)}</td>
              <td>{s}</td>
              <td>
                {s === "active" && (
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={busy}
                    aria-label={`Revoke ${t.name}`}
                    onClick={() => onRevoke(t)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A new token's secret, shown this once, with a copy button. */
export function NewTokenSecret({ secret, onDismiss }: { secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<"" | "copied" | "failed">("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("copied");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <div className="secret" role="status" data-testid="new-token">
      <p>
        <strong>Copy the token now:</strong> it is shown only this once.
      </p>
      <div className="secret-row">
        <label htmlFor="new-token-secret" className="sr-only">
          New token
        </label>
        <input
          id="new-token-secret"
          data-testid="new-token-secret"
          readOnly
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="btn" data-testid="copy-token" onClick={() => void copy()}>
          {copied === "copied" ? "Copied" : "Copy"}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onDismiss}>
          Done
        </button>
      </div>
      {copied === "failed" && (
        <p className="form-error">The browser refused the clipboard: select the token and copy it.</p>
      )}
    </div>
  );
}
