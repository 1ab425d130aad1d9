"""axe-core (installed from npm with the studio) run in a browser page: WCAG 2 A and AA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page as AsyncPage
from playwright.sync_api import Page

AXE = (
    Path(__file__).resolve().parents[2]
    / "frontend_build"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
RUN = """async () => (await axe.run(document, {runOnly: ["wcag2a", "wcag2aa"]}))
  .violations.map((v) => ({id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target)}))"""
LOADED = "() => typeof window.axe !== 'undefined'"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The page's violations as it is now (empty: none)."""
    if not page.evaluate(LOADED):
        page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(RUN)
    return result


async def axe_violations_async(page: AsyncPage) -> list[dict[str, Any]]:
    """`axe_violations` for Playwright's async API."""
    if not await page.evaluate(LOADED):
        await page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = await page.evaluate(RUN)
    return result
