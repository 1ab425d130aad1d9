import { useState, type FormEvent } from "react";
import { useAction } from "../components/useLoad";
import type { Annotation, NewAnnotation } from "./api";
import { formatTime, type Span } from "./timeline";

/**
 * The session's annotations: add a label at the playhead or over the clip range, edit,
 * delete; clicking one seeks there. `readOnly`: a viewer's (listed, not changed).
 */
export function Annotations({
  annotations,
  t,
  range,
  readOnly,
  onSeek,
  onAdd,
  onEdit,
  onDelete,
}: {
  annotations: readonly Annotation[];
  t: number;
  range: Span | null;
  readOnly: boolean;
  onSeek: (t: number) => void;
  onAdd: (a: NewAnnotation) => Promise<unknown>;
  onEdit: (id: number, changes: Partial<NewAnnotation>) => Promise<unknown>;
  onDelete: (id: number) => Promise<unknown>;
}) {
  const [label, setLabel] = useState("");
  const [note, setNote] = useState("");
  const [overRange, setOverRange] = useState(false);
  const [editing, setEditing] = useState<{ id: number; label: string; note: string } | null>(null);
  const { busy, error, run: act } = useAction();

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const text = label.trim();
    if (!text) return;
    const span = overRange && range ? { ts: range.from, end_ts: range.to } : { ts: t };
    if (await act(() => onAdd({ ...span, label: text, note: note.trim() || null }))) {
      setLabel("");
      setNote("");
    }
  };

  return (
    <section className="panel annotations" aria-label="Annotations" data-testid="annotations">
      <h3>Annotations</h3>
      {!readOnly && (
        <form className="annotation-form" onSubmit={add}>
          <input
            data-testid="annotation-label"
            aria-label="Label"
            placeholder={`Label at ${formatTime(overRange && range ? range.from : t)}`}
            maxLength={200}
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          />
          <input
            data-testid="annotation-note"
            aria-label="Note (optional)"
            placeholder="Note (optional)"
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <label className="check" title={range ? undefined : "Set a range with [ and ] first"}>
            <input
              type="checkbox"
              data-testid="annotation-over-range"
              checked={overRange && range !== null}
              disabled={!range}
              onChange={(e) => setOverRange(e.target.checked)}
            />
            over the range
          </label>
          <button
            type="submit"
            className="btn btn-primary btn-small"
            data-testid="annotation-add"
            disabled={busy || !label.trim()}
          >
            Add
          </button>
        </form>
      )}
      {error && (
        <p className="tile-error" role="alert" data-testid="annotation-error">
          {error}
        </p>
      )}
      {annotations.length === 0 ? (
        <p className="muted">No annotations yet.</p>
      ) : (
        <ul className="annotation-list">
          {annotations.map((a) => (
            <li key={a.id} data-testid="annotation" data-id={a.id}>
              {editing?.id === a.id ? (
                <form
                  className="annotation-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const changes = { label: editing.label.trim(), note: editing.note.trim() || null };
                    if (!changes.label) return;
                    void act(() => onEdit(a.id, changes)).then((ok) => ok && setEditing(null));
                  }}
                >
                  <input
                    aria-label="Label"
                    data-testid="annotation-edit-label"
                    value={editing.label}
                    onChange={(e) => setEditing({ ...editing, label: e.target.value })}
                  />
                  <input
                    aria-label="Note"
                    value={editing.note}
                    onChange={(e) => setEditing({ ...editing, note: e.target.value })}
                  />
                  <button type="submit" className="btn btn-small btn-primary" data-testid="annotation-save">
                    Save
                  </button>
                  <button type="button" className="btn btn-small btn-ghost" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <>
                  <button type="button" className="chip" onClick={() => onSeek(a.ts)} title="Seek here">
                    {formatTime(a.ts)}
                    {a.end_ts != null && `–${formatTime(a.end_ts)}`}
                  </button>{" "}
                  <strong data-testid="annotation-text">{a.label}</strong>
                  {a.note && <span className="muted"> · {a.note}</span>}
                  {!readOnly && (
                    <span className="annotation-actions">
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        data-testid="annotation-edit"
                        onClick={() => setEditing({ id: a.id, label: a.label, note: a.note ?? "" })}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        data-testid="annotation-delete"
                        onClick={() => {
                          if (confirm(`Delete the annotation "${a.label}"?`)) void act(() => onDelete(a.id));
                        }}
                      >
                        Delete
                      </button>
                    </span>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
