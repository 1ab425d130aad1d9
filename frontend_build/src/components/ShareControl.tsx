import { useState, type FormEvent } from "react";
import { describeError } from "../lib/account";
import { parseEmails } from "../lib/watch";

/** "Share…": emails (comma-separated) who may watch this live stream. */
export function ShareControl({
  serverId,
  onShare,
}: {
  /** The stream's server-wide id; null until it runs. */
  serverId: string | null;
  onShare: (id: string, emails: string[]) => Promise<{ shared_with: string[] }>;
}) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [message, setMessage] = useState("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!serverId) return;
    onShare(serverId, parseEmails(text)).then(
      (r) => setMessage(r.shared_with.length ? `Shared with ${r.shared_with.join(", ")}` : "Not shared"),
      (err: unknown) => setMessage(describeError(err)),
    );
  };

  return (
    <div className="share">
      <button
        type="button"
        className="btn"
        data-testid="share-toggle"
        aria-expanded={open}
        disabled={!serverId}
        onClick={() => setOpen((o) => !o)}
      >
        Share…
      </button>
      {open && (
        <form className="share-form" onSubmit={submit}>
          <label>
            <span>Emails (comma-separated)</span>
            <input
              type="text"
              data-testid="share-emails"
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="viewer@example.com, …"
            />
          </label>
          <button type="submit" className="btn btn-primary" data-testid="share-submit">
            Share
          </button>
          {message && (
            <p className="share-message" data-testid="share-message" aria-live="polite">
              {message}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
