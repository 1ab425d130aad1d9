import { useCallback } from "react";
import type { AccountClient, Me } from "../lib/account";
import { routeHash, type AdminTab } from "../lib/routes";
import { AdminUsers } from "./AdminUsers";
import { AuditLog } from "./AuditLog";
import { TokenList } from "./TokenList";
import { useAction, useLoad } from "./useLoad";

const TABS: Array<[AdminTab, string]> = [
  ["users", "People"],
  ["tokens", "All tokens"],
  ["audit", "Audit log"],
];

/** For admins: people, everyone's API tokens, the audit log; each tab its own address. */
export function AdminPage({
  client,
  me,
  tab,
  auditPage,
}: {
  client: AccountClient;
  me: Me;
  tab: AdminTab;
  auditPage: number;
}) {
  return (
    <main className="page" data-testid="admin-page">
      <h2>Admin</h2>
      <nav className="tabs" aria-label="Admin">
        {TABS.map(([key, label]) => (
          <a
            key={key}
            href={routeHash({ page: "admin", tab: key, auditPage: 1 })}
            aria-current={key === tab ? "page" : undefined}
            data-testid={`admin-tab-${key}`}
          >
            {label}
          </a>
        ))}
      </nav>
      {tab === "users" && <AdminUsers client={client} me={me} />}
      {tab === "tokens" && <AllTokens client={client} />}
      {tab === "audit" && <AuditLog client={client} page={auditPage} />}
    </main>
  );
}

function AllTokens({ client }: { client: AccountClient }) {
  const load = useCallback(
    () => Promise.all([client.allTokens(), client.users()]).then(([tokens, users]) => ({ tokens, users })),
    [client],
  );
  const all = useLoad(load);
  const action = useAction();
  const emails = new Map(all.data?.users.map((u) => [u.id, u.email]));
  return (
    <section aria-label="All tokens">
      {(all.error || action.error) && (
        <p className="form-error" role="alert">
          {action.error || all.error}
        </p>
      )}
      {all.data && (
        <TokenList
          tokens={all.data.tokens}
          owner={(t) => emails.get(t.owner_id) ?? `user ${t.owner_id}`}
          busy={action.busy}
          onRevoke={(t) => void action.run(() => client.revokeToken(t.id)).then(all.reload)}
        />
      )}
    </section>
  );
}
