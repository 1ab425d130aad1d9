import { describe, expect, it } from "vitest";
import { AccountError } from "../../src/lib/account";
import { SessionsClient, parseLines } from "../../src/replay/api";
import { FakeSessions, json } from "./fakeSessions";

describe("SessionsClient", () => {
  it("sends the token and no cookie, or the cookie without a token", async () => {
    const seen: RequestInit[] = [];
    const fetcher = async (_: string, init: RequestInit = {}) => {
      seen.push(init);
      return json({ id: "se_1" });
    };
    await new SessionsClient("http://s", "tok", fetcher).session("se_1");
    await new SessionsClient("http://s", null, fetcher).session("se_1");
    expect(seen[0]).toMatchObject({ headers: { Authorization: "Bearer tok" }, credentials: "omit" });
    expect(seen[1].credentials).toBe("include");
    expect((seen[1].headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it("uses the annotation routes with their methods and bodies", async () => {
    const api = new FakeSessions();
    const made = { id: 4, ts: 3.2, end_ts: null, stream: null, label: "rep 1", note: null, created_at: "x" };
    api.routes["GET /api/sessions/se_1/annotations"] = () => json({ annotations: [made] });
    api.routes["POST /api/sessions/se_1/annotations"] = () => json(made, 201);
    api.routes["PATCH /api/sessions/se_1/annotations/4"] = () => json({ ...made, label: "rep one" });
    api.routes["DELETE /api/sessions/se_1/annotations/4"] = () => new Response(null, { status: 204 });
    const client = new SessionsClient("http://s/", null, api.fetch);
    expect(await client.annotations("se_1")).toEqual([made]);
    expect(await client.addAnnotation("se_1", { ts: 3.2, label: "rep 1" })).toEqual(made);
    expect((await client.editAnnotation("se_1", 4, { label: "rep one" })).label).toBe("rep one");
    await client.deleteAnnotation("se_1", 4);
    expect(api.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ["GET", "/api/sessions/se_1/annotations", undefined],
      ["POST", "/api/sessions/se_1/annotations", { ts: 3.2, label: "rep 1" }],
      ["PATCH", "/api/sessions/se_1/annotations/4", { label: "rep one" }],
      ["DELETE", "/api/sessions/se_1/annotations/4", undefined],
    ]);
  });

  it("events and analytics are null where the server has no such route yet; other errors throw", async () => {
    const api = new FakeSessions();
    const client = new SessionsClient("http://s", null, api.fetch);
    expect(await client.events("se_1")).toBeNull();
    expect(await client.analytics("se_1")).toBeNull();
    api.routes["GET /api/sessions/se_1/events"] = () =>
      json({ events: [{ kind: "repetition", ts: 1, end_ts: 2, label: "rep 1" }] });
    expect(await client.events("se_1")).toEqual([{ kind: "repetition", ts: 1, end_ts: 2, label: "rep 1" }]);
    api.routes["GET /api/sessions/se_1/analytics"] = () =>
      json({ error: { code: "INTERNAL", message: "broken" } }, 500);
    await expect(client.analytics("se_1")).rejects.toBeInstanceOf(AccountError);
  });

  it("asks for solved skeletons only when told to", async () => {
    const urls: string[] = [];
    const fetcher = async (url: string) => {
      urls.push(url);
      return new Response("");
    };
    const client = new SessionsClient("http://s", null, fetcher);
    await client.poses("se_1", "cam 1", { from: 0, to: 10 });
    await client.poses("se_1", "cam 1", { from: 10, to: 20 }, undefined, true);
    expect(urls).toEqual([
      "http://s/api/sessions/se_1/streams/cam%201/poses?from=0&to=10",
      "http://s/api/sessions/se_1/streams/cam%201/poses?from=10&to=20&skeleton=true",
    ]);
  });

  it("reads JSON lines, leaving out a torn last line", () => {
    const line = JSON.stringify({ ts: 1, index: 0, arrival_ts: 2, pose: {} });
    expect(parseLines(`${line}\n${line}\n{"ts": 3, "ind`)).toHaveLength(2);
    expect(parseLines("")).toEqual([]);
  });

  it("says the server cannot be reached when the fetch fails, and passes an abort on", async () => {
    const down = new SessionsClient("http://s", null, async () => {
      throw new TypeError("fetch failed");
    });
    await expect(down.session("se_1")).rejects.toMatchObject({ code: "DISCONNECTED" });
    const aborting = new SessionsClient("http://s", null, async () => {
      throw new DOMException("aborted", "AbortError");
    });
    await expect(aborting.frame("se_1", "st", 1)).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("SessionsClient.behaviourFromSession", () => {
  it("posts the span to the behaviours' from-session route and returns the behaviour", async () => {
    const api = new FakeSessions();
    const made = { id: "bh_1", name: "lean", version: 1, steps: [{ t: 1, command: { kind: "stop" } }] };
    api.routes["POST /api/behaviours/from-session"] = () => json(made, 201);
    const client = new SessionsClient("http://s", "tok", api.fetch);
    const body = {
      session_id: "se_1",
      stream: "st_1",
      from: 1,
      to: 2.5,
      name: "lean",
      models: ["go2" as const],
    };
    expect(await client.behaviourFromSession(body)).toEqual(made);
    expect(api.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ["POST", "/api/behaviours/from-session", body],
    ]);
  });
});
