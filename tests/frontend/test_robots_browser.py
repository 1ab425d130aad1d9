"""The Robot panel in headless Chromium, against the real app (accounts and robots on a
real socket, no pose engine) and a robot service client: telemetry shows (and the robot
stands in 3D where its pose says), the keyboard and a gamepad drive at the fixed rate
while control is held, Escape e-stops, a recorded behaviour is saved, and releasing stops
the robot."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from posestudio.accounts.service import Accounts
from posestudio.app import create_app
from posestudio.engines import EngineRegistry
from posestudio.robots.service import Robots
from posestudio.runtime import build_runtime
from posestudio.settings import Settings
from tests.frontend.conftest import CHROMIUM, DIST
from tests.utils.axe import axe_violations_async
from tests.utils.robots import FakeService, service
from tests.utils.servers import uvicorn_server

pytestmark = pytest.mark.browser

TOKEN = "robots-browser-token-0123456789"
# The page's own navigator.getGamepads, so a test can hold a stick.
GAMEPAD = "window.__pads = []; navigator.getGamepads = () => window.__pads;"


@pytest.fixture(scope="module")
def studio(studio_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("robots-studio")
    settings = Settings(
        environment="test",
        token=TOKEN,
        data_dir=data,
        database_url=f"sqlite:///{data / 'posestudio.db'}",
        frontend_dir=DIST,
    )
    accounts = Accounts(settings, bootstrap_token=TOKEN)
    runtime = build_runtime(
        settings,
        authenticator=accounts.authenticator,
        registry=EngineRegistry({}),
        accounts=accounts,
        robots=Robots(settings, database=accounts.database),
    )
    with uvicorn_server(create_app(runtime)) as url:
        yield url


@contextlib.asynccontextmanager
async def panel_page() -> AsyncIterator[Page]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = await browser.new_page()
            await page.add_init_script(GAMEPAD)
            yield page
        finally:
            await browser.close()


async def moving(svc: FakeService, axis: str, positive: bool) -> dict[str, float]:
    command = await svc.peer.until(
        "seen",
        lambda c: c["command"]["kind"] == "move" and (c["command"][axis] > 0) == positive,
    )
    body: dict[str, float] = command["command"]
    return body


def test_drive_estop_and_record_from_the_panel(studio: str, artifacts: Path) -> None:
    # On a thread of its own: the other browser tests' sync Playwright holds a running
    # event loop in this thread for the whole session.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, drive_estop_and_record(studio, artifacts)).result()


async def drive_estop_and_record(studio: str, artifacts: Path) -> None:
    async with panel_page() as page:
        await _drive_estop_and_record(studio, page, artifacts)


async def _drive_estop_and_record(studio: str, page: Page, artifacts: Path) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"name": "rex", "model": "go2", "method": "local_sta", "address": "127.0.0.1"}
    rex = httpx.post(f"{studio}/api/robots", json=body, headers=headers).json()["id"]
    async with service(studio, TOKEN) as svc:
        await svc.hello()
        await svc.online(rex)
        telemetry = {"robot_id": rex, "ts": 1.0, "battery": {"soc": 15.0}, "mode": "stand"}
        await svc.peer.emit("robot_telemetry", telemetry)

        await page.goto(f"{studio}/?token={TOKEN}#/robots")
        card = page.get_by_test_id("robot-rex")
        await expect(card.get_by_test_id("robot-status")).to_have_text("online")
        await expect(card.get_by_test_id("telemetry")).to_contain_text("Battery 15 %")
        await expect(card).to_contain_text("Low battery")
        # The robot in the 3D view, where its telemetry pose says.
        view = page.get_by_test_id("robot-3d")
        await expect(view).to_have_attribute("data-webgl", "ok", timeout=15_000)
        await svc.peer.emit(
            "robot_telemetry", {**telemetry, "pose": {"x": 1.5, "y": -0.5, "yaw": 0.3}}
        )
        await expect(view).to_have_attribute("data-pose", "1.50,-0.50,0.30")
        await page.screenshot(path=str(artifacts / "robots-3d.png"), full_page=True)
        assert await axe_violations_async(page) == []

        await page.get_by_test_id("take").click()
        await expect(page.get_by_test_id("release")).to_be_visible()
        await moving(svc, "x", False)  # zeros at the fixed rate while held
        await page.keyboard.down("w")
        pressed = time.monotonic()
        forward = await moving(svc, "x", True)
        # Promptly: well inside the lease's idle end (3 s).
        assert forward["x"] == pytest.approx(0.36) and time.monotonic() - pressed < 2.5
        await page.keyboard.up("w")
        await moving(svc, "x", False)
        await page.evaluate("window.__pads = [{connected: true, axes: [0, -1, 0, 0]}]")
        assert (await moving(svc, "x", True))["x"] == pytest.approx(0.6)
        await page.evaluate("window.__pads = []")
        await moving(svc, "x", False)

        await page.keyboard.press("Escape")
        estop = await svc.seen("estop")
        assert estop["robot_id"] == rex
        await expect(card.get_by_test_id("robot-status")).to_have_text("e-stopped")
        await page.get_by_test_id("clear-estop").click()
        await svc.seen("clear_estop")
        await expect(card.get_by_test_id("robot-status")).to_have_text("online")

        await page.get_by_label("Behaviour name").fill("nudge")
        await page.get_by_test_id("record-behaviour").click()
        await page.keyboard.down("a")
        await moving(svc, "y", True)
        await page.keyboard.up("a")
        await page.get_by_test_id("record-behaviour").click()
        await expect(page.get_by_test_id("behaviours")).to_contain_text("nudge")

        await page.get_by_test_id("release").click()
        await svc.seen("stop")
        await expect(page.get_by_test_id("take")).to_be_enabled()
    saved = httpx.get(f"{studio}/api/behaviours", headers=headers).json()["behaviours"]
    assert [b["name"] for b in saved] == ["nudge"]
    assert any(s["command"].get("y", 0) > 0 for s in saved[0]["steps"])
