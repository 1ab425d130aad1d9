import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { TokenList } from "../../src/components/TokenList";
import type { ApiToken } from "../../src/lib/account";

const token = (name: string, scopes: string[] | null): ApiToken => ({
  id: name.length,
  owner_id: 1,
  name,
  role: "admin",
  scopes,
  prefix: "pst_abcdefgh",
  created_at: "2026-12-01T10:00:00Z",
  expires_at: null,
  last_used_at: null,
  revoked_at: null,
});

describe("TokenList", () => {
  it("shows each token's scopes, or that it has all of its role", () => {
    const html = renderToStaticMarkup(
      <TokenList
        tokens={[token("robot site", ["robot.serve"]), token("script", null)]}
        onRevoke={() => undefined}
        busy={false}
      />,
    );
    const cells = [...html.matchAll(/<td data-testid="token-scopes">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual(["robot.serve", "all of its role"]);
  });
});
