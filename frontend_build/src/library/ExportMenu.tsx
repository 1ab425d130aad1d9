import { useEffect, useRef, useState } from "react";
import { describeError } from "../lib/account";
import { formatBytes } from "../lib/presets";
import type { DownloadProgress, ExportFormat, SessionStreamInfo, SessionsClient } from "../lib/sessionsApi";

const FORMATS: ReadonlyArray<{ id: ExportFormat; label: string; hint: string }> = [
  { id: "jsonl", label: "JSONL", hint: "the pose messages as recorded, one per line" },
  { id: "csv", label: "CSV", hint: "one row per frame and person: every landmark's x, y, z, visibility" },
  { id: "parquet", label: "Parquet", hint: "the CSV's table, for pandas / polars" },
  { id: "bvh", label: "BVH", hint: "motion capture for Blender and other 3D tools (one camera)" },
];

/** Hand a finished download to the browser as a file. */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function progressText(p: DownloadProgress): string {
  return p.total
    ? `${Math.round((100 * p.received) / p.total)} % of ${formatBytes(p.total)}`
    : formatBytes(p.received);
}

/**
 * Export a session as JSONL, CSV, Parquet or BVH: the streamed `GET export.*` routes, read
 * here with their progress (of `Content-Length`, or the bytes so far), then saved as a file.
 */
export function ExportMenu({
  sessionId,
  streams,
  client,
}: {
  sessionId: string;
  streams: SessionStreamInfo[];
  client: SessionsClient;
}) {
  const [open, setOpen] = useState(false);
  const [stream, setStream] = useState("");
  const [running, setRunning] = useState<{ format: ExportFormat; progress: DownloadProgress } | null>(null);
  const [message, setMessage] = useState("");
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const run = (format: ExportFormat) => {
    const controller = new AbortController();
    abort.current = controller;
    setMessage("");
    setRunning({ format, progress: { received: 0, total: null } });
    const only = stream || (format === "bvh" ? streams[0]?.key : undefined);
    client
      .download(sessionId, format, (progress) => setRunning({ format, progress }), {
        stream: only,
        signal: controller.signal,
      })
      .then(
        (done) => {
          save(done.blob, done.filename);
          const note = done.sessionStatus === "interrupted" ? " (an interrupted session: what was kept)" : "";
          setMessage(`Saved ${done.filename}, ${formatBytes(done.blob.size)}${note}`);
        },
        (e: unknown) => setMessage(controller.signal.aborted ? "Export cancelled" : describeError(e)),
      )
      .finally(() => setRunning(null));
  };

  return (
    <div className="export" data-testid="export-menu">
      <button
        type="button"
        className="btn"
        data-testid="export-toggle"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        Export…
      </button>
      {open && (
        <div className="export-panel">
          {streams.length > 1 && (
            <label>
              <span>Camera</span>
              <select data-testid="export-stream" value={stream} onChange={(e) => setStream(e.target.value)}>
                <option value="">All (BVH: the first)</option>
                {streams.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <div className="export-formats">
            {FORMATS.map((f) => (
              <button
                key={f.id}
                type="button"
                className="btn"
                data-testid={`export-${f.id}`}
                title={f.hint}
                disabled={running !== null}
                onClick={() => run(f.id)}
              >
                {f.label}
              </button>
            ))}
          </div>
          {running && (
            <div className="export-progress" data-testid="export-progress" aria-live="polite">
              <progress
                max={running.progress.total ?? undefined}
                value={running.progress.total ? running.progress.received : undefined}
                aria-label={`Exporting ${running.format.toUpperCase()}`}
              />
              <span>
                {running.format.toUpperCase()}: {progressText(running.progress)}
              </span>
              <button type="button" className="btn btn-ghost" onClick={() => abort.current?.abort()}>
                Cancel
              </button>
            </div>
          )}
          {message && (
            <p className="export-message" data-testid="export-message" role="status">
              {message}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
