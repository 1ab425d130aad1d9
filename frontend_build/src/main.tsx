import { createRoot } from "react-dom/client";
import { App } from "./App";
import { loadConfig } from "./lib/config";
import { setupPathRedirect } from "./lib/routes";
import "./styles.css";
import "./accounts.css";

// The printed setup address (`/setup?code=…`) becomes the studio's own `#/setup?code=…`.
const setup = setupPathRedirect(location.href);
if (setup !== null) history.replaceState(history.state, "", setup);
// Read (and strip) the token from the address before anything renders.
const config = loadConfig();
createRoot(document.getElementById("root")!).render(<App config={config} />);
