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
