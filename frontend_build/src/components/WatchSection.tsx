import { Suspense, lazy, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { describeError, type AccountClient, type StreamSummary } from "../lib/account";
import { openSocket } from "../lib/sockets";
import { WatchSession } from "../lib/watch";
import { PoseOverlay } from "./PoseOverlay";

const Pose3D = lazy(() => import("./Pose3D").then((m) => ({ default: m.Pose3D })));

/** How often the list of streams shared with me is asked again. */
const REFRESH_MS = 3000;

/**
 * "Watch": the streams others shared with me and those of my paired phones (from
 * `GET /api/streams`, asked again every few seconds), each openable as a read-only tile
 * that watches it, with Unwatch. A phone's stream opens by itself when it appears.
 */
export function WatchSection({
  client,
  backendUrl,
  token,
  theme,
  hidden,
}: {
  client: AccountClient;
  backendUrl: string;
  token: string | null;
  theme: string;
  hidden: boolean;
}) {
  const [shared, setShared] = useState<StreamSummary[]>([]);
  const [error, setError] = useState("");
  const [open, setOpen] = useState<WatchSession[]>([]);

  useEffect(() => {
    if (hidden) return;
    let live = true;
    const load = () =>
      void client.streams().then(
        (all) => {
          if (!live) return;
          setShared(all.filter((s) => s.shared || s.paired));
          setError("");
        },
        (e: unknown) => live && setError(describeError(e)),
      );
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, hidden]);

  // Leaving the page (signing out) closes every watch.
  const openRef = useRef(open);
  openRef.current = open;
  useEffect(() => () => openRef.current.forEach((w) => w.close()), []);

  const watch = (stream: StreamSummary) => {
    const session = new WatchSession(stream.id, openSocket("pose", backendUrl, token));
    setOpen((current) => [...current, session]);
  };
  const unwatch = (session: WatchSession) => {
    session.close();
    setOpen((current) => current.filter((w) => w !== session));
  };
  const watching = new Set(open.map((w) => w.stream));

  // A newly paired phone's stream is what the person is waiting for: open it once.
  const autoOpened = useRef(new Set<string>());
  useEffect(() => {
    const fresh = shared.filter((s) => s.paired && !autoOpened.current.has(s.id));
    if (fresh.length === 0) return;
    fresh.forEach((s) => autoOpened.current.add(s.id));
    setOpen((current) => [
      ...current,
      ...fresh
        .filter((s) => !current.some((w) => w.stream === s.id))
        .map((s) => new WatchSession(s.id, openSocket("pose", backendUrl, token))),
    ]);
  }, [shared, backendUrl, token]);

  return (
    <section className="watch" data-testid="watch-section" aria-labelledby="watch-title">
      <h2 id="watch-title">Watch</h2>
      {error && (
        <p className="tile-error" role="alert">
          {error}
        </p>
      )}
      {shared.length === 0 ? (
        <p className="muted" data-testid="watch-empty">
          No live stream is shared with you right now, and no paired phone is streaming.
        </p>
      ) : (
        <ul className="watch-list">
          {shared.map((s) => (
            <li key={s.id} data-testid="watch-item" data-stream={s.id}>
              <span>
                {s.stream_id} · {s.owner} · {s.engine}
              </span>
              <button
                type="button"
                className="btn"
                data-testid="watch-open"
                disabled={watching.has(s.id)}
                onClick={() => watch(s)}
              >
                Watch
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="tiles">
        {open.map((w) => (
          <WatchTile
            key={w.stream}
            session={w}
            label={shared.find((s) => s.id === w.stream)}
            theme={theme}
            onUnwatch={() => unwatch(w)}
          />
        ))}
      </div>
    </section>
  );
}

function WatchTile({
  session,
  label,
  theme,
  onUnwatch,
}: {
  session: WatchSession;
  label: StreamSummary | undefined;
  theme: string;
  onUnwatch: () => void;
}) {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const timer = setInterval(bump, 250);
    const off = session.subscribe(bump);
    return () => {
      clearInterval(timer);
      off();
    };
  }, [session]);
  const title = useMemo(
    () => (label ? `${label.stream_id} (${label.owner})` : session.stream),
    [label, session.stream],
  );
  return (
    <article
      className="tile"
      data-testid="watch-tile"
      data-stream={session.stream}
      aria-label={`Watching ${title}`}
    >
      <header className="tile-head">
        <h2 className="tile-title" title={title}>
          {title}
        </h2>
        <span className={`pill pill-${session.status}`} data-testid="watch-status" aria-live="polite">
          {session.status}
        </span>
        <div className="tile-actions">
          <button type="button" className="btn btn-ghost" data-testid="watch-close" onClick={onUnwatch}>
            Unwatch
          </button>
        </div>
      </header>
      <div className="views">
        <div className="stage stage-watch">
          <PoseOverlay poses={session.poses} video={null} withoutVideo />
        </div>
        <Suspense fallback={<div className="view3d" aria-busy="true" />}>
          <Pose3D poses={session.poses} theme={theme} />
        </Suspense>
      </div>
      {session.error && (
        <p className="tile-error" role="alert" data-testid="watch-error">
          {session.error.code}: {session.error.message}
        </p>
      )}
      <dl className="stats">
        <div className="stat">
          <dt>Landmarks</dt>
          <dd>
            <span data-testid="watch-landmarks">{session.landmarkCount}</span>
          </dd>
        </div>
        <div className="stat">
          <dt>Poses</dt>
          <dd>
            <span data-testid="watch-received">{session.received}</span>
          </dd>
        </div>
      </dl>
    </article>
  );
}
