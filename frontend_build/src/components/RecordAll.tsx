import { useDismiss } from "./useDismiss";
import { useRef, useState, type FormEvent } from "react";
import type { Recorder } from "../lib/recording";
import { describeRecordingError, formatElapsed } from "../lib/recordingText";
import { NEW_CHOICE, RecordChoiceFields } from "./RecordControl";

/** The top bar's "Record all": one session over every running stream of this page; or Stop all. */
export function RecordAll({ recorder, streams }: { recorder: Recorder; streams: string[] }) {
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState(NEW_CHOICE);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const active = recorder.recordings();
  const refusal = recorder.refusal("*");
  useDismiss(open, box, () => setOpen(false));

  if (active.length > 0) {
    const longest = Math.max(...active.map((r) => r.elapsedS));
    return (
      <button
        type="button"
        className="btn btn-rec"
        data-testid="record-all-stop"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void recorder.stopAll().finally(() => setBusy(false));
        }}
      >
        ■ Stop all ({formatElapsed(longest)})
      </button>
    );
  }
  const start = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    recorder
      .start(streams, choice)
      .then(() => setOpen(false))
      .catch(() => undefined)
      .finally(() => setBusy(false));
  };
  return (
    <div className="record-all" ref={box}>
      <button
        type="button"
        className="btn btn-rec"
        data-testid="record-all"
        aria-expanded={open}
        disabled={streams.length === 0}
        title={streams.length === 0 ? "No stream is running" : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        ● Record all
      </button>
      {open && (
        <form className="record-all-form" onSubmit={start}>
          <p className="muted">
            One session over {streams.length} stream{streams.length === 1 ? "" : "s"}.
          </p>
          <RecordChoiceFields
            choice={choice}
            set={(c) => setChoice((x) => ({ ...x, ...c }))}
            idPrefix="rec-all"
          />
          <button type="submit" className="btn btn-primary" data-testid="record-all-submit" disabled={busy}>
            Start recording
          </button>
          {refusal && (
            <p className="tile-error" role="alert" data-testid="record-all-error">
              {describeRecordingError(refusal)}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
