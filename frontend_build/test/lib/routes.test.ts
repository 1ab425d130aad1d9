import { describe, expect, it } from "vitest";
import { parseRoute, routeHash, setupPathRedirect, type Route } from "../../src/lib/routes";

describe("routes", () => {
  it("parse each page from the hash", () => {
    expect(parseRoute("")).toEqual({ page: "studio" });
    expect(parseRoute("#/")).toEqual({ page: "studio" });
    expect(parseRoute("#/signin")).toEqual({ page: "signin" });
    expect(parseRoute("#/setup?code=a%2Bb")).toEqual({ page: "setup", code: "a+b" });
    expect(parseRoute("#/tokens")).toEqual({ page: "tokens" });
    expect(parseRoute("#/admin")).toEqual({ page: "admin", tab: "users", auditPage: 1 });
    expect(parseRoute("#/admin/audit?page=3")).toEqual({ page: "admin", tab: "audit", auditPage: 3 });
  });

  it("parse the library's search, tag and page, and the settings", () => {
    expect(parseRoute("#/library")).toEqual({ page: "library", q: "", tag: "", pageNo: 1 });
    expect(parseRoute("#/library?q=squat&tag=coach&page=2")).toEqual({
      page: "library",
      q: "squat",
      tag: "coach",
      pageNo: 2,
    });
    expect(parseRoute("#/library?page=0")).toMatchObject({ pageNo: 1 });
    expect(routeHash({ page: "library", q: "a b", tag: "", pageNo: 1 })).toBe("#/library?q=a+b");
    expect(parseRoute("#/settings")).toEqual({ page: "settings" });
  });

  it("fall back to something sensible for unknown or bad parts", () => {
    expect(parseRoute("#/nowhere")).toEqual({ page: "studio" });
    expect(parseRoute("#/admin/secrets")).toEqual({ page: "admin", tab: "users", auditPage: 1 });
    expect(parseRoute("#/admin/audit?page=-2")).toEqual({ page: "admin", tab: "audit", auditPage: 1 });
    expect(parseRoute("#/admin/audit?page=x")).toEqual({ page: "admin", tab: "audit", auditPage: 1 });
  });

  it("write hashes that parse back to the same route", () => {
    const routes: Route[] = [
      { page: "studio" },
      { page: "signin" },
      { page: "setup", code: "Zq-_9/+=" },
      { page: "tokens" },
      { page: "admin", tab: "tokens", auditPage: 1 },
      { page: "admin", tab: "audit", auditPage: 4 },
      { page: "library", q: "", tag: "", pageNo: 1 },
      { page: "library", q: "squats & lunges", tag: "coach/1", pageNo: 3 },
      { page: "settings" },
    ];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });
});

describe("setupPathRedirect", () => {
  it("turns the printed setup address into the studio's setup route", () => {
    expect(setupPathRedirect("http://127.0.0.1:8000/setup?code=abc_D-1")).toBe("/#/setup?code=abc_D-1");
    expect(setupPathRedirect("http://lab.example/studio/setup/?code=x&server=y")).toBe(
      "/studio/?server=y#/setup?code=x",
    );
  });

  it("leaves every other address alone", () => {
    expect(setupPathRedirect("http://127.0.0.1:8000/?token=t")).toBeNull();
    expect(setupPathRedirect("http://127.0.0.1:8000/#/setup?code=abc")).toBeNull();
  });
});

describe("the session route", () => {
  it("parses the replay of a session at a time, and writes it back", () => {
    expect(parseRoute("#/sessions/se_Ab3dEf9hIjKl")).toEqual({
      page: "session",
      id: "se_Ab3dEf9hIjKl",
      t: null,
    });
    expect(parseRoute("#/sessions/se_x?t=12.5")).toEqual({ page: "session", id: "se_x", t: 12.5 });
    expect(parseRoute("#/sessions/se_x?t=-1")).toEqual({ page: "session", id: "se_x", t: null });
    expect(parseRoute("#/sessions/se_x?t=soon")).toEqual({ page: "session", id: "se_x", t: null });
    expect(parseRoute("#/sessions")).toEqual({ page: "studio" });
    expect(routeHash({ page: "session", id: "se_x", t: 3.14159 })).toBe("#/sessions/se_x?t=3.14");
    for (const route of [
      { page: "session", id: "se_Ab3dEf9hIjKl", t: null },
      { page: "session", id: "se_a-b_c", t: 61.25 },
    ] as Route[])
      expect(parseRoute(routeHash(route))).toEqual(route);
  });
});
