import { describe, expect, it } from "vitest";
import {
  afterDelete,
  camerasOf,
  filtered,
  formatDuration,
  mayChange,
  pageCount,
  pager,
  queryFor,
  statusText,
  tagsFrom,
  thumbnailStream,
  type LibraryRoute,
} from "../../src/library/listing";
import { parseRoute, routeHash } from "../../src/lib/routes";
import type { SessionInfo } from "../../src/lib/sessionsApi";

const at = (pageNo: number, q = "", tag = ""): LibraryRoute => ({ page: "library", q, tag, pageNo });

function session(over: Partial<SessionInfo> = {}): SessionInfo {
  return {
    id: "se_1",
    name: "s",
    tags: [],
    owner: "user:1",
    status: "complete",
    video: true,
    started_at: "2026-12-02T05:10:00Z",
    ended_at: null,
    duration_s: 12.4,
    bytes: 10,
    stop_reason: "stopped",
    note: null,
    streams: [],
    annotations: 0,
    ...over,
  };
}

describe("library listing", () => {
  it("asks for the page, search and tag of the address", () => {
    expect(queryFor(at(1))).toEqual({ offset: 0, limit: 12 });
    expect(queryFor(at(3, " squat ", "coach"), 10)).toEqual({
      offset: 20,
      limit: 10,
      q: "squat",
      tag: "coach",
    });
    expect(queryFor(parseRoute("#/library?q=x&page=2") as LibraryRoute)).toEqual({
      offset: 12,
      limit: 12,
      q: "x",
    });
  });

  it("pages: counts, previous and next, and addresses that round-trip", () => {
    expect(pageCount(0)).toBe(1);
    expect(pageCount(12)).toBe(1);
    expect(pageCount(13)).toBe(2);
    expect(pager(at(1), 0)).toEqual({ pages: 1, prev: null, next: null });
    const middle = pager(at(2, "a", "b"), 30);
    expect(middle.pages).toBe(3);
    expect(middle.prev).toEqual(at(1, "a", "b"));
    expect(middle.next).toEqual(at(3, "a", "b"));
    expect(routeHash(middle.next!)).toBe("#/library?q=a&tag=b&page=3");
    expect(pager(at(3), 30).next).toBeNull();
    // A page past the end (sessions deleted elsewhere) goes back to the last one.
    expect(pager(at(9), 13).prev).toEqual(at(2));
  });

  it("starts a new search or tag at page 1, and steps back after deleting a page's last one", () => {
    expect(filtered(at(4, "a"), { tag: "x" })).toEqual(at(1, "a", "x"));
    expect(filtered(at(2, "a", "x"), { q: "" })).toEqual(at(1, "", "x"));
    expect(afterDelete(at(2), 13)).toEqual(at(1));
    expect(afterDelete(at(2), 14)).toEqual(at(2));
    expect(afterDelete(at(1), 1)).toEqual(at(1));
  });

  it("reads a session's duration, cameras, status and tags", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(12.4)).toBe("0:12");
    expect(formatDuration(3725)).toBe("1:02:05");
    const stream = { key: "st_a", frames: 0 } as SessionInfo["streams"][number];
    const recorded = { key: "st_b", frames: 3 } as SessionInfo["streams"][number];
    expect(camerasOf(session({ streams: [stream] }))).toBe("1 camera");
    expect(camerasOf(session({ streams: [stream, recorded] }))).toBe("2 cameras");
    expect(thumbnailStream(session({ streams: [stream, recorded] }))?.key).toBe("st_b");
    expect(thumbnailStream(session({ streams: [stream] }))).toBeNull();
    expect(statusText(session())).toBe("complete");
    expect(statusText(session({ status: "interrupted", note: "the server stopped" }))).toBe(
      "interrupted: the server stopped",
    );
    expect(tagsFrom("squat, coach,squat,, ")).toEqual(["squat", "coach"]);
  });

  it("lets owners and admins change a session; viewers and others only read", () => {
    const mine = session({ owner: "user:1" });
    expect(mayChange(mine, { subject: "user:1", role: "operator" })).toBe(true);
    expect(mayChange(mine, { subject: "user:2", role: "operator" })).toBe(false);
    expect(mayChange(mine, { subject: "user:2", role: "admin" })).toBe(true);
    expect(mayChange(mine, { subject: "user:1", role: "viewer" })).toBe(false);
    expect(mayChange(mine, null)).toBe(false);
  });
});
