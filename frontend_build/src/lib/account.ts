/**
 * The accounts API (`/api/auth`, `/api/setup`, `/api/users`, `/api/tokens`, `/api/audit`;
 * docs/security.md) as plain functions of one client. No React in here.
 *
 * Credentials: an API token, when the studio has one, goes as `Authorization: Bearer`
 * and no cookie is sent (a presented token decides alone on the server); otherwise the
 * browser's HttpOnly session cookie goes along. The backend's CSRF check is an Origin
 * check, and the browser adds `Origin` to every POST/PATCH/DELETE fetch by itself, so
 * nothing more is needed here.
 */
import type { Role } from "./roles";

export interface UserPublic {
  id: number;
  email: string;
  display_name: string;
  role: Role;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

/** `GET /api/auth/me`: a person (`user:<id>`, with `user`) or the bootstrap token (`token`). */
export interface Me {
  subject: string;
  role: Role;
  display_name: string | null;
  user: UserPublic | null;
}

export interface ApiToken {
  id: number;
  owner_id: number;
  name: string;
  role: Role;
  /** The actions the token is limited to (e.g. `robot.serve`); null: all its role allows. */
  scopes: string[] | null;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A new token: `token` is its secret, shown only this once. */
export interface CreatedToken extends ApiToken {
  token: string;
}

export interface AuditEvent {
  id: number;
  at: string;
  action: string;
  actor: string | null;
  target: string | null;
  client: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditPage {
  events: AuditEvent[];
  total: number;
  offset: number;
  limit: number;
}

export interface NewUser {
  email: string;
  display_name: string;
  role: Role;
  password: string;
}

export interface UserChanges {
  display_name?: string;
  role?: Role;
  disabled?: boolean;
}

export interface NewToken {
  name: string;
  role?: Role;
  /** The actions it is limited to; absent: all its role allows. */
  scopes?: string[];
  /** ISO 8601; absent: the token does not expire. */
  expires_at?: string;
}

/** One running stream as `GET /api/streams` lists it (the fields the studio reads). */
export interface StreamSummary {
  id: string;
  stream_id: string;
  engine: string;
  state: string;
  fps: number;
  owner: string;
  /** Someone else's stream, shared with me. */
  shared: boolean;
  /** Streamed by a phone paired to my account. */
  paired?: boolean;
}

export interface PairingCreated {
  code: string;
  url: string;
  expires_at: string;
  /** False: the URL is plain http, where a phone's browser refuses the camera. */
  secure: boolean;
}

export interface PairingClaimed {
  token: string;
  expires_at: string;
  scopes: string[];
  display_name: string | null;
}

export class AccountError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class AccountClient {
  constructor(
    private readonly baseUrl: string,
    /** The API token to present, or null: the session cookie. */
    readonly token: string | null,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl.replace(/\/$/, "")}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A token decides alone: no cookie beside it. Without one, the cookie (also to a
        // backend on another origin that allows credentials).
        credentials: this.token ? "omit" : "include",
      });
    } catch (e) {
      throw new AccountError("DISCONNECTED", `the server cannot be reached (${String(e)})`, 0);
    }
    const text = await response.text();
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) throw errorFrom(response.status, data);
    return data as T;
  }

  me(): Promise<Me> {
    return this.request("GET", "/api/auth/me");
  }

  async streams(): Promise<StreamSummary[]> {
    return (await this.request<{ streams: StreamSummary[] }>("GET", "/api/streams")).streams;
  }

  /** Let these people (emails) watch the stream; replaces whom it was shared with. */
  shareStream(id: string, emails: string[]): Promise<{ id: string; shared_with: string[] }> {
    return this.request("PUT", `/api/streams/${encodeURIComponent(id)}/share`, { with: emails });
  }

  /** A single-use code (and the URL its QR code carries) for pairing a phone. */
  createPairing(): Promise<PairingCreated> {
    return this.request("POST", "/api/pairing");
  }

  /** The phone's side: the code becomes a stream-only token. */
  claimPairing(code: string): Promise<PairingClaimed> {
    return this.request("POST", `/api/pairing/${encodeURIComponent(code)}/claim`);
  }

  async setupNeeded(): Promise<boolean> {
    return (await this.request<{ needed: boolean }>("GET", "/api/setup")).needed;
  }

  async setup(form: {
    code: string;
    email: string;
    password: string;
    display_name: string;
  }): Promise<UserPublic> {
    return (await this.request<{ user: UserPublic }>("POST", "/api/setup", form)).user;
  }

  async signIn(email: string, password: string): Promise<UserPublic> {
    return (await this.request<{ user: UserPublic }>("POST", "/api/auth/login", { email, password })).user;
  }

  async signOut(): Promise<void> {
    await this.request("POST", "/api/auth/logout");
  }

  myTokens(): Promise<ApiToken[]> {
    return this.request("GET", "/api/tokens");
  }

  allTokens(): Promise<ApiToken[]> {
    return this.request("GET", "/api/tokens/all");
  }

  createToken(token: NewToken): Promise<CreatedToken> {
    return this.request("POST", "/api/tokens", token);
  }

  revokeToken(id: number): Promise<ApiToken> {
    return this.request("DELETE", `/api/tokens/${id}`);
  }

  users(): Promise<UserPublic[]> {
    return this.request("GET", "/api/users");
  }

  createUser(user: NewUser): Promise<UserPublic> {
    return this.request("POST", "/api/users", user);
  }

  updateUser(id: number, changes: UserChanges): Promise<UserPublic> {
    return this.request("PATCH", `/api/users/${id}`, changes);
  }

  async resetPassword(id: number, password: string): Promise<void> {
    await this.request("POST", `/api/users/${id}/password`, { password });
  }

  audit({
    offset = 0,
    limit = 50,
    action,
  }: { offset?: number; limit?: number; action?: string } = {}): Promise<AuditPage> {
    const query = new URLSearchParams({ offset: String(offset), limit: String(limit) });
    if (action) query.set("action", action);
    return this.request("GET", `/api/audit?${query}`);
  }
}

