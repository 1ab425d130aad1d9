/**
 * The recorded sessions' HTTP API (docs/sessions.md "HTTP"): list, read, rename and tag,
 * share, delete, the first frame and pose, and exports as streamed downloads with their
 * progress. No React in here. Credentials as the accounts client: the API token as
 * `Authorization: Bearer`, or the session cookie.
 */
import { AccountError, errorFrom } from "./account";
import type { SessionList, SessionPublic, SessionStreamPublic } from "./generated/protocol";
import type { PoseMessage } from "./types";

export type SessionStatus = SessionPublic["status"];
export type SessionStreamInfo = SessionStreamPublic;
export type SessionInfo = SessionPublic;
export type SessionPage = SessionList;

export interface SessionQuery {
  offset: number;
  limit: number;
  q?: string;
  tag?: string;
}

export type ExportFormat = "jsonl" | "csv" | "parquet" | "bvh";

/** How far a download is: bytes so far, and the total when the server said it. */
export interface DownloadProgress {
  received: number;
  total: number | null;
}

export interface Download {
  blob: Blob;
  filename: string;
  /** `X-Session-Status`: an interrupted session exports what was kept. */
  sessionStatus: string | null;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class SessionsClient {
  constructor(
    private readonly baseUrl: string,
    /** The API token to present, or null: the session cookie. */
    readonly token: string | null,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  /** The address of a path under the backend (for `<img src>` with the cookie). */
  url(path: string): string {
    return `${this.baseUrl.replace(/\/$/, "")}${path}`;
  }

  private async send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetcher(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: this.token ? "omit" : "include",
        signal,
      });
    } catch (e) {
      if (signal?.aborted) throw new AccountError("CANCELLED", "cancelled", 0);
      throw new AccountError("DISCONNECTED", `the server cannot be reached (${String(e)})`, 0);
    }
    if (!response.ok) {
      const text = await response.text();
      let data: unknown = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        data = null;
      }
      throw errorFrom(response.status, data);
    }
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  list(query: SessionQuery): Promise<SessionPage> {
    const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
    if (query.q) params.set("q", query.q);
    if (query.tag) params.set("tag", query.tag);
    return this.json("GET", `/api/sessions?${params}`);
  }

  get(id: string): Promise<SessionInfo> {
    return this.json("GET", `/api/sessions/${encodeURIComponent(id)}`);
  }

  update(id: string, change: { name?: string; tags?: string[] }): Promise<SessionInfo> {
    return this.json("PATCH", `/api/sessions/${encodeURIComponent(id)}`, change);
  }

  stop(id: string): Promise<SessionInfo> {
    return this.json("POST", `/api/sessions/${encodeURIComponent(id)}/stop`);
  }

  async remove(id: string): Promise<void> {
    await this.send("DELETE", `/api/sessions/${encodeURIComponent(id)}`);
  }

  share(id: string, emails: string[]): Promise<{ id: string; shared_with: string[] }> {
    return this.json("PUT", `/api/sessions/${encodeURIComponent(id)}/share`, { with: emails });
  }

  /** The first recorded JPEG of a stream, as a blob (null: the session keeps no video). */
  async firstFrame(id: string, key: string): Promise<Blob | null> {
    try {
      const response = await this.send("GET", `${streamPath(id, key)}/frames/0`);
      return await response.blob();
    } catch (e) {
      if (e instanceof AccountError && e.status === 404) return null;
      throw e;
    }
  }

  /** The first recorded pose of a stream (null: none), read from the start of the NDJSON. */
  async firstPose(id: string, key: string): Promise<PoseMessage | null> {
    const response = await this.send("GET", `${streamPath(id, key)}/poses?from=0&to=1`);
    const text = await response.text();
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      const frame = JSON.parse(line) as { pose: PoseMessage };
      if (frame.pose.persons.length > 0) return frame.pose;
    }
    return null;
  }

  /**
   * Download an export (the streamed `GET export.*`), reporting the bytes received and
   * the total when `Content-Length` says it; `signal` cancels.
   */
  async download(
    id: string,
    format: ExportFormat,
    onProgress: (progress: DownloadProgress) => void = () => undefined,
    options: { stream?: string; signal?: AbortSignal } = {},
  ): Promise<Download> {
    const params = options.stream ? `?stream=${encodeURIComponent(options.stream)}` : "";
    const response = await this.send(
      "GET",
      `/api/sessions/${encodeURIComponent(id)}/export.${format}${params}`,
      undefined,
      options.signal,
    );
    const length = Number(response.headers.get("Content-Length"));
    const total = Number.isFinite(length) && length > 0 ? length : null;
    const chunks: Uint8Array[] = [];
    let received = 0;
    onProgress({ received, total });
    const reader = response.body?.getReader();
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        onProgress({ received, total });
      }
    } else {
      const whole = new Uint8Array(await response.arrayBuffer());
      chunks.push(whole);
      received = whole.byteLength;
      onProgress({ received, total });
    }
    return {
      blob: new Blob(chunks as BlobPart[], { type: response.headers.get("Content-Type") ?? "" }),
      filename: filenameOf(response.headers.get("Content-Disposition")) ?? `${id}.${format}`,
      sessionStatus: response.headers.get("X-Session-Status"),
    };
  }
}

function streamPath(id: string, key: string): string {
  return `/api/sessions/${encodeURIComponent(id)}/streams/${encodeURIComponent(key)}`;
}

/** The file name in `Content-Disposition: attachment; filename="…"`. */
export function filenameOf(header: string | null): string | null {
  const match = header?.match(/filename="?([^";]+)"?/);
  return match ? match[1] : null;
}
