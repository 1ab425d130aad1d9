import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { Me } from "../lib/account";
import type { Visibility } from "../lib/roles";
import { routeHash } from "../lib/routes";
import type { SessionInfo, SessionsClient } from "../lib/sessionsApi";
import { useLoad } from "../components/useLoad";
import { afterDelete, filtered, mayChange, pager, queryFor, type LibraryRoute } from "./listing";
import { SessionCard } from "./SessionCard";

/** `#/library?q=&tag=&page=`: my sessions and those shared with me, newest first. */
export function LibraryPage({
  client,
  route,
  go,
  me,
  visibility,
}: {
  client: SessionsClient;
  route: LibraryRoute;
  go: (route: LibraryRoute) => void;
  me: Me;
  visibility: Visibility;
}) {
  const load = useCallback(() => client.list(queryFor(route)), [client, route.q, route.tag, route.pageNo]);
  const { data, error, reload } = useLoad(load);
  const [rows, setRows] = useState<SessionInfo[]>([]);
  useEffect(() => setRows(data?.sessions ?? []), [data]);
  const [q, setQ] = useState(route.q);
  const [tag, setTag] = useState(route.tag);
  useEffect(() => {
    setQ(route.q);
    setTag(route.tag);
  }, [route.q, route.tag]);
  // A recording in the list: follow it while it records.
  const recording = rows.some((s) => s.status === "recording");
  useEffect(() => {
    if (!recording) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [recording, reload]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    go(filtered(route, { q: q.trim(), tag: tag.trim() }));
  };
  const total = data?.total ?? 0;
  const pages = pager(route, total);
  const filtering = route.q !== "" || route.tag !== "";

  return (
    <main className="library" data-testid="library-page">
      <header className="library-head">
        <h2>Library</h2>
        <form className="library-search" role="search" onSubmit={search}>
          <label>
            <span className="sr-only">Search by name</span>
            <input
              type="search"
              data-testid="library-search"
              placeholder="Search by name"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
          </label>
          <label>
            <span className="sr-only">Tag</span>
            <input
              data-testid="library-tag-filter"
              placeholder="Tag"
              value={tag}
              onChange={(e) => setTag(e.target.value)}
            />
          </label>
          <button type="submit" className="btn btn-primary" data-testid="library-search-submit">
            Search
          </button>
          {filtering && (
            <a
              className="btn btn-ghost"
              href={routeHash(filtered(route, { q: "", tag: "" }))}
              data-testid="library-clear"
            >
              Clear
            </a>
          )}
        </form>
      </header>
      {error && (
        <p className="banner" role="alert" data-testid="library-load-error">
          {error}
        </p>
      )}
      {data && (
        <p className="muted" data-testid="library-total" aria-live="polite">
          {total === 0
            ? filtering
              ? "No session matches."
              : "No sessions yet: press Record on a stream to make one."
            : `${total} session${total === 1 ? "" : "s"}${filtering ? " found" : ""}`}
        </p>
      )}
      <ul className="session-list" data-testid="library-list" aria-busy={!data && !error}>
        {rows.map((s) => (
          <SessionCard
            key={s.id}
            client={client}
            session={s}
            editable={visibility.record && mayChange(s, me)}
            exportable={visibility.exportSessions}
            onChanged={(changed) => setRows((all) => all.map((x) => (x.id === changed.id ? changed : x)))}
            onDeleted={() => {
              const next = afterDelete(route, total);
              if (next.pageNo !== route.pageNo) go(next);
              else reload();
            }}
            onTag={(t) => go(filtered(route, { tag: t }))}
          />
        ))}
      </ul>
      {pages.pages > 1 && (
        <nav className="pager" aria-label="Pages">
          {pages.prev ? (
            <a className="btn" href={routeHash(pages.prev)} data-testid="library-newer">
              ← Newer
            </a>
          ) : (
            <span />
          )}
          <span className="muted" data-testid="library-page-no">
            Page {Math.min(route.pageNo, pages.pages)} of {pages.pages}
          </span>
          {pages.next ? (
            <a className="btn" href={routeHash(pages.next)} data-testid="library-older">
              Older →
            </a>
          ) : (
            <span />
          )}
        </nav>
      )}
    </main>
  );
}
