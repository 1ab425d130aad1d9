/**
 * What a role may do in the studio, so that nobody sees a control they cannot use. The
 * server decides (`posestudio_core/permissions.py`, `LOWEST_ROLE`); this is the part of
 * that table the studio's controls need, with the same lowest roles.
 */

export type Role = "viewer" | "operator" | "admin";

/** Ordered: each role may do everything the roles before it may. */
export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function atLeast(role: Role | null, lowest: Role): boolean {
  return role !== null && roleRank(role) >= roleRank(lowest);
}

/** The studio's actions and the lowest role allowed each (the server's action names). */
export const LOWEST_ROLE = {
  "stream.start": "operator",
  "stream.watch": "viewer",
  "agent.ask": "viewer",
  "account.manage": "viewer",
  "users.manage": "admin",
  "tokens.manage": "admin",
  "audit.read": "admin",
  "session.read": "viewer",
  "session.record": "operator",
  "session.export": "operator",
  "session.delete": "operator",
} as const satisfies Record<string, Role>;

export type StudioAction = keyof typeof LOWEST_ROLE;

export function may(role: Role | null, action: StudioAction): boolean {
  return atLeast(role, LOWEST_ROLE[action]);
}

/** What the studio shows to someone with this role (null: not known yet, show nothing). */
export interface Visibility {
  /** Start camera, Add camera and each tile's camera controls. */
  streamCameras: boolean;
  ask: boolean;
  /** The account menu's "My API tokens". */
  ownTokens: boolean;
  /** The admin page and its link. */
  admin: boolean;
  /** Record buttons; rename, tag, share and delete in the library. */
  record: boolean;
  /** The library's export menu. */
  exportSessions: boolean;
}

export function visibilityFor(role: Role | null, { person }: { person: boolean }): Visibility {
  return {
    streamCameras: may(role, "stream.start"),
    ask: may(role, "agent.ask"),
    // The bootstrap token belongs to no account, so it owns no tokens.
    ownTokens: person && may(role, "account.manage"),
    admin: may(role, "users.manage"),
    record: may(role, "session.record"),
    exportSessions: may(role, "session.export"),
  };
}

/** The roles one may give a new token: none above one's own. */
export function assignableRoles(role: Role): Role[] {
  return ROLES.filter((r) => roleRank(r) <= roleRank(role));
}

/** What a new token may be limited to (its `scopes`), and the role each needs. */
export interface TokenLimit {
  label: string;
  /** null: everything the token's role allows. */
  scopes: string[] | null;
  /** The token's role: the lowest that may do these actions (null: any). */
  role: Role | null;
}

export const TOKEN_LIMITS: readonly TokenLimit[] = [
  { label: "everything its role allows", scopes: null, role: null },
  { label: "streaming a camera only", scopes: ["stream.start", "stream.stop"], role: "operator" },
  // docs/robots.md: the robot service's token, which receives the robots' AES keys.
  { label: "the robot service only (robot.serve)", scopes: ["robot.serve"], role: "admin" },
];

/** The limits one may put on a new token: those whose actions one's role allows. */
export function tokenLimits(role: Role): TokenLimit[] {
  return TOKEN_LIMITS.filter((limit) => limit.role === null || atLeast(role, limit.role));
}
