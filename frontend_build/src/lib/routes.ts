/**
 * The studio's pages as hash routes (`#/signin`, `#/admin/audit?page=2`): linkable, kept
 * on reload, and served by any static file server (the backend serves `index.html` only
 * at `/`). The hash never reaches a server, so the setup code in `#/setup?code=` stays
 * out of access logs and referrers.
 */

export type AdminTab = "users" | "tokens" | "audit";

export type Route =
  | { page: "studio" }
  | { page: "signin" }
  | { page: "setup"; code: string }
  | { page: "tokens" }
  | { page: "admin"; tab: AdminTab; auditPage: number }
  | { page: "library"; q: string; tag: string; pageNo: number }
  | { page: "settings" }
  /** The robot panel (docs/robots.md). */
  | { page: "robots" }
  /** A recorded session's replay, at `t` session seconds (null: from the start). */
  | { page: "session"; id: string; t: number | null }
  /** A paired phone's full-screen camera; `code` from the QR code (claimed once). */
  | { page: "capture"; code: string };

const ADMIN_TABS: readonly AdminTab[] = ["users", "tokens", "audit"];

export function parseRoute(hash: string): Route {
  const [path, query = ""] = hash.replace(/^#/, "").split("?", 2);
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  switch (parts[0]) {
    case "signin":
      return { page: "signin" };
    case "setup":
      return { page: "setup", code: params.get("code") ?? "" };
    case "tokens":
      return { page: "tokens" };
    case "admin": {
      const tab = ADMIN_TABS.find((t) => t === parts[1]) ?? "users";
      const n = Number.parseInt(params.get("page") ?? "1", 10);
      return { page: "admin", tab, auditPage: Number.isFinite(n) && n >= 1 ? n : 1 };
    }
    case "library": {
      const n = Number.parseInt(params.get("page") ?? "1", 10);
      return {
        page: "library",
        q: params.get("q") ?? "",
        tag: params.get("tag") ?? "",
        pageNo: Number.isFinite(n) && n >= 1 ? n : 1,
      };
    }
    case "settings":
      return { page: "settings" };
    case "robots":
      return { page: "robots" };
    case "capture":
      return { page: "capture", code: params.get("code") ?? "" };
    case "sessions": {
      if (!parts[1]) return { page: "studio" };
      const t = Number.parseFloat(params.get("t") ?? "");
      return {
        page: "session",
        id: decodeURIComponent(parts[1]),
        t: Number.isFinite(t) && t >= 0 ? t : null,
      };
    }
    default:
      return { page: "studio" };
  }
}

export function routeHash(route: Route): string {
  switch (route.page) {
    case "studio":
      return "#/";
    case "signin":
      return "#/signin";
    case "setup":
      return route.code ? `#/setup?code=${encodeURIComponent(route.code)}` : "#/setup";
    case "tokens":
      return "#/tokens";
    case "admin":
      return route.tab === "audit" && route.auditPage > 1
        ? `#/admin/audit?page=${route.auditPage}`
        : `#/admin/${route.tab}`;
    case "library": {
      const params = new URLSearchParams();
      if (route.q) params.set("q", route.q);
      if (route.tag) params.set("tag", route.tag);
      if (route.pageNo > 1) params.set("page", String(route.pageNo));
      const query = params.toString();
      return query ? `#/library?${query}` : "#/library";
    }
    case "settings":
      return "#/settings";
    case "robots":
      return "#/robots";
    case "capture":
      return route.code ? `#/capture?code=${encodeURIComponent(route.code)}` : "#/capture";
    case "session": {
      const base = `#/sessions/${encodeURIComponent(route.id)}`;
      return route.t === null ? base : `${base}?t=${Number(route.t.toFixed(2))}`;
    }
  }
}

/**
 * The address `posestudio serve` prints is `/setup?code=…`. When that path serves the
 * studio, it becomes the studio's `#/setup?code=…` at the root: the address to replace
 * the current one with, or null when it is not that path.
 */
export function setupPathRedirect(href: string): string | null {
  const url = new URL(href);
  if (!/\/setup\/?$/.test(url.pathname)) return null;
  const code = url.searchParams.get("code") ?? "";
  url.searchParams.delete("code");
  const base = url.pathname.replace(/setup\/?$/, "");
  return `${base}${url.search}${routeHash({ page: "setup", code })}`;
}
