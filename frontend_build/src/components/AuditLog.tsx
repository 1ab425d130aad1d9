import { useCallback } from "react";
import type { AccountClient } from "../lib/account";
import { routeHash } from "../lib/routes";
import { when } from "./TokenList";
import { useLoad } from "./useLoad";

export const AUDIT_PAGE_SIZE = 25;

/** The audit log, newest first, one page per address (`#/admin/audit?page=2`). */
export function AuditLog({ client, page }: { client: AccountClient; page: number }) {
  const load = useCallback(
    () => client.audit({ offset: (page - 1) * AUDIT_PAGE_SIZE, limit: AUDIT_PAGE_SIZE }),
    [client, page],
  );
  const audit = useLoad(load);
  if (audit.error)
    return (
      <p className="form-error" role="alert">
        {audit.error}
      </p>
    );
  if (!audit.data) return <p className="muted">Loading…</p>;
  const { events, total } = audit.data;
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const link = (n: number) => routeHash({ page: "admin", tab: "audit", auditPage: n });
  return (
    <section aria-label="Audit log">
      <table className="table" data-testid="audit-log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Who</th>
            <th scope="col">Target</th>
            <th scope="col">From</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-testid="audit-row" data-action={e.action}>
              <td>{when(e.at)}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.actor ?? "—"}</td>
              <td>{e.target ?? "—"}</td>
              <td>{e.client ?? "—"}</td>
              <td>{e.details ? <code>{JSON.stringify(e.details)}</code> : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="Audit log pages">
        {page > 1 ? <a href={link(page - 1)}>← Newer</a> : <span />}
        <span data-testid="audit-page">
          Page {page} of {pages} ({total} events)
        </span>
        {page < pages ? (
          <a href={link(page + 1)} data-testid="audit-older">
            Older →
          </a>
        ) : (
          <span />
        )}
      </nav>
    </section>
  );
}
