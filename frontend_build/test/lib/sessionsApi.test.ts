import { describe, expect, it } from "vitest";
import { AccountError } from "../../src/lib/account";
import { SessionsClient, filenameOf, type DownloadProgress } from "../../src/lib/sessionsApi";

type Call = { url: string; init: RequestInit | undefined };

/** A scripted backend: each call answered by `answer`, every call kept. */
function scripted(answer: (url: string, init?: RequestInit) => Response) {
  const calls: Call[] = [];
  const fetcher = async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return { calls, fetcher };
}

/** A body that arrives in these chunks, one read each. */
function chunked(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < parts.length) controller.enqueue(encoder.encode(parts[i++]));
      else controller.close();
    },
  });
}

describe("SessionsClient", () => {
  it("lists with paging, search and tag, with the token and no cookie", async () => {
    const { calls, fetcher } = scripted(
      () => new Response(JSON.stringify({ sessions: [], total: 0, offset: 24, limit: 12 })),
    );
    const client = new SessionsClient("http://h:1/", "tok", fetcher);
    await client.list({ offset: 24, limit: 12, q: "squat mon", tag: "a/b" });
    expect(calls[0].url).toBe("http://h:1/api/sessions?offset=24&limit=12&q=squat+mon&tag=a%2Fb");
    expect(calls[0].init?.headers).toEqual({ Authorization: "Bearer tok" });
    expect(calls[0].init?.credentials).toBe("omit");
  });

  it("renames, shares and deletes with the right methods and bodies; the cookie without a token", async () => {
    const { calls, fetcher } = scripted((_url, init) =>
      init?.method === "DELETE" ? new Response(null, { status: 204 }) : new Response("{}"),
    );
    const client = new SessionsClient("", null, fetcher);
    await client.update("se_a", { name: "b", tags: ["x"] });
    await client.share("se_a", ["v@example.com"]);
    await client.remove("se_a");
    expect(calls.map((c) => [c.init?.method, c.url, c.init?.body])).toEqual([
      ["PATCH", "/api/sessions/se_a", JSON.stringify({ name: "b", tags: ["x"] })],
      ["PUT", "/api/sessions/se_a/share", JSON.stringify({ with: ["v@example.com"] })],
      ["DELETE", "/api/sessions/se_a", undefined],
    ]);
    expect(calls[0].init?.credentials).toBe("include");
  });

  it("turns the server's error shape into a readable error", async () => {
    const { fetcher } = scripted(
      () =>
        new Response(
          JSON.stringify({
            error: { code: "UNKNOWN_USER", message: "no account", details: { emails: ["x"] } },
          }),
          {
            status: 404,
          },
        ),
    );
    const failure = await new SessionsClient("", null, fetcher).share("se_a", ["x"]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AccountError);
    expect(failure).toMatchObject({ code: "UNKNOWN_USER", status: 404, details: { emails: ["x"] } });
  });

  it("downloads an export with its progress, file name and session status", async () => {
    const { calls, fetcher } = scripted(
      () =>
        new Response(chunked(["ts,stream\n", "0.1,cam\n", "0.2,cam\n"]), {
          headers: {
            "Content-Length": "26",
            "Content-Type": "text/csv",
            "Content-Disposition": 'attachment; filename="se_a-st_b.csv"',
            "X-Session-Status": "interrupted",
          },
        }),
    );
    const seen: DownloadProgress[] = [];
    const done = await new SessionsClient("", null, fetcher).download(
      "se_a",
      "csv",
      (p) => seen.push({ ...p }),
      {
        stream: "st_b",
      },
    );
    expect(calls[0].url).toBe("/api/sessions/se_a/export.csv?stream=st_b");
    expect(seen).toEqual([
      { received: 0, total: 26 },
      { received: 10, total: 26 },
      { received: 18, total: 26 },
      { received: 26, total: 26 },
    ]);
    expect(await done.blob.text()).toBe("ts,stream\n0.1,cam\n0.2,cam\n");
    expect(done.filename).toBe("se_a-st_b.csv");
    expect(done.sessionStatus).toBe("interrupted");
  });

  it("counts bytes without a Content-Length, and cancels", async () => {
    const { fetcher } = scripted(() => new Response(chunked(["abc", "de"])));
    const seen: DownloadProgress[] = [];
    const done = await new SessionsClient("", null, fetcher).download("se_a", "jsonl", (p) =>
      seen.push({ ...p }),
    );
    expect(seen.at(-1)).toEqual({ received: 5, total: null });
    expect(done.filename).toBe("se_a.jsonl");

    const controller = new AbortController();
    controller.abort();
    const refusing = async () => {
      throw new DOMException("aborted", "AbortError");
    };
    const cancelled = await new SessionsClient("", null, refusing)
      .download("se_a", "bvh", undefined, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(cancelled).toMatchObject({ code: "CANCELLED" });
  });

  it("reads the first pose with somebody in view, and no frame for a pose-only session", async () => {
    const lines = [
      { ts: 0, index: 0, pose: { persons: [] } },
      { ts: 0.1, index: 1, pose: { persons: [{ landmarks: [] }] } },
    ];
    const { calls, fetcher } = scripted((url) =>
      url.includes("/frames/0")
        ? new Response(JSON.stringify({ error: { code: "NOT_FOUND", message: "no video" } }), { status: 404 })
        : new Response(lines.map((l) => JSON.stringify(l)).join("\n") + "\n"),
    );
    const client = new SessionsClient("", null, fetcher);
    expect(await client.firstFrame("se_a", "st_b")).toBeNull();
    expect((await client.firstPose("se_a", "st_b"))?.persons).toHaveLength(1);
    expect(calls[1].url).toBe("/api/sessions/se_a/streams/st_b/poses?from=0&to=1");
    expect(filenameOf(null)).toBeNull();
  });
});
