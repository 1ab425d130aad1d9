/** Where the backend is and which token to present: read once at start-up. */

const TOKEN_KEY = "poseStudio.token";
const SERVER_KEY = "poseStudio.server";

export interface StudioConfig {
  backendUrl: string;
  token: string | null;
}

/**
 * Take `?token=` (and `?server=`) from the address, keep them in localStorage, and
 * remove them from the address bar so the token does not linger in history or screenshots.
 */
export function loadConfig(win: Window = window): StudioConfig {
  const url = new URL(win.location.href);
  const fromQuery = url.searchParams.get("token");
  const serverFromQuery = url.searchParams.get("server");
  const configured = (import.meta.env.VITE_BACKEND_URL as string | undefined) || "";
  const backend = () => win.localStorage.getItem(SERVER_KEY) || configured || win.location.origin;
  if (fromQuery !== null || serverFromQuery !== null) {
    // A link that names another backend must not carry the stored token there: only a
    // token given in the same link goes to it.
    if (serverFromQuery && !fromQuery && serverFromQuery !== backend())
      win.localStorage.removeItem(TOKEN_KEY);
    if (fromQuery) win.localStorage.setItem(TOKEN_KEY, fromQuery);
    if (serverFromQuery) win.localStorage.setItem(SERVER_KEY, serverFromQuery);
    url.searchParams.delete("token");
    url.searchParams.delete("server");
    win.history.replaceState(win.history.state, "", url.pathname + url.search + url.hash);
  }
  return {
    backendUrl: backend(),
    token: win.localStorage.getItem(TOKEN_KEY),
  };
}

export function saveToken(token: string, win: Window = window): void {
  win.localStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(win: Window = window): void {
  win.localStorage.removeItem(TOKEN_KEY);
}
