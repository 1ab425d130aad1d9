import { memo, useState } from "react";
import { AccountError } from "../lib/account";
import type { Behaviour } from "../lib/generated/protocol";
import type { SessionsClient, SessionStream } from "./api";
import type { Span } from "./timeline";

/** A robot behaviour from the range set with `[` and `]`: the person's leaning, turning
 * and gestures in it, as the "Drive with my pose" mode would have driven a robot. */
/** Memoised: the replay re-renders each display frame, this needs its props only. */
export const BehaviourPanel = memo(function BehaviourPanel({
  client,
  sessionId,
  streams,
  range,
}: {
  client: SessionsClient;
  sessionId: string;
  streams: readonly SessionStream[];
  range: Span | null;
}) {
  const [name, setName] = useState("");
  const [model, setModel] = useState<"go2" | "g1">("go2");
  const [saved, setSaved] = useState<Behaviour | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [stream, setStream] = useState(streams[0]?.key ?? "");

  const make = async () => {
    if (!range || !stream || !name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const body = {
        session_id: sessionId,
        stream,
        from: range.from,
        to: range.to,
        name: name.trim(),
        models: [model],
      };
      setSaved(await client.behaviourFromSession(body));
    } catch (e) {
      setError(e instanceof AccountError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-label="Robot behaviour" data-testid="behaviour-panel">
      <h3>Robot behaviour</h3>
      <div className="clip-form">
        <label>
          Name{" "}
          <input
            value={name}
            maxLength={64}
            data-testid="behaviour-name"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        {streams.length > 1 && (
          <label>
            Camera{" "}
            <select value={stream} onChange={(e) => setStream(e.target.value)}>
              {streams.map((s) => (
                <option key={s.key} value={s.key}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Robot{" "}
          <select value={model} onChange={(e) => setModel(e.target.value as "go2" | "g1")}>
            <option value="go2">Go2</option>
            <option value="g1">G1</option>
          </select>
        </label>
        <button
          type="button"
          className="btn btn-small"
          data-testid="behaviour-make"
          disabled={!range || !name.trim() || busy}
          onClick={() => void make()}
        >
          Make behaviour
        </button>
      </div>
      {saved && (
        <p className="muted" role="status" data-testid="behaviour-saved">
          Saved {saved.name} v{saved.version}: {saved.steps.length} steps, {saved.steps.at(-1)?.t.toFixed(1)}{" "}
          s (Robots page: run it).
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
});
