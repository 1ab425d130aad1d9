import { useCallback, useState, type FormEvent } from "react";
import { EXPIRY_DAYS, expiresAt, type AccountClient, type CreatedToken, type Me } from "../lib/account";
import { assignableRoles, tokenLimits, type Role } from "../lib/roles";
import { NewTokenSecret, TokenList } from "./TokenList";
import { useAction, useLoad } from "./useLoad";

/** My API tokens: create one (a role no higher than mine, optionally limited to a few
 * actions, optional expiry), list, revoke. */
export function TokensPage({ client, me }: { client: AccountClient; me: Me }) {
  const load = useCallback(() => client.myTokens(), [client]);
  const tokens = useLoad(load);
  const action = useAction();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(me.role);
  const [days, setDays] = useState<number | null>(null);
  const limits = tokenLimits(me.role);
  const [limit, setLimit] = useState(0);
  // A limited token takes the role its actions need (the robot service's: admin).
  const limitRole = limits[limit]?.role ?? null;
  const [created, setCreated] = useState<CreatedToken | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(async () => {
      const scopes = limits[limit]?.scopes ?? undefined;
      setCreated(
        await client.createToken({
          name: name.trim(),
          role: limitRole ?? role,
          expires_at: expiresAt(days),
          scopes,
        }),
      );
      setName("");
      tokens.reload();
    });
  };

  return (
    <main className="page" data-testid="tokens-page">
      <h2>My API tokens</h2>
      <p className="muted">
        For <code>posestudio stream</code>, scripts and links (<code>?token=</code>). A token acts as you,
        with its own role or yours, whichever is lower.
      </p>
      <form className="inline-form" onSubmit={(e) => void create(e)} aria-label="New API token">
        <label>
          Name
          <input
            data-testid="token-name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label>
          Role
          <select
            data-testid="token-role"
            value={limitRole ?? role}
            disabled={limitRole !== null}
            onChange={(e) => setRole(e.target.value as Role)}
          >
            {assignableRoles(me.role).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Limited to
          <select data-testid="token-limit" value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
            {limits.map((l, i) => (
              <option key={l.label} value={i}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Expires
          <select
            data-testid="token-expiry"
            value={days === null ? "" : String(days)}
            onChange={(e) => setDays(e.target.value ? Number(e.target.value) : null)}
          >
            {EXPIRY_DAYS.map((d) => (
              <option key={String(d)} value={d === null ? "" : String(d)}>
                {d === null ? "never" : d === 1 ? "in 1 day" : `in ${d} days`}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" data-testid="token-create" disabled={action.busy}>
          Create token
        </button>
      </form>
      {action.error && (
        <p className="form-error" role="alert">
          {action.error}
        </p>
      )}
      {created && <NewTokenSecret secret={created.token} onDismiss={() => setCreated(null)} />}
      {tokens.error && (
        <p className="form-error" role="alert">
          {tokens.error}
        </p>
      )}
      {tokens.data && (
        <TokenList
          tokens={tokens.data}
          busy={action.busy}
          onRevoke={(t) => void action.run(() => client.revokeToken(t.id)).then(tokens.reload)}
        />
      )}
    </main>
  );
}
