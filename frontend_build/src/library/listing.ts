/**
 * The library's list logic, without React: which page of sessions to ask for, the links
 * of the pager, and how a session reads in a row (duration, cameras, status).
 */
import type { Route } from "../lib/routes";
import type { SessionInfo, SessionQuery } from "../lib/sessionsApi";

export const PAGE_SIZE = 12;

export type LibraryRoute = Route & { page: "library" };

/** The API query for a library address. */
export function queryFor(route: LibraryRoute, pageSize = PAGE_SIZE): SessionQuery {
  const query: SessionQuery = { offset: (route.pageNo - 1) * pageSize, limit: pageSize };
  const q = route.q.trim();
  const tag = route.tag.trim();
  if (q) query.q = q;
  if (tag) query.tag = tag;
  return query;
}

export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** The pager's previous and next pages (null where there is none). */
export function pager(
  route: LibraryRoute,
  total: number,
  pageSize = PAGE_SIZE,
): { prev: LibraryRoute | null; next: LibraryRoute | null; pages: number } {
  const pages = pageCount(total, pageSize);
  return {
    pages,
    prev: route.pageNo > 1 ? { ...route, pageNo: Math.min(route.pageNo - 1, pages) } : null,
    next: route.pageNo < pages ? { ...route, pageNo: route.pageNo + 1 } : null,
  };
}

/** A new search or tag starts again at page 1. */
export function filtered(route: LibraryRoute, change: { q?: string; tag?: string }): LibraryRoute {
  return { ...route, ...change, pageNo: 1 };
}

/** After deleting the last session of the last page, show the page before. */
export function afterDelete(route: LibraryRoute, total: number, pageSize = PAGE_SIZE): LibraryRoute {
  const pages = pageCount(Math.max(0, total - 1), pageSize);
  return route.pageNo > pages ? { ...route, pageNo: pages } : route;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

export function camerasOf(session: SessionInfo): string {
  const n = session.streams.length;
  return n === 1 ? "1 camera" : `${n} cameras`;
}

/** The status as the row shows it, with the reason an interrupted session gives. */
export function statusText(session: SessionInfo): string {
  switch (session.status) {
    case "recording":
      return "recording";
    case "interrupted":
      return session.note ? `interrupted: ${session.note}` : "interrupted";
    default:
      return "complete";
  }
}

/** Tags typed as "a, b, a" → ["a", "b"] (at most 20, each ≤ 40 characters). */
export function tagsFrom(text: string): string[] {
  const tags = text
    .split(",")
    .map((t) => t.trim().slice(0, 40))
    .filter(Boolean);
  return [...new Set(tags)].slice(0, 20);
}

/** The session's stream to draw a thumbnail of: the first that recorded a frame. */
export function thumbnailStream(session: SessionInfo): SessionInfo["streams"][number] | null {
  return session.streams.find((s) => s.frames > 0) ?? null;
}

/** Whether the signed-in person may change it (theirs, or an admin), or only read it (shared). */
export function mayChange(session: SessionInfo, me: { subject: string; role: string } | null): boolean {
  if (!me || me.role === "viewer") return false;
  return session.owner === me.subject || me.role === "admin";
}
