import { useState, type FormEvent } from "react";
import { describeError } from "../lib/account";
import { formatBytes } from "../lib/presets";
import type { SessionInfo, SessionsClient } from "../lib/sessionsApi";
import { parseEmails } from "../lib/watch";
import { ExportMenu } from "./ExportMenu";
import { camerasOf, formatDuration, statusText, tagsFrom } from "./listing";
import { Thumbnail } from "./Thumbnail";

type Editing = "none" | "name" | "tags" | "share" | "delete";

/** One session in the library: thumbnail, what it is, and (for its owner) rename, tag, share, export, delete. */
export function SessionCard({
  client,
  session,
  editable,
  exportable,
  onChanged,
  onDeleted,
  onTag,
}: {
  client: SessionsClient;
  session: SessionInfo;
  /** Its owner (or an admin): rename, tag, share, delete. Otherwise shared with me: read-only. */
  editable: boolean;
  exportable: boolean;
  onChanged: (session: SessionInfo) => void;
  onDeleted: () => void;
  /** Filter the library by this tag. */
  onTag: (tag: string) => void;
}) {
  const [editing, setEditing] = useState<Editing>("none");
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const started = new Date(session.started_at);

  const begin = (what: Editing) => {
    setError("");
    setMessage("");
    setEditing(what);
    setText(what === "name" ? session.name : what === "tags" ? session.tags.join(", ") : "");
  };
  const act = (work: () => Promise<void>) => {
    setBusy(true);
    setError("");
    work()
      .then(() => setEditing("none"))
      .catch((e: unknown) => setError(describeError(e)))
      .finally(() => setBusy(false));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (editing === "name")
      act(async () => onChanged(await client.update(session.id, { name: text.trim() || session.name })));
    if (editing === "tags")
      act(async () => onChanged(await client.update(session.id, { tags: tagsFrom(text) })));
    if (editing === "share")
      act(async () => {
        const r = await client.share(session.id, parseEmails(text));
        setMessage(
          r.shared_with.length ? `Shared with ${r.shared_with.join(", ")}` : "Not shared with anyone",
        );
      });
  };

  return (
    <li
      className="session-card"
      data-testid="library-item"
      data-session-id={session.id}
      data-status={session.status}
    >
      <a className="session-thumb" href={`#/sessions/${session.id}`} aria-label={`Open ${session.name}`}>
        <Thumbnail client={client} session={session} />
      </a>
      <div className="session-body">
        <h3 className="session-name">
          <a href={`#/sessions/${session.id}`} data-testid="library-name">
            {session.name}
          </a>
        </h3>
        <p className="session-meta">
          <time dateTime={session.started_at}>{started.toLocaleString()}</time> ·{" "}
          <span data-testid="library-duration">{formatDuration(session.duration_s)}</span> ·{" "}
          {camerasOf(session)} · {session.video ? "pose + video" : "pose only"} · {formatBytes(session.bytes)}
        </p>
        <p className="session-status">
          <span
            className={`pill pill-session-${session.status}`}
            data-testid="library-status"
            title={statusText(session)}
          >
            {session.status}
          </span>
          {!editable && (
            <span className="pill" data-testid="library-shared">
              shared with you
            </span>
          )}
          {session.tags.map((tag) => (
            <button
              key={tag}
              type="button"
              className="tag"
              data-testid="library-tag"
              onClick={() => onTag(tag)}
              title={`Show sessions tagged ${tag}`}
            >
              #{tag}
            </button>
          ))}
        </p>
        {session.status === "interrupted" && session.note && (
          <p className="muted session-note">{session.note}</p>
        )}
        <div className="session-actions">
          {editable && (
            <>
              <button
                type="button"
                className="btn"
                data-testid="library-rename"
                onClick={() => begin("name")}
              >
                Rename
              </button>
              <button
                type="button"
                className="btn"
                data-testid="library-edit-tags"
                onClick={() => begin("tags")}
              >
                Tags
              </button>
              <button
                type="button"
                className="btn"
                data-testid="library-share"
                onClick={() => begin("share")}
              >
                Share…
              </button>
            </>
          )}
          {exportable && editable && (
            <ExportMenu sessionId={session.id} streams={session.streams} client={client} />
          )}
          {editable && (
            <button
              type="button"
              className="btn btn-danger"
              data-testid="library-delete"
              onClick={() => begin("delete")}
            >
              Delete
            </button>
          )}
        </div>
        {(editing === "name" || editing === "tags" || editing === "share") && (
          <form className="session-edit" onSubmit={submit}>
            <label>
              <span>
                {editing === "name"
                  ? "New name"
                  : editing === "tags"
                    ? "Tags (comma-separated)"
                    : "Share with (emails, comma-separated; empty: nobody)"}
              </span>
              <input
                data-testid="library-edit-input"
                value={text}
                autoFocus
                maxLength={editing === "name" ? 200 : undefined}
                onChange={(e) => setText(e.target.value)}
              />
            </label>
            <button type="submit" className="btn btn-primary" data-testid="library-edit-save" disabled={busy}>
              Save
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setEditing("none")}>
              Cancel
            </button>
          </form>
        )}
        {editing === "delete" && (
          <div className="session-confirm" role="alertdialog" aria-label="Delete this session?">
            <p>Delete “{session.name}” and everything it recorded? This cannot be undone.</p>
            <button
              type="button"
              className="btn btn-danger"
              data-testid="library-delete-confirm"
              disabled={busy}
              onClick={() =>
                act(async () => {
                  await client.remove(session.id);
                  onDeleted();
                })
              }
            >
              Yes, delete
            </button>
            <button
              type="button"
              className="btn"
              data-testid="library-delete-cancel"
              onClick={() => setEditing("none")}
            >
              Keep it
            </button>
          </div>
        )}
        {error && (
          <p className="tile-error" role="alert" data-testid="library-error">
            {error}
          </p>
        )}
        {message && (
          <p className="muted" role="status" data-testid="library-message">
            {message}
          </p>
        )}
      </div>
    </li>
  );
}
