import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { AgentError, type AgentClient, type AgentResult, type AskContext } from "../lib/agent";
import { relativeTime, renderAnswer } from "./markdown";

const SUGGESTIONS = ["How is my left knee moving?", "Am I in frame?"];

type Phase =
  | { kind: "idle" }
  | { kind: "thinking"; status: string }
  | { kind: "done"; result: AgentResult }
  | { kind: "error"; message: string };

/**
 * The "Ask" panel: a question about the live streams, answered by the agent service. With
 * `context` (a replay's session), the question is about that recording: the answer's
 * moments are session seconds, written by `momentLabel`, and each chip seeks the replay.
 */
export function AskPanel({
  client,
  streamIds,
  streamLabel,
  onHighlight,
  onClose,
  context,
  momentLabel,
  suggestions = SUGGESTIONS,
  children,
}: {
  client: AgentClient;
  streamIds: string[];
  streamLabel: (id: string) => string;
  onHighlight: (streamId: string, ts: number) => void;
  onClose: () => void;
  context?: AskContext;
  momentLabel?: (ts: number) => string;
  suggestions?: readonly string[];
  /** Shown below the answers: what needs no model (the studio's pose statistics). */
  children?: ReactNode;
}) {
  const [question, setQuestion] = useState("");
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [picked, setPicked] = useState<number | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const abortRef = useRef<AbortController | null>(null);

  // Checked when the panel opens: without a model, say so before anyone types a question.
  const [notSetUp, setNotSetUp] = useState(false);
  useEffect(() => {
    let live = true;
    client.configured().then(
      (ok) => live && setNotSetUp(!ok),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client]);

  useEffect(() => {
    inputRef.current?.focus();
    return () => abortRef.current?.abort();
  }, []);

  const ask = async (text: string) => {
    const q = text.trim();
    if (!q) return;
    abortRef.current?.abort();
    const abort = new AbortController();
    abortRef.current = abort;
    setPicked(null);
    setPhase({ kind: "thinking", status: "sending" });
    try {
      const id = await client.invoke(q, streamIds, context);
      setPhase({ kind: "thinking", status: "queued" });
      const result = await client.waitFor(
        id,
        (r) => !abort.signal.aborted && setPhase({ kind: "thinking", status: r.status }),
        abort.signal,
      );
      if (abort.signal.aborted) return;
      if (result.status === "complete") setPhase({ kind: "done", result });
      else
        setPhase({ kind: "error", message: result.error?.message ?? `the agent stopped: ${result.status}` });
    } catch (err) {
      if (abort.signal.aborted) return;
      const message =
        err instanceof AgentError ? err.message : `could not reach the agent: ${(err as Error).message}`;
      setPhase({ kind: "error", message });
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void ask(question);
  };

  const thinking = phase.kind === "thinking";
  return (
    <aside
      className="ask"
      data-testid="ask-panel"
      aria-label="Ask about your pose"
      onKeyDown={(e) => e.key === "Escape" && onClose()}
    >
      <header className="ask-head">
        <h2>Ask</h2>
        <button type="button" className="btn btn-ghost" onClick={onClose} aria-label="Close the Ask panel">
          Close
        </button>
      </header>
      {notSetUp && (
        <div className="card ask-setup" role="status" data-testid="ask-not-set-up">
          <h3>The agent is not set up</h3>
          <p>
            Answers need a language model. Set <code>POSE_STUDIO_AGENT_MODEL</code> (and{" "}
            <code>POSE_STUDIO_AGENT_BASE_URL</code> for a local server such as vLLM or Ollama) and restart the
            studio: see <code>docs/agent.md</code>. Each stream&apos;s statistics (range of motion, time in
            view) need no model: they are below, and at <code>GET /api/streams/&#123;id&#125;/stats</code>.
          </p>
        </div>
      )}
      <form onSubmit={submit} className="ask-form">
        <label htmlFor="ask-input" className="sr-only">
          Your question
        </label>
        <textarea
          id="ask-input"
          ref={inputRef}
          data-testid="ask-input"
          rows={3}
          maxLength={2000}
          placeholder={context ? "Ask about this session…" : "Ask about the live streams…"}
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              void ask(question);
            }
          }}
        />
        <div className="ask-row">
          <div className="suggestions">
            {suggestions.map((s) => (
              <button
                key={s}
                type="button"
                className="chip"
                onClick={() => {
                  setQuestion(s);
                  void ask(s);
                }}
              >
                {s}
              </button>
            ))}
          </div>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="ask-submit"
            disabled={thinking || !question.trim()}
          >
            Ask
          </button>
        </div>
      </form>
      {streamIds.length === 0 && !context && (
        <p className="muted">No stream is running: the agent can only use what it has recorded.</p>
      )}

      <div className="ask-body" aria-live="polite">
        {thinking && (
          <p className="thinking" data-testid="ask-thinking">
            <span className="dots" aria-hidden="true" /> Thinking ({phase.status})…
          </p>
        )}
        {phase.kind === "error" && (
          <p className="tile-error" role="alert" data-testid="ask-error">
            {phase.message}
          </p>
        )}
        {phase.kind === "done" && (
          <>
            <div className="answer" data-testid="ask-answer">
              {renderAnswer(phase.result.answer ?? "")}
            </div>
            {phase.result.relevant_timestamps.length > 0 && (
              <div className="moments">
                <h3>Moments</h3>
                <ul>
                  {phase.result.relevant_timestamps.map((t, i) => (
                    <li key={i}>
                      <button
                        type="button"
                        className={picked === i ? "chip chip-on" : "chip"}
                        data-testid="ask-moment"
                        onClick={() => {
                          setPicked(i);
                          onHighlight(t.stream_id, t.ts);
                        }}
                      >
                        {momentLabel ? momentLabel(t.ts) : new Date(t.ts).toLocaleTimeString()} · {t.label}
                      </button>
                      {picked === i && !momentLabel && (
                        <span className="muted">
                          {" "}
                          {relativeTime(t.ts, Date.now())} on {streamLabel(t.stream_id)}
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <div className="tools" data-testid="ask-tools">
              <h3>Tools used</h3>
              {phase.result.tool_calls.length === 0 ? (
                <p className="muted">none</p>
              ) : (
                <ul>
                  {phase.result.tool_calls.map((c, i) => (
                    <li key={i}>
                      <code>{c.name}</code>{" "}
                      <span className={c.ok ? "ok" : "bad"}>{c.ok ? "ok" : "failed"}</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </>
        )}
      </div>
      {children}
    </aside>
  );
}
