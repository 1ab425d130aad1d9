import { memo, useEffect, useState } from "react";
import { openSocket } from "../lib/sockets";
import type { ClipStatus, SessionStream } from "./api";
import type { ClipFlow, ClipState } from "./clipFlow";
import { formatTime, type Span } from "./timeline";

/**
 * A clip of the range set with `[` and `]`: which camera, overlay on or off, a progress
 * bar while it renders, then the clip inline, a download, and a share link to copy or revoke.
 */
/** Memoised: the replay re-renders each display frame, this needs its props only. */
export const ClipPanel = memo(function ClipPanel({
  flow,
  sessionId,
  streams,
  range,
  readOnly,
  backendUrl,
  token,
}: {
  flow: ClipFlow;
  /** Where `/pose` is: while a clip renders, its `clip` events carry the progress too. */
  backendUrl: string;
  token: string | null;
  sessionId: string;
  streams: readonly SessionStream[];
  range: Span | null;
  readOnly: boolean;
}) {
  const [state, setState] = useState<ClipState>(flow.state);
  const [stream, setStream] = useState(streams[0]?.key ?? "");
  const [overlay, setOverlay] = useState(true);
  const [copied, setCopied] = useState(false);
  useEffect(() => flow.subscribe(setState), [flow]);
  const rendering = state.phase === "rendering";
  useEffect(() => {
    if (!rendering) return;
    const socket = openSocket("pose", backendUrl, token);
    socket.on("clip", (event: { id: string; status: ClipStatus; progress: number }) => flow.receive(event));
    return () => void socket.close();
  }, [rendering, backendUrl, token, flow]);

  const busy = state.phase === "creating" || state.phase === "rendering";
  const make = () => {
    if (!range || !stream) return;
    setCopied(false);
    void flow.start({ session_id: sessionId, stream, from: range.from, to: range.to, overlay });
  };
  const share = async () => {
    const url = await flow.share();
    if (url) {
      try {
        await navigator.clipboard.writeText(url);
        setCopied(true);
      } catch {
        setCopied(false);
      }
    }
  };

  return (
    <section className="panel clip" aria-label="Clip" data-testid="clip-panel" data-phase={state.phase}>
      <h3>Clip</h3>
      {readOnly ? (
        <p className="muted">Your role cannot make clips.</p>
      ) : (
        <div className="clip-form">
          <p className="muted" data-testid="clip-range">
            {range
              ? `From ${formatTime(range.from)} to ${formatTime(range.to)} (${(range.to - range.from).toFixed(1)} s)`
              : "Set a range first: [ at its start, ] at its end (or shift-drag on the timeline)."}
          </p>
          {streams.length > 1 && (
            <label>
              Camera{" "}
              <select value={stream} onChange={(e) => setStream(e.target.value)} data-testid="clip-stream">
                {streams.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label className="check">
            <input
              type="checkbox"
              checked={overlay}
              data-testid="clip-overlay"
              onChange={(e) => setOverlay(e.target.checked)}
            />
            skeleton overlay
          </label>
          <button
            type="button"
            className="btn btn-primary btn-small"
            data-testid="clip-make"
            disabled={!range || busy}
            onClick={make}
          >
            Make clip
          </button>
        </div>
      )}
      {busy && (
        <progress
          className="clip-progress"
          data-testid="clip-progress"
          max={1}
          value={state.progress}
          aria-label={`Rendering the clip: ${Math.round(state.progress * 100)}%`}
        />
      )}
      {state.error && (
        <p className="tile-error" role="alert" data-testid="clip-error">
          {state.error}
        </p>
      )}
      {state.phase === "complete" && state.videoUrl && (
        <div className="clip-done">
          <video src={state.videoUrl} controls playsInline data-testid="clip-video" />
          <div className="clip-actions">
            <a className="btn btn-small" href={state.videoUrl} download={`${sessionId}-clip.mp4`}>
              Download
            </a>
            {state.shareUrl ? (
              <>
                <input readOnly value={state.shareUrl} aria-label="Share link" data-testid="clip-share-url" />
                <button type="button" className="btn btn-small" onClick={() => void share()}>
                  {copied ? "Copied" : "Copy link"}
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-ghost"
                  data-testid="clip-revoke"
                  onClick={() => void flow.revoke()}
                >
                  Revoke link
                </button>
              </>
            ) : (
              <button
                type="button"
                className="btn btn-small"
                data-testid="clip-share"
                onClick={() => void share()}
              >
                Copy share link
              </button>
            )}
          </div>
        </div>
      )}
    </section>
  );
});
