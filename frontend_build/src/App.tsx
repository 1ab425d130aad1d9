import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from "react";
import { AdminPage } from "./components/AdminPage";
import { SetupPage } from "./components/SetupPage";
import { SignInPage } from "./components/SignInPage";
import { Studio } from "./components/Studio";
import { SettingsPage } from "./components/SettingsPage";
import { TokensPage } from "./components/TokensPage";
import { LibraryPage } from "./library/LibraryPage";
import { RobotsPage } from "./robots/RobotsPage";
import { SessionsClient } from "./lib/sessionsApi";
import { TopBar, type Chrome, type Theme } from "./components/TopBar";
import { AccountClient, describeError, resolveStart, type StartState } from "./lib/account";
import { forgetToken, saveToken, type StudioConfig } from "./lib/config";
import { atLeast, visibilityFor } from "./lib/roles";
import { parseRoute, routeHash, type Route } from "./lib/routes";

// The replay is its own chunk: the streams page does not load it.
const ReplayView = lazy(() => import("./replay/ReplayView").then((m) => ({ default: m.ReplayView })));

function initialTheme(): Theme {
  const stored = localStorage.getItem("poseStudio.theme");
  if (stored === "dark" || stored === "light") return stored;
  return matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
}

function useHashRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  const go = useCallback((next: Route) => {
    location.hash = routeHash(next);
  }, []);
  return [route, go];
}

type Start = StartState | { kind: "loading" } | { kind: "failed"; message: string };

export function App({ config }: { config: StudioConfig }) {
  const [token, setToken] = useState(config.token);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  // Set during render, not in an effect: the 3D view's effect (a child's, so it runs
  // first) reads the theme's colours from CSS.
  document.documentElement.dataset.theme = theme;
  useEffect(() => localStorage.setItem("poseStudio.theme", theme), [theme]);
  const [route, go] = useHashRoute();

  const client = useMemo(() => new AccountClient(config.backendUrl, token), [config.backendUrl, token]);
  const sessionsClient = useMemo(
    () => new SessionsClient(config.backendUrl, token),
    [config.backendUrl, token],
  );
  const [start, setStart] = useState<Start>({ kind: "loading" });
  const [checks, setChecks] = useState(0);
  const recheck = useCallback(() => setChecks((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    resolveStart(client).then(
      (s) => live && setStart(s),
      (e: unknown) => live && setStart({ kind: "failed", message: describeError(e) }),
    );
    return () => {
      live = false;
    };
  }, [client, checks]);

  const adoptToken = (t: string) => {
    saveToken(t);
    setStart({ kind: "loading" });
    setToken(t);
  };
  const signedOut = () => {
    setStart({ kind: "loading" });
    if (token === null) recheck();
    setToken(null);
  };
  const signOut = () => {
    if (token !== null) {
      forgetToken();
      signedOut();
    } else void client.signOut().finally(signedOut);
  };

  const me = start.kind === "ready" ? start.me : null;
  const setupCode = route.page === "setup" ? route.code : "";
  const chrome: Chrome = {
    me,
    visibility: visibilityFor(me?.role ?? null, { person: me?.user != null }),
    theme,
    onToggleTheme: () => setTheme((t) => (t === "dark" ? "light" : "dark")),
    onSignOut: signOut,
  };

  switch (start.kind) {
    case "loading":
      return <main className="token-page" aria-busy="true" />;
    case "failed":
      return (
        <main className="token-page">
          <div className="card" role="alert">
            <h1>Pose Studio</h1>
            <p>{start.message}</p>
            <button type="button" className="btn btn-primary" onClick={recheck}>
              Try again
            </button>
          </div>
        </main>
      );
    case "setup":
      return (
        <SetupPage
          key={setupCode}
          client={client}
          code={setupCode}
          onDone={() => {
            go({ page: "studio" });
            recheck();
          }}
        />
      );
    case "signin":
      return (
        <SignInPage
          client={client}
          notice={route.page === "setup" ? "Setup is done: sign in instead." : undefined}
          onSignedIn={() => {
            if (route.page === "signin" || route.page === "setup") go({ page: "studio" });
            recheck();
          }}
          onToken={adoptToken}
        />
      );
  }

  // Signed in, or a stored token the server refused (the studio says so and asks for another).
  const page = pageFor(route, chrome);
  return (
    <>
      <Studio
        key={token ?? "session"}
        backendUrl={config.backendUrl}
        token={token}
        chrome={chrome}
        hidden={page !== null}
        onNewToken={adoptToken}
        onSignIn={signedOut}
      />
      {page !== null && me !== null && (
        <div className="app">
          <TopBar chrome={chrome}>
            <nav className="topbar-actions">
              <a className="btn" href="#/">
                ← Streams
              </a>
              {page.page !== "library" && (
                <a className="btn" href="#/library" data-testid="library-link">
                  Library
                </a>
              )}
              {page.page !== "robots" && (
                <a className="btn" href="#/robots" data-testid="robots-link">
                  Robots
                </a>
              )}
            </nav>
          </TopBar>
          {page.page === "tokens" && <TokensPage client={client} me={me} />}
          {page.page === "admin" && (
            <AdminPage client={client} me={me} tab={page.tab} auditPage={page.auditPage} />
          )}
          {page.page === "library" && (
            <LibraryPage
              client={sessionsClient}
              route={page}
              go={go}
              me={me}
              visibility={chrome.visibility}
            />
          )}
          {page.page === "robots" && (
            <RobotsPage
              backendUrl={config.backendUrl}
              token={token}
              subject={me.subject}
              canControl={atLeast(me.role, "operator")}
            />
          )}
          {page.page === "settings" && <SettingsPage chrome={chrome} backendUrl={config.backendUrl} />}
          {page.page === "session" && (
            <Suspense fallback={<main className="replay" aria-busy="true" />}>
              <ReplayView
                sessionId={page.id}
                t={page.t}
                backendUrl={config.backendUrl}
                token={token}
                theme={theme}
                canEdit={atLeast(me.role, "operator")}
                canAsk={chrome.visibility.ask}
              />
            </Suspense>
          )}
        </div>
      )}
    </>
  );
}

/** The page over the studio for this route, or null (the streams); none that this role may not see. */
function pageFor(
  route: Route,
  chrome: Chrome,
): (Route & { page: "tokens" | "admin" | "library" | "settings" | "session" | "robots" }) | null {
  if (route.page === "tokens" && chrome.visibility.ownTokens) return route;
  if (route.page === "session") return route;
  if (route.page === "admin" && chrome.visibility.admin) return route;
  if ((route.page === "library" || route.page === "settings" || route.page === "robots") && chrome.me)
    return route;
  return null;
}
