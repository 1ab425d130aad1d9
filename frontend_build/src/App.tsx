import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { AskPanel } from "./components/AskPanel";
import { StreamTile } from "./components/StreamTile";
import { AgentClient } from "./lib/agent";
import { FRONT, listCameras, type CameraChoice } from "./lib/cameras";
import { forgetToken, saveToken, type StudioConfig } from "./lib/config";
import { FrameEncoder } from "./lib/encoder";
import { PoseConnection, type ConnectionStatus } from "./lib/protocol";
import { StreamSession } from "./lib/session";
import { openSocket } from "./lib/sockets";
import type { WireError } from "./lib/types";

type Theme = "dark" | "light";

function initialTheme(): Theme {
  const stored = localStorage.getItem("poseStudio.theme");
  if (stored === "dark" || stored === "light") return stored;
  return matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
}

export function App({ config }: { config: StudioConfig }) {
  const [token, setToken] = useState(config.token);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  // Set during render, not in an effect: the 3D view's effect (a child's, so it runs
  // first) reads the theme's colours from CSS.
  document.documentElement.dataset.theme = theme;
  useEffect(() => localStorage.setItem("poseStudio.theme", theme), [theme]);
  const toggleTheme = () => setTheme((t) => (t === "dark" ? "light" : "dark"));

  if (!token) {
    return (
      <TokenForm
        onToken={(t) => {
          saveToken(t);
          setToken(t);
        }}
      />
    );
  }
  return (
    <Studio
      key={token}
      backendUrl={config.backendUrl}
      token={token}
      theme={theme}
      onToggleTheme={toggleTheme}
      onNewToken={(t) => {
        saveToken(t);
        setToken(t);
      }}
    />
  );
}

