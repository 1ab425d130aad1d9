import { useEffect, useReducer, useState, type FormEvent } from "react";
import { describeError } from "../lib/account";
import { formatBytes } from "../lib/presets";
import type { RecordChoice, Recorder, Recording } from "../lib/recording";
import { describeRecordingError, formatElapsed, parseTags } from "../lib/recordingText";

/** Re-render when the recorder changes (progress about once a second). */
export function useRecorder(recorder: Recorder): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => recorder.subscribe(bump), [recorder]);
}

/** Name, tags and pose-only / pose + video: what a recording starts with. */
export function RecordChoiceFields({
  choice,
  set,
  idPrefix,
}: {
  choice: RecordChoice & { tagText: string };
  set: (change: Partial<RecordChoice & { tagText: string }>) => void;
  idPrefix: string;
}) {
  return (
    <div className="record-fields">
      <label htmlFor={`${idPrefix}-name`}>
        <span>Session name</span>
        <input
          id={`${idPrefix}-name`}
          data-testid="record-name"
          value={choice.name}
          maxLength={200}
          placeholder="Session <start time>"
          onChange={(e) => set({ name: e.target.value })}
        />
      </label>
      <label htmlFor={`${idPrefix}-tags`}>
        <span>Tags (comma-separated)</span>
        <input
          id={`${idPrefix}-tags`}
          data-testid="record-tags"
          value={choice.tagText}
          placeholder="squat, coach"
          onChange={(e) => set({ tagText: e.target.value, tags: parseTags(e.target.value) })}
        />
      </label>
      <fieldset className="record-kind">
        <legend>Keep</legend>
        <label>
          <input
            type="radio"
            name={`${idPrefix}-kind`}
            data-testid="record-pose-only"
            checked={!choice.video}
            onChange={() => set({ video: false })}
          />
          Pose only
        </label>
        <label>
          <input
            type="radio"
            name={`${idPrefix}-kind`}
            data-testid="record-video"
            checked={choice.video}
            onChange={() => set({ video: true })}
          />
          Pose + video
        </label>
      </fieldset>
    </div>
  );
}

export const NEW_CHOICE = { name: "", tags: [] as string[], tagText: "", video: true };

/** One tile's Record button, its options, the recording indicator and its errors. */
export function RecordControl({
  recorder,
  streamId,
  running,
}: {
  recorder: Recorder;
  /** The tile's stream id (its `stream_id` on the connection). */
  streamId: string;
  /** The stream runs on the server (only then can it be recorded). */
  running: boolean;
}) {
  useRecorder(recorder);
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState(NEW_CHOICE);
  const [busy, setBusy] = useState(false);
  const recording = recorder.forStream(streamId);
  const active = recording !== null && recording.phase !== "ended";
  const refusal = recorder.refusal(streamId);
  const set = (change: Partial<typeof choice>) => setChoice((c) => ({ ...c, ...change }));

  const start = (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    recorder
      .start([streamId], choice)
      .then(() => setOpen(false))
      .catch(() => undefined)
      .finally(() => setBusy(false));
  };
  const stop = () => {
    if (!recording) return;
    setBusy(true);
    void recorder.stop(recording.sessionId).finally(() => setBusy(false));
  };

  return (
    <div className="record" data-testid="record-control" data-recording={active ? "yes" : "no"}>
      <div className="record-row">
        {active ? (
          <button
            type="button"
            className="btn btn-rec"
            data-testid="record-stop"
            disabled={busy}
            onClick={stop}
          >
            ■ Stop recording
          </button>
        ) : (
          <>
            <button
              type="button"
              className="btn btn-rec"
              data-testid="record-start"
              disabled={!running || busy}
              title={running ? undefined : "Start the stream to record it"}
              onClick={() => start()}
            >
              ● Record
            </button>
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="record-options"
              aria-expanded={open}
              onClick={() => setOpen((o) => !o)}
            >
              Options…
            </button>
          </>
        )}
        {recording && <RecordingBadge recording={recording} />}
      </div>
      {open && !active && (
        <form className="record-form" onSubmit={start}>
          <RecordChoiceFields choice={choice} set={set} idPrefix={`rec-${streamId}`} />
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="record-submit"
            disabled={!running || busy}
          >
            Start recording
          </button>
        </form>
      )}
      {active && recording && <EditRecording recorder={recorder} recording={recording} />}
      {refusal && !active && (
        <p className="tile-error" role="alert" data-testid="record-error">
          {describeRecordingError(refusal)}
        </p>
      )}
      {recording?.error && (
        <p className="tile-error" role="alert" data-testid="record-error">
          {describeRecordingError(recording.error)}
        </p>
      )}
    </div>
  );
}

/** "● REC 0:12 · 180 frames · 1.2 MB", or how the last recording ended, with a link to it. */
export function RecordingBadge({ recording }: { recording: Recording }) {
  const { phase } = recording;
  const figures = `${formatElapsed(recording.elapsedS)} · ${recording.frames} frames · ${formatBytes(recording.bytes)}`;
  if (phase === "ended") {
    return (
      <p className="rec-ended" data-testid="recording-ended" data-status={recording.status}>
        Saved <a href={`#/sessions/${recording.sessionId}`}>{recording.name}</a> ({figures}
        {recording.status === "interrupted" ? ", interrupted" : ""})
      </p>
    );
  }
  return (
    <p className="rec-badge" data-testid="recording-indicator" data-phase={phase} aria-live="polite">
      <span className="rec-dot" aria-hidden="true" />
      <span>{phase === "reconnecting" ? "REC (reconnecting…)" : "REC"}</span>{" "}
      <span data-testid="recording-elapsed">{formatElapsed(recording.elapsedS)}</span> ·{" "}
      <span data-testid="recording-frames">{recording.frames}</span> frames ·{" "}
      <span data-testid="recording-bytes">{formatBytes(recording.bytes)}</span>
    </p>
  );
}

/** Rename or retag the session while it records. */
function EditRecording({ recorder, recording }: { recorder: Recorder; recording: Recording }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(recording.name);
  const [tags, setTags] = useState(recording.tags.join(", "));
  const [message, setMessage] = useState("");
  const save = (e: FormEvent) => {
    e.preventDefault();
    recorder.edit(recording.sessionId, { name: name.trim() || recording.name, tags: parseTags(tags) }).then(
      () => {
        setMessage("Saved");
        setOpen(false);
      },
      (err: unknown) => setMessage(describeError(err)),
    );
  };
  if (!open) {
    return (
      <p className="rec-meta">
        <span data-testid="recording-name">{recording.name}</span>
        {recording.tags.length > 0 && <span className="muted"> · {recording.tags.join(", ")}</span>}{" "}
        <button
          type="button"
          className="btn btn-ghost"
          data-testid="recording-edit"
          onClick={() => setOpen(true)}
        >
          Edit
        </button>
        {message && <span className="muted"> {message}</span>}
      </p>
    );
  }
  return (
    <form className="record-form" onSubmit={save}>
      <label>
        <span>Session name</span>
        <input data-testid="recording-edit-name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        <span>Tags</span>
        <input data-testid="recording-edit-tags" value={tags} onChange={(e) => setTags(e.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary" data-testid="recording-edit-save">
        Save
      </button>
      {message && <p role="alert">{message}</p>}
    </form>
  );
}
