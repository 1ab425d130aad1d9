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
  | { page: "admin"; tab: AdminTab; auditPage: number };

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
