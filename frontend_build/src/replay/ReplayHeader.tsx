import type { Session } from "./api";
import { formatTime } from "./timeline";

/** The replay's head: the session's name, status, time, cameras, tags, and the Ask button. */
export function ReplayHeader({
  session,
  duration,
  canAsk,
  askOpen,
  onAsk,
}: {
  session: Session;
  duration: number;
  canAsk: boolean;
  askOpen: boolean;
  onAsk: () => void;
}) {
  return (
    <header className="replay-head">
      <h2 data-testid="replay-name">{session.name}</h2>
      <span className={`pill pill-${session.status}`} data-testid="replay-status">
        {session.status}
      </span>
      <span className="muted">
        {new Date(session.started_at).toLocaleString()} · {formatTime(duration)} ·{" "}
        {session.streams.length === 1 ? "1 camera" : `${session.streams.length} cameras`}
        {session.video ? "" : " · pose only"}
      </span>
      {session.tags.map((tag) => (
        <span key={tag} className="chip">
          {tag}
        </span>
      ))}
      <div className="tile-actions">
        {canAsk && (
          <button
            type="button"
            className="btn"
            data-testid="replay-ask"
            aria-expanded={askOpen}
            onClick={onAsk}
          >
            Ask
          </button>
        )}
      </div>
    </header>
  );
}
