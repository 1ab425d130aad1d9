/**
 * Client for the agent service's "Ask" API: POST a question, then get the result by
 * Socket.IO push (`/agent` namespace at path `/agent/socket.io`), or by polling
 * `GET /agent/result/{id}` every second while that socket is not connected.
 */

export type AgentStatus = "queued" | "running" | "complete" | "failed" | "timeout";

export interface AgentResult {
  request_id: string;
  status: AgentStatus;
  answer?: string;
  tool_calls: Array<{ name: string; args: unknown; ok: boolean }>;
  relevant_timestamps: Array<{ stream_id: string; ts: number; label: string }>;
  error?: { code: string; message: string };
}

/** A question about a recorded session: its id and the replay's time (session seconds). */
export interface AskContext {
  session_id?: string;
  ts?: number;
}

export class AgentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const FINAL: ReadonlySet<AgentStatus> = new Set(["complete", "failed", "timeout"]);

/** What the agent push socket offers (socket.io-client's `Socket`, or a fake in tests). */
export interface PushSocket {
  readonly connected: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class AgentClient {
  constructor(
    private readonly baseUrl: string,
    /** The API token; null: the session cookie. */
    private readonly token: string | null,
    private readonly push: PushSocket | null,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
    private readonly pollMs = 1000,
  ) {}

  private auth(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/$/, "")}${path}`;
  }

  /** `context`: the recorded session (and the replay's time in it) the question is about. */
  async invoke(question: string, streamIds: string[], context?: AskContext): Promise<string> {
    const body: { question: string; stream_ids?: string[]; context?: AskContext } = { question };
    if (streamIds.length) body.stream_ids = streamIds;
    if (context) body.context = context;
    const response = await this.fetcher(this.url("/agent/invoke"), {
      method: "POST",
      headers: { ...this.auth(), "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: this.token ? "omit" : "include",
    });
    const data = await readJson(response);
    if (!response.ok) throw errorFrom(response, data);
    const id = (data as { request_id?: unknown })?.request_id;
    if (typeof id !== "string")
      throw new AgentError("BAD_RESPONSE", "the agent answered without a request id", response.status);
    return id;
  }

  /** Whether a language model is configured (`GET /agent/health`, public). */
  async configured(): Promise<boolean> {
    const response = await this.fetcher(this.url("/agent/health"), { credentials: "omit" });
    const data = (await readJson(response)) as { configured?: unknown } | null;
    if (!response.ok && response.status !== 503) throw errorFrom(response, data);
    return data?.configured !== false;
  }

  async fetchResult(requestId: string): Promise<AgentResult> {
    const response = await this.fetcher(this.url(`/agent/result/${encodeURIComponent(requestId)}`), {
      headers: this.auth(),
      credentials: this.token ? "omit" : "include",
    });
    const data = await readJson(response);
    if (!response.ok) throw errorFrom(response, data);
    return data as AgentResult;
  }

  /**
   * Resolve with the final result of `requestId`; `onUpdate` sees intermediate states.
   * Pushed results win; polling runs only while the push socket is down, and every
   * (re)connect of the socket fetches once, since a result pushed while it was
   * connecting reached nobody.
   */
  waitFor(requestId: string, onUpdate: (r: AgentResult) => void, signal?: AbortSignal): Promise<AgentResult> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let done = false;
      const finish = (result?: AgentResult, error?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.push?.off("agent_result", onPush);
        this.push?.off("connect", onConnect);
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(result!);
      };
      const seen = (result: AgentResult) => {
        if (done || result.request_id !== requestId) return;
        onUpdate(result);
        if (FINAL.has(result.status)) finish(result);
      };
      const onPush = (result: AgentResult) => seen(result);
      const onAbort = () => finish(undefined, new AgentError("ABORTED", "cancelled"));
      const check = async () => {
        if (done) return;
        try {
          seen(await this.fetchResult(requestId));
        } catch (err) {
          // A missing result (404) is final; a network blip is retried on the next tick.
          if (
            err instanceof AgentError &&
            err.status !== undefined &&
            err.status < 500 &&
            err.status !== 429
          ) {
            finish(undefined, err);
          }
        }
      };
      const onConnect = () => void check();
      const poll = async () => {
        if (done) return;
        if (!this.push?.connected) await check();
        if (!done) timer = setTimeout(poll, this.pollMs);
      };
      this.push?.on("agent_result", onPush);
      this.push?.on("connect", onConnect);
      signal?.addEventListener("abort", onAbort);
      void poll();
    });
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function errorFrom(response: Response, data: unknown): AgentError {
  const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
  if (error?.message) return new AgentError(error.code ?? "ERROR", error.message, response.status);
  if (response.status === 404 || response.status === 405) {
    return new AgentError(
      "AGENT_UNREACHABLE",
      `the agent service is not reachable here (HTTP ${response.status})`,
      response.status,
    );
  }
  return new AgentError("HTTP_ERROR", `the agent service answered HTTP ${response.status}`, response.status);
}