function Studio({
  backendUrl,
  token,
  theme,
  onToggleTheme,
  onNewToken,
}: {
  backendUrl: string;
  token: string;
  theme: Theme;
  onToggleTheme: () => void;
  onNewToken: (token: string) => void;
}) {
  const connection = useMemo(
    () => new PoseConnection(openSocket("pose", backendUrl, token)),
    [backendUrl, token],
  );
  const encoder = useMemo(() => new FrameEncoder(), []);
  const [status, setStatus] = useState<ConnectionStatus>(connection.status);
  const [statusDetail, setStatusDetail] = useState("");
  const [sessions, setSessions] = useState<StreamSession[]>([]);
  const [cameras, setCameras] = useState<CameraChoice[]>([]);
  const [notices, setNotices] = useState<WireError[]>([]);
  const [askOpen, setAskOpen] = useState(false);
  const [highlights, setHighlights] = useState<Record<string, number>>({});
  const [, setLimitsSeen] = useState(0);

  useEffect(() => {
    const offs = [
      connection.on("status", (s, detail) => {
        setStatus(s);
        setStatusDetail(detail ?? "");
      }),
      connection.on("error", (e) => {
        if (!e.stream_id) setNotices((n) => [...n.slice(-2), e]);
      }),
      connection.on("phase", () => setLimitsSeen((n) => n + 1)),
    ];
    return () => {
      offs.forEach((off) => off());
      connection.close();
      encoder.close();
    };
  }, [connection, encoder]);

  useEffect(() => {
    const refresh = () =>
      void listCameras()
        .then(setCameras)
        .catch(() => undefined);
    navigator.mediaDevices?.addEventListener?.("devicechange", refresh);
    return () => navigator.mediaDevices?.removeEventListener?.("devicechange", refresh);
  }, []);

  // The browser test and curious developers read the live state here.
  useEffect(() => {
    (window as unknown as { __poseStudio: unknown }).__poseStudio = { connection, sessions };
  }, [connection, sessions]);

  const addStream = useCallback(() => {
    const used = new Set(sessions.map((s) => s.settings.camera));
    const unused = cameras.find((c) => !used.has(c.id));
    // Another camera when there is one; otherwise the same one again (a second view of it).
    const camera = sessions.length === 0 ? FRONT.id : (unused ?? cameras[0] ?? FRONT).id;
    const session = new StreamSession(connection, encoder, { camera });
    setSessions([...sessions, session]);
    void session.open().then(() =>
      listCameras()
        .then(setCameras)
        .catch(() => undefined),
    );
  }, [sessions, cameras, connection, encoder]);

  const removeStream = (session: StreamSession) => {
    session.dispose();
    setSessions((current) => current.filter((s) => s !== session));
  };

  const maxFps = connection.limits?.max_fps ?? 30;
  const atLimit = connection.maxStreams !== null && sessions.length >= connection.maxStreams;
  const running = sessions.filter((s) => s.running).map((s) => s.id);

  const agentClient = useMemo(() => {
    if (!askOpen) return null;
    const push = openSocket("agent", backendUrl, token);
    return { client: new AgentClient(backendUrl, token, push), push };
  }, [askOpen, backendUrl, token]);
  useEffect(() => () => void agentClient?.push.close(), [agentClient]);

  return (
    <div className={askOpen ? "app with-ask" : "app"}>
      <a className="skip" href="#streams">
        Skip to streams
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <h1>Pose Studio</h1>
        </div>
        <p className={`conn conn-${status}`} title={statusDetail} aria-live="polite">
          <span className="dot" aria-hidden="true" />
          <span className="sr-only">Connection: </span>
          <span data-testid="connection-status">{status}</span>
        </p>
        <div className="topbar-actions">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="add-stream"
            onClick={addStream}
            disabled={atLimit}
            title={atLimit ? `The server allows ${connection.maxStreams} streams` : undefined}
          >
            + Add camera
          </button>
          <button
            type="button"
            className="btn"
            data-testid="ask-button"
            aria-expanded={askOpen}
            onClick={() => setAskOpen((o) => !o)}
          >
            Ask
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            onClick={onToggleTheme}
            aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
          >
            {theme === "dark" ? "☀" : "☾"}
          </button>
        </div>
      </header>

      {status === "unauthorized" && <TokenBanner onToken={onNewToken} />}
      {notices.map((n, i) => (
        <p key={i} className="banner" role="alert">
          {n.code}: {n.message}
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => setNotices((all) => all.filter((x) => x !== n))}
          >
            Dismiss
          </button>
        </p>
      ))}

      <main id="streams" className="tiles">
        {sessions.length === 0 && (
          <section className="empty">
            <h2>See your pose, live</h2>
            <p>
              Stream your camera to this Pose Studio and watch your 33-point skeleton in 2D and 3D. Frames go
              only to this server.
            </p>
            <button
              type="button"
              className="btn btn-primary btn-big"
              data-testid="empty-add-stream"
              onClick={addStream}
            >
              Start camera
            </button>
          </section>
        )}
        {sessions.map((s) => (
          <StreamTile
            key={s.id}
            session={s}
            cameras={cameras}
            maxFps={maxFps}
            theme={theme}
            highlight={highlights[s.id] ?? null}
            onRemove={() => removeStream(s)}
          />
        ))}
      </main>

      {askOpen && agentClient && (
        <AskPanel
          client={agentClient.client}
          streamIds={running}
          streamLabel={(id) => sessions.find((s) => s.id === id)?.camera.label || id}
          onHighlight={(id, ts) => setHighlights((h) => ({ ...h, [id]: ts }))}
          onClose={() => setAskOpen(false)}
        />
      )}
    </div>
  );
}

function TokenForm({ onToken }: { onToken: (token: string) => void }) {
  const [value, setValue] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onToken(value.trim());
  };
  return (
    <main className="token-page">
      <form className="card" onSubmit={submit}>
        <h1>Pose Studio</h1>
        <p>
          Open the address that <code>posestudio serve</code> printed (it carries the token), or paste the
          access token here.
        </p>
        <label htmlFor="token">Access token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          Connect
        </button>
      </form>
    </main>
  );
}

function TokenBanner({ onToken }: { onToken: (token: string) => void }) {
  const [value, setValue] = useState("");
  return (
    <form
      className="banner"
      role="alert"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onToken(value.trim());
      }}
    >
      <span>The server refused the access token.</span>
      <label htmlFor="new-token" className="sr-only">
        Access token
      </label>
      <input
        id="new-token"
        type="password"
        placeholder="access token"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="btn">
        Use this token
      </button>
      <button type="button" className="btn btn-ghost" onClick={() => forgetToken()}>
        Forget the stored one
      </button>
    </form>
  );
}
