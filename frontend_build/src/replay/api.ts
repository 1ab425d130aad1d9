/**
 * The sessions API the replay reads (docs/sessions.md): a session, its poses as JSON
 * lines, its frames' JPEGs, annotations, events, analytics and clips. No React in here.
 * Credentials as `AccountClient`: a token as `Authorization: Bearer` and no cookie, or
 * the session cookie.
 */
import { AccountError } from "../lib/account";
import type {
  AnnotationPublic,
  Behaviour,
  BehaviourFromSession,
  JointRange,
  SessionAnalytics,
  SessionEvent,
  SessionPublic,
  SessionStreamPublic,
} from "../lib/generated/protocol";
import type { PoseMessage } from "../lib/types";

export type { JointRange, SessionAnalytics, SessionEvent };
export type Session = SessionPublic;
export type SessionStream = SessionStreamPublic;
export type Annotation = AnnotationPublic;

export interface NewAnnotation {
  ts: number;
  end_ts?: number | null;
  stream?: string | null;
  label: string;
  note?: string | null;
}

/** One line of `GET …/poses`. */
export interface RecordedFrame {
  ts: number;
  index: number;
  arrival_ts: number;
  pose: PoseMessage;
}

export type EventKind = SessionEvent["kind"];

export type ClipStatus = "queued" | "processing" | "complete" | "failed";

export interface Clip {
  id: string;
  status: ClipStatus;
  progress: number;
  url?: string | null;
  error?: { code: string; message: string } | null;
}

export interface NewClip {
  session_id: string;
  stream: string;
  from: number;
  to: number;
  overlay: boolean;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class SessionsClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string | null,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  url(path: string): string {
    return `${this.baseUrl.replace(/\/$/, "")}${path}`;
  }

  /** A fetch with this client's credentials; errors in the one `{error}` shape become `AccountError`s. */
  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await this.fetcher(this.url(path), {
        ...init,
        headers,
        credentials: this.token ? "omit" : "include",
      });
    } catch (e) {
      if ((e as Error).name === "AbortError") throw e;
      throw new AccountError("DISCONNECTED", `the server cannot be reached (${String(e)})`, 0);
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.raw(path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  private base(id: string): string {
    return `/api/sessions/${encodeURIComponent(id)}`;
  }

  session(id: string): Promise<Session> {
    return this.json("GET", this.base(id));
  }

  /** A stream's recorded frames in [from, to], read line by line as they stream in; with
   * `skeleton`, poses recorded without one get the server's solve of the whole take. */
  async poses(
    id: string,
    key: string,
    span: { from: number; to: number },
    signal?: AbortSignal,
    skeleton = false,
  ): Promise<RecordedFrame[]> {
    const query = new URLSearchParams({ from: String(span.from), to: String(span.to) });
    if (skeleton) query.set("skeleton", "true");
    const response = await this.raw(`${this.base(id)}/streams/${encodeURIComponent(key)}/poses?${query}`, {
      signal,
    });
    return parseLines(await response.text());
  }

  /** The JPEG of frame `index` (immutable: the browser's cache keeps it). */
  async frame(id: string, key: string, index: number, signal?: AbortSignal): Promise<Blob> {
    const response = await this.raw(`${this.base(id)}/streams/${encodeURIComponent(key)}/frames/${index}`, {
      signal,
    });
    return response.blob();
  }

  /** The JPEG of the frame nearest `ts`. */
  async frameNear(id: string, key: string, ts: number, signal?: AbortSignal): Promise<Blob> {
    const response = await this.raw(
      `${this.base(id)}/streams/${encodeURIComponent(key)}/frame?ts=${encodeURIComponent(String(ts))}`,
      { signal },
    );
    return response.blob();
  }

  async annotations(id: string): Promise<Annotation[]> {
    return (await this.json<{ annotations: Annotation[] }>("GET", `${this.base(id)}/annotations`))
      .annotations;
  }

  addAnnotation(id: string, annotation: NewAnnotation): Promise<Annotation> {
    return this.json("POST", `${this.base(id)}/annotations`, annotation);
  }

  editAnnotation(id: string, aid: number, changes: Partial<NewAnnotation>): Promise<Annotation> {
    return this.json("PATCH", `${this.base(id)}/annotations/${aid}`, changes);
  }

  async deleteAnnotation(id: string, aid: number): Promise<void> {
    await this.raw(`${this.base(id)}/annotations/${aid}`, { method: "DELETE" });
  }

  /** The session's events; null when this server has no events route yet (404 on the route, not the session). */
  async events(id: string): Promise<SessionEvent[] | null> {
    try {
      return (await this.json<{ events: SessionEvent[] }>("GET", `${this.base(id)}/events`)).events;
    } catch (e) {
      if (e instanceof AccountError && (e.status === 404 || e.status === 405)) return null;
      throw e;
    }
  }

  /** The session's analytics; null when this server does not compute them (yet). */
  async analytics(id: string, stream?: string): Promise<SessionAnalytics | null> {
    const query = stream ? `?stream=${encodeURIComponent(stream)}` : "";
    try {
      return await this.json<SessionAnalytics>("GET", `${this.base(id)}/analytics${query}`);
    } catch (e) {
      if (e instanceof AccountError && (e.status === 404 || e.status === 405)) return null;
      throw e;
    }
  }

  /** A robot behaviour from a recorded span (docs/robots.md): the pose mapping's commands. */
  behaviourFromSession(body: BehaviourFromSession): Promise<Behaviour> {
    return this.json("POST", "/api/behaviours/from-session", body);
  }

  createClip(clip: NewClip): Promise<Clip> {
    return this.json("POST", "/api/clips", clip);
  }

  clip(id: string): Promise<Clip> {
    return this.json("GET", `/api/clips/${encodeURIComponent(id)}`);
  }

  async clipVideo(id: string): Promise<Blob> {
    return (await this.raw(`/api/clips/${encodeURIComponent(id)}/video`)).blob();
  }

  share(id: string): Promise<{ token: string; url: string }> {
    return this.json("POST", `/api/clips/${encodeURIComponent(id)}/share`);
  }

  async revoke(id: string): Promise<void> {
    await this.raw(`/api/clips/${encodeURIComponent(id)}/share`, { method: "DELETE" });
  }
}

/** JSON lines into frames; a torn last line (the stream cut short) is left out. */
export function parseLines(text: string): RecordedFrame[] {
  const out: RecordedFrame[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as RecordedFrame);
    } catch {
      // an incomplete line at the end
    }
  }
  return out;
}

async function errorOf(response: Response): Promise<AccountError> {
  let data: unknown = null;
  try {
    const text = await response.text();
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  const error = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error && typeof error.code === "string") {
    const details = (error.details && typeof error.details === "object" ? error.details : {}) as Record<
      string,
      unknown
    >;
    return new AccountError(error.code, String(error.message ?? error.code), response.status, details);
  }
  return new AccountError("HTTP_ERROR", `the server answered ${response.status}`, response.status);
}