/** The error of a refused request in the one shape `{error: {code, message, details}}`. */
export function errorFrom(status: number, data: unknown): AccountError {
  const error = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error && typeof error.code === "string") {
    const details = (error.details && typeof error.details === "object" ? error.details : {}) as Record<
      string,
      unknown
    >;
    return new AccountError(error.code, String(error.message ?? error.code), status, details);
  }
  return new AccountError("HTTP_ERROR", `the server answered ${status}`, status);
}

/** What the studio shows for an error: a sentence a person can act on. */
export function describeError(e: unknown): string {
  if (!(e instanceof AccountError)) return String(e instanceof Error ? e.message : e);
  switch (e.code) {
    case "RATE_LIMITED": {
      const wait = Number(e.details.retry_after_s);
      const when = Number.isFinite(wait) && wait > 0 ? `in ${formatWait(wait)}` : "later";
      return `Too many sign-in attempts. Try again ${when}.`;
    }
    case "INVALID_CREDENTIALS":
      return "Wrong email or password.";
    case "WEAK_PASSWORD":
      return `Choose another password: ${e.message.replace(/^password is /, "it is ")}.`;
    case "BAD_REQUEST": {
      const errors = e.details.errors;
      if (Array.isArray(errors) && errors.length) {
        return errors
          .map(
            (x: { field?: unknown; problem?: unknown }) =>
              `${String(x.field ?? "")}: ${String(x.problem ?? "")}`,
          )
          .join("; ");
      }
      return capitalise(e.message);
    }
    case "BAD_SETUP_CODE":
      return "Wrong setup code: open the setup address `posestudio serve` printed.";
    case "SETUP_DONE":
      return "Setup is done: sign in instead.";
    case "FORBIDDEN":
      return "Your role does not allow this.";
    case "UNAUTHORIZED":
      return "You are signed out: sign in again.";
    default:
      return capitalise(e.message);
  }
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/**
 * Where the studio starts: signed in (by token or cookie), the first-admin setup, the
 * sign-in page, or a stored token the server refused.
 */
export type StartState =
  { kind: "ready"; me: Me } | { kind: "setup" } | { kind: "signin" } | { kind: "token-refused" };

export async function resolveStart(client: AccountClient): Promise<StartState> {
  try {
    return { kind: "ready", me: await client.me() };
  } catch (e) {
    if (!(e instanceof AccountError) || e.status !== 401) throw e;
  }
  if (client.token) return { kind: "token-refused" };
  return (await client.setupNeeded()) ? { kind: "setup" } : { kind: "signin" };
}

/** Expiry choices for a new token, in days (null: never). */
export const EXPIRY_DAYS: readonly (number | null)[] = [null, 1, 7, 30, 90, 365];

/** `expires_at` for a token that expires `days` after `now`; undefined: never. */
export function expiresAt(days: number | null, now: number = Date.now()): string | undefined {
  return days === null ? undefined : new Date(now + days * 86_400_000).toISOString();
}
