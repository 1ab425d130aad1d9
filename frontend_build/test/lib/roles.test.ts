import { describe, expect, it } from "vitest";
import {
  assignableRoles,
  atLeast,
  may,
  roleRank,
  ROLES,
  tokenLimits,
  visibilityFor,
} from "../../src/lib/roles";

describe("roles", () => {
  it("are ordered viewer < operator < admin", () => {
    expect(ROLES.map(roleRank)).toEqual([0, 1, 2]);
    expect(atLeast("operator", "viewer")).toBe(true);
    expect(atLeast("viewer", "operator")).toBe(false);
    expect(atLeast(null, "viewer")).toBe(false);
  });

  it("allow streaming from operator up, people and the audit log to admins", () => {
    expect(ROLES.filter((r) => may(r, "stream.start"))).toEqual(["operator", "admin"]);
    expect(ROLES.filter((r) => may(r, "stream.watch"))).toEqual(["viewer", "operator", "admin"]);
    expect(ROLES.filter((r) => may(r, "users.manage"))).toEqual(["admin"]);
    expect(ROLES.filter((r) => may(r, "audit.read"))).toEqual(["admin"]);
  });

  it("give new tokens no role above one's own", () => {
    expect(assignableRoles("viewer")).toEqual(["viewer"]);
    expect(assignableRoles("operator")).toEqual(["viewer", "operator"]);
    expect(assignableRoles("admin")).toEqual(["viewer", "operator", "admin"]);
  });
});

describe("visibilityFor", () => {
  it("shows a viewer no camera controls and no admin page, but their own tokens", () => {
    expect(visibilityFor("viewer", { person: true })).toEqual({
      streamCameras: false,
      ask: true,
      ownTokens: true,
      admin: false,
      record: false,
      exportSessions: false,
    });
  });

  it("shows an operator the cameras, not the admin page", () => {
    expect(visibilityFor("operator", { person: true })).toMatchObject({
      streamCameras: true,
      admin: false,
      record: true,
      exportSessions: true,
    });
  });

  it("shows an admin everything; the bootstrap token owns no tokens", () => {
    expect(visibilityFor("admin", { person: true })).toEqual({
      streamCameras: true,
      ask: true,
      ownTokens: true,
      admin: true,
      record: true,
      exportSessions: true,
    });
    expect(visibilityFor("admin", { person: false })).toMatchObject({ ownTokens: false, admin: true });
  });

  it("shows nothing while the role is unknown (a refused token)", () => {
    expect(visibilityFor(null, { person: false })).toEqual({
      streamCameras: false,
      ask: false,
      ownTokens: false,
      admin: false,
      record: false,
      exportSessions: false,
    });
  });
});

describe("tokenLimits", () => {
  it("offers the robot service's scope to admins only, streaming from operator up", () => {
    const labels = (role: "viewer" | "operator" | "admin") => tokenLimits(role).map((l) => l.scopes);
    expect(labels("viewer")).toEqual([null]);
    expect(labels("operator")).toEqual([null, ["stream.start", "stream.stop"]]);
    expect(labels("admin")).toEqual([null, ["stream.start", "stream.stop"], ["robot.serve"]]);
  });
});
