import { createRoot } from "react-dom/client";
import { App } from "./App";
import { CapturePage } from "./components/CapturePage";
import { loadConfig } from "./lib/config";
import { parseRoute, setupPathRedirect } from "./lib/routes";
import "./styles.css";
import "./accounts.css";
import "./library.css";
import "./capture.css";

// The printed setup address (`/setup?code=…`) becomes the studio's own `#/setup?code=…`.
const setup = setupPathRedirect(location.href);
if (setup !== null) history.replaceState(history.state, "", setup);
// Read (and strip) the token from the address before anything renders.
const config = loadConfig();
// A paired phone's camera page needs no account: the pairing code is its credential.
const route = parseRoute(location.hash);
createRoot(document.getElementById("root")!).render(
  route.page === "capture" ? (
    <CapturePage backendUrl={config.backendUrl} code={route.code} />
  ) : (
    <App config={config} />
  ),
);

// The static shell as an installable app (public/sw.js caches nothing that holds data).
// Only in a production build: in development Vite serves modules the worker must not keep.
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  addEventListener("load", () => {
    navigator.serviceWorker.register("./sw.js", { scope: "./" }).catch(() => undefined);
  });
}
