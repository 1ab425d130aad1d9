import { describe, expect, it } from "vitest";
import {
  AccountClient,
  AccountError,
  describeError,
  expiresAt,
  resolveStart,
  type Me,
} from "../../src/lib/account";

type Handler = (init: RequestInit, url: URL) => Response | Promise<Response>;

/** A scripted accounts API: records requests, answers from `routes` ("METHOD /path"). */
function fakeServer(routes: Record<string, Handler>) {
  const requests: Array<{ url: URL; init: RequestInit }> = [];
  const fetcher = async (input: string, init: RequestInit = {}) => {
    const url = new URL(input);
    requests.push({ url, init });
    const route = routes[`${init.method ?? "GET"} ${url.pathname}`];
    return route ? route(init, url) : json({ error: { code: "NOT_FOUND", message: "no such route" } }, 404);
  };
  return { fetcher, requests };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const refused = (code: string, message: string, status: number, details?: unknown) =>
  json({ error: { code, message, details } }, status);

const admin: Me = {
  subject: "user:1",
  role: "admin",
  display_name: "Coach",
  user: {
    id: 1,
    email: "coach@example.com",
    display_name: "Coach",
    role: "admin",
    disabled: false,
    created_at: "2026-12-02T05:00:00Z",
    updated_at: "2026-12-02T05:00:00Z",
  },
};

describe("AccountClient credentials", () => {
  it("presents an API token as Bearer and sends no cookie beside it", async () => {
    const server = fakeServer({ "GET /api/auth/me": () => json(admin) });
    const me = await new AccountClient("http://studio.local/", "pst_abc", server.fetcher).me();
    expect(me.display_name).toBe("Coach");
    const { url, init } = server.requests[0];
    expect(url.href).toBe("http://studio.local/api/auth/me");
    expect(new Headers(init.headers).get("Authorization")).toBe("Bearer pst_abc");
    expect(init.credentials).toBe("omit");
  });

  it("without a token lets the session cookie go and sends no Authorization", async () => {
    const server = fakeServer({
      "POST /api/auth/login": (init) =>
        json({ user: { ...admin.user, email: JSON.parse(String(init.body)).email } }),
    });
    const user = await new AccountClient("http://studio.local", null, server.fetcher).signIn(
      "coach@example.com",
      "a long secret phrase",
    );
    expect(user.email).toBe("coach@example.com");
    const { init } = server.requests[0];
    expect(init.credentials).toBe("include");
    expect(new Headers(init.headers).has("Authorization")).toBe(false);
    expect(new Headers(init.headers).get("Content-Type")).toBe("application/json");
    expect(JSON.parse(String(init.body))).toEqual({
      email: "coach@example.com",
      password: "a long secret phrase",
    });
  });
});

describe("AccountClient routes", () => {
  const client = (routes: Record<string, Handler>) => {
    const server = fakeServer(routes);
    return { client: new AccountClient("http://studio.local", null, server.fetcher), server };
  };

  it("creates a token with its role and expiry, and revokes by id", async () => {
    const token = { id: 7, owner_id: 1, name: "bench", role: "operator", prefix: "pst_ab12" };
    const { client: c, server } = client({
      "POST /api/tokens": (init) =>
        json({ ...token, ...JSON.parse(String(init.body)), token: "pst_secret" }, 201),
      "DELETE /api/tokens/7": () => json({ ...token, revoked_at: "2026-12-02T06:00:00Z" }),
    });
    const created = await c.createToken({
      name: "bench",
      role: "operator",
      expires_at: "2026-12-09T00:00:00.000Z",
    });
    expect(created.token).toBe("pst_secret");
    expect(JSON.parse(String(server.requests[0].init.body))).toEqual({
      name: "bench",
      role: "operator",
      expires_at: "2026-12-09T00:00:00.000Z",
    });
    expect((await c.revokeToken(7)).revoked_at).not.toBeNull();
    expect(server.requests[1].init.method).toBe("DELETE");
  });

  it("changes a person with PATCH and resets a password (204, no body)", async () => {
    const { client: c, server } = client({
      "PATCH /api/users/3": (init) => json({ ...admin.user, id: 3, ...JSON.parse(String(init.body)) }),
      "POST /api/users/3/password": () => new Response(null, { status: 204 }),
    });
    expect((await c.updateUser(3, { role: "viewer", disabled: true })).role).toBe("viewer");
    await c.resetPassword(3, "another long phrase");
    expect(JSON.parse(String(server.requests[1].init.body))).toEqual({ password: "another long phrase" });
  });

  it("pages the audit log with offset, limit and an optional action", async () => {
    const { client: c, server } = client({
      "GET /api/audit": (_init, url) =>
        json({ events: [], total: 60, offset: Number(url.searchParams.get("offset")), limit: 25 }),
    });
    expect((await c.audit({ offset: 25, limit: 25 })).offset).toBe(25);
    await c.audit({ action: "auth.login.failure" });
    expect(server.requests.map((r) => r.url.search)).toEqual([
      "?offset=25&limit=25",
      "?offset=0&limit=50&action=auth.login.failure",
    ]);
  });

  it("turns the server's error shape into an AccountError with its code and details", async () => {
    const { client: c } = client({
      "POST /api/auth/login": () =>
        refused("RATE_LIMITED", "too many sign-in attempts", 429, { retry_after_s: 600 }),
    });
    const error = await c.signIn("a@example.com", "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountError);
    expect(error).toMatchObject({ code: "RATE_LIMITED", status: 429, details: { retry_after_s: 600 } });
  });

  it("says DISCONNECTED when the server cannot be reached, HTTP_ERROR for a foreign answer", async () => {
    const down = new AccountClient("http://studio.local", null, () =>
      Promise.reject(new TypeError("Failed to fetch")),
    );
    await expect(down.me()).rejects.toMatchObject({ code: "DISCONNECTED", status: 0 });
    const proxy = new AccountClient(
      "http://studio.local",
      null,
      async () => new Response("<html>", { status: 502 }),
    );
    await expect(proxy.me()).rejects.toMatchObject({ code: "HTTP_ERROR", status: 502 });
  });
});

describe("describeError", () => {
  const error = (code: string, message: string, details: Record<string, unknown> = {}) =>
    new AccountError(code, message, 400, details);

  it("says how long to wait after too many sign-ins", () => {
    expect(describeError(error("RATE_LIMITED", "too many", { retry_after_s: 540 }))).toBe(
      "Too many sign-in attempts. Try again in 9 minutes.",
    );
    expect(describeError(error("RATE_LIMITED", "too many", { retry_after_s: 20 }))).toBe(
      "Too many sign-in attempts. Try again in 20 s.",
    );
    expect(describeError(error("RATE_LIMITED", "too many"))).toBe(
      "Too many sign-in attempts. Try again later.",
    );
  });

  it("reads wrong credentials, weak passwords and field errors", () => {
    expect(describeError(error("INVALID_CREDENTIALS", "wrong email or password"))).toBe(
      "Wrong email or password.",
    );
    expect(describeError(error("WEAK_PASSWORD", "password is shorter than 12 characters"))).toBe(
      "Choose another password: it is shorter than 12 characters.",
    );
    expect(
      describeError(
        error("BAD_REQUEST", "bad body", { errors: [{ field: "email", problem: "not an email" }] }),
      ),
    ).toBe("email: not an email");
    expect(describeError(error("EMAIL_TAKEN", "that email already has an account"))).toBe(
      "That email already has an account",
    );
  });
});

describe("resolveStart", () => {
  const unauthorized = () => refused("UNAUTHORIZED", "credentials required", 401);

  it("is ready with whoever the credentials name", async () => {
    const server = fakeServer({ "GET /api/auth/me": () => json(admin) });
    expect(await resolveStart(new AccountClient("http://s", null, server.fetcher))).toEqual({
      kind: "ready",
      me: admin,
    });
  });

  it("without a session: setup while nobody has an account, else sign-in", async () => {
    for (const needed of [true, false]) {
      const server = fakeServer({
        "GET /api/auth/me": unauthorized,
        "GET /api/setup": () => json({ needed }),
      });
      const start = await resolveStart(new AccountClient("http://s", null, server.fetcher));
      expect(start).toEqual({ kind: needed ? "setup" : "signin" });
    }
  });

  it("a refused token stays a refused token (the studio asks for another)", async () => {
    const server = fakeServer({
      "GET /api/auth/me": unauthorized,
      "GET /api/setup": () => json({ needed: true }),
    });
    expect(await resolveStart(new AccountClient("http://s", "stale", server.fetcher))).toEqual({
      kind: "token-refused",
    });
    expect(server.requests).toHaveLength(1);
  });

  it("passes other failures on", async () => {
    const server = fakeServer({ "GET /api/auth/me": () => refused("INTERNAL", "boom", 500) });
    await expect(resolveStart(new AccountClient("http://s", null, server.fetcher))).rejects.toMatchObject({
      code: "INTERNAL",
    });
  });
});

describe("expiresAt", () => {
  it("is days after now in ISO 8601, or nothing for never", () => {
    const now = Date.parse("2026-12-02T06:00:00Z");
    expect(expiresAt(7, now)).toBe("2026-12-09T06:00:00.000Z");
    expect(expiresAt(null, now)).toBeUndefined();
  });
});
