import { afterEach, describe, expect, it, vi } from "vitest";
import { AgentClient, AgentError, type AgentResult, type PushSocket } from "../../src/lib/agent";

/** A scripted agent HTTP service: records requests, answers from `routes`. */
function fakeService(routes: Record<string, (init?: RequestInit) => Response | Promise<Response>>) {
  const requests: Array<{ url: string; init?: RequestInit }> = [];
  const fetcher = async (url: string, init?: RequestInit) => {
    requests.push({ url, init });
    const path = new URL(url).pathname;
    const route = routes[`${init?.method ?? "GET"} ${path}`];
    return route ? route(init) : new Response(JSON.stringify({ detail: "Not Found" }), { status: 404 });
  };
  return { fetcher, requests };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const result = (status: AgentResult["status"], extra: Partial<AgentResult> = {}): AgentResult => ({
  request_id: "r1",
  status,
  tool_calls: [],
  relevant_timestamps: [],
  ...extra,
});

class FakePush implements PushSocket {
  connected = true;
  private listeners = new Map<string, Set<(...a: any[]) => void>>();
  on(event: string, fn: (...a: any[]) => void) {
    this.listeners.set(event, (this.listeners.get(event) ?? new Set()).add(fn));
  }
  off(event: string, fn: (...a: any[]) => void) {
    this.listeners.get(event)?.delete(fn);
  }
  push(event: string, data: unknown) {
    for (const fn of this.listeners.get(event) ?? []) fn(data);
  }
  count(event: string) {
    return this.listeners.get(event)?.size ?? 0;
  }
}

describe("AgentClient", () => {
  afterEach(() => vi.useRealTimers());

  it("asks the agent's health whether a model is configured", async () => {
    for (const [body, status, expected] of [
      [{ status: "ok", configured: false }, 200, false],
      [{ status: "ok", configured: true }, 200, true],
      [{ status: "unavailable", configured: false }, 503, false],
    ] as const) {
      const service = fakeService({ "GET /agent/health": () => json(body, status) });
      const client = new AgentClient("http://studio.local", "tok", null, service.fetcher);
      expect(await client.configured()).toBe(expected);
    }
  });

  it("posts the question with the bearer token and the streams", async () => {
    const service = fakeService({ "POST /agent/invoke": () => json({ request_id: "r1" }, 202) });
    const client = new AgentClient("http://studio.local", "tok", null, service.fetcher);
    expect(await client.invoke("Am I in frame?", ["cam1"])).toBe("r1");
    const { url, init } = service.requests[0];
    expect(url).toBe("http://studio.local/agent/invoke");
    expect(new Headers(init?.headers).get("Authorization")).toBe("Bearer tok");
    expect(JSON.parse(String(init?.body))).toEqual({ question: "Am I in frame?", stream_ids: ["cam1"] });
  });

  it("signed in without a token, sends the session cookie and no Authorization", async () => {
    const service = fakeService({
      "POST /agent/invoke": () => json({ request_id: "r1" }, 202),
      "GET /agent/result/r1": () => json(result("complete", { answer: "ok" })),
    });
    const client = new AgentClient("http://studio.local", null, null, service.fetcher);
    await client.invoke("Am I in frame?", []);
    await client.fetchResult("r1");
    for (const { init } of service.requests) {
      expect(new Headers(init?.headers).has("Authorization")).toBe(false);
      expect(init?.credentials).toBe("include");
    }
  });

  it("surfaces the service's own message, e.g. how to configure a model", async () => {
    const message = "No model is configured: set POSE_AGENT_MODEL and an API key.";
    const service = fakeService({
      "POST /agent/invoke": () => json({ error: { code: "AGENT_NOT_CONFIGURED", message } }, 503),
    });
    const client = new AgentClient("http://studio.local", "tok", null, service.fetcher);
    const error = await client.invoke("hi", []).catch((e: AgentError) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect((error as AgentError).code).toBe("AGENT_NOT_CONFIGURED");
    expect((error as AgentError).message).toBe(message);
    expect(JSON.parse(String(service.requests[0].init?.body))).toEqual({ question: "hi" });
  });

  it("says plainly when there is no agent service at all", async () => {
    const client = new AgentClient("http://studio.local", "tok", null, fakeService({}).fetcher);
    await expect(client.invoke("hi", [])).rejects.toThrow(
      "the agent service is not reachable here (HTTP 404)",
    );
  });

  it("polls every second without a push connection, until the result is final", async () => {
    vi.useFakeTimers();
    const answers = [result("queued"), result("running"), result("complete", { answer: "Yes." })];
    const service = fakeService({ "GET /agent/result/r1": () => json(answers.shift()) });
    const push = new FakePush();
    push.connected = false;
    const client = new AgentClient("http://studio.local", "tok", push, service.fetcher);
    const updates: string[] = [];
    const done = client.waitFor("r1", (r) => updates.push(r.status));
    await vi.advanceTimersByTimeAsync(0);
    expect(service.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(service.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1001);
    const final = await done;
    expect(final.answer).toBe("Yes.");
    expect(updates).toEqual(["queued", "running", "complete"]);
    expect(push.count("agent_result")).toBe(0);
  });

  it("takes the pushed result and does not poll while the push socket is up", async () => {
    vi.useFakeTimers();
    const service = fakeService({});
    const push = new FakePush();
    const client = new AgentClient("http://studio.local", "tok", push, service.fetcher);
    const done = client.waitFor("r1", () => undefined);
    await vi.advanceTimersByTimeAsync(3000);
    push.push("agent_result", { ...result("complete"), request_id: "other" });
    push.push("agent_result", result("complete", { answer: "Pushed." }));
    expect((await done).answer).toBe("Pushed.");
    expect(service.requests).toHaveLength(0);
  });

  it("fetches once on (re)connect, for a result pushed while the socket was connecting", async () => {
    vi.useFakeTimers();
    const service = fakeService({
      "GET /agent/result/r1": () => json(result("complete", { answer: "Missed push." })),
    });
    const push = new FakePush();
    const client = new AgentClient("http://studio.local", "tok", push, service.fetcher);
    const done = client.waitFor("r1", () => undefined);
    await vi.advanceTimersByTimeAsync(3000);
    expect(service.requests).toHaveLength(0);
    push.push("connect", undefined);
    expect((await done).answer).toBe("Missed push.");
    expect(service.requests).toHaveLength(1);
    expect(push.count("connect")).toBe(0);
    expect(push.count("agent_result")).toBe(0);
  });

  it("stops waiting when the result is unknown", async () => {
    const service = fakeService({
      "GET /agent/result/r1": () => json({ error: { code: "NOT_FOUND", message: "no such request" } }, 404),
    });
    const client = new AgentClient("http://studio.local", "tok", null, service.fetcher);
    await expect(client.waitFor("r1", () => undefined)).rejects.toThrow("no such request");
  });
});
