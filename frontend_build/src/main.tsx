import { createRoot } from "react-dom/client";
import { App } from "./App";
import { loadConfig } from "./lib/config";
import "./styles.css";

// Read (and strip) the token from the address before anything renders.
const config = loadConfig();
createRoot(document.getElementById("root")!).render(<App config={config} />);
