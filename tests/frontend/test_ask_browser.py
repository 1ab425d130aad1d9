"""The studio's Ask panel with a model: the embedded agent asks the (fake) model, which
calls pose_stats on the backend, and the answer is pushed to the page."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.utils.fake_openai import FakeModelServer, prompted_stream_ids, tool_data, tool_outputs
from tests.utils.server import wait_for
from tests.utils.studio_backend import Backend
from tests.utils.studio_page import QUESTION, open_ask_panel, received, server_streams, tile_number

pytestmark = pytest.mark.browser


def test_ask_answers_from_the_persons_own_pose_data(
    browser: Browser, backend_with_agent: Backend, fake_model: FakeModelServer, artifacts: Path
) -> None:
    """Streaming in the studio, a person asks about their knee: the embedded agent asks the
    model, which calls pose_stats on the backend, and the answer is pushed to the page."""
    backend = backend_with_agent
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    agent_requests: list[str] = []
    page.on("request", lambda r: "/agent/" in r.url and agent_requests.append(r.url))
    try:
        page.goto(f"{backend.url}/?token={backend.token}")
        page.get_by_test_id("add-stream").click()
        tile = page.get_by_test_id("stream-tile").first
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        expect(tile.get_by_test_id("landmark-count")).to_have_text("33", timeout=10_000)
        wait_for(lambda: tile_number(page, 0, "frames-sent") >= 15, 20, "15 frames sent")
        stream_id = tile.get_attribute("data-stream-id")
        assert stream_id

        ws, frames = open_ask_panel(page)
        # Connected before asking, so the answer can only come by push: nothing polls.
        received(ws, frames, lambda f: f.startswith("40/agent,"))
        page.get_by_test_id("ask-input").fill(QUESTION)
        started = time.monotonic()
        with page.expect_response("**/agent/invoke") as invoked:
            page.get_by_test_id("ask-submit").click()
        assert invoked.value.status == 202
        assert invoked.value.request.post_data_json == {
            "question": QUESTION,
            "stream_ids": [stream_id],
        }
        assert invoked.value.request.headers["authorization"] == f"Bearer {backend.token}"
        request_id = invoked.value.json()["request_id"]

        answer = page.get_by_test_id("ask-answer")
        expect(answer).to_contain_text("<b>not markup</b>", timeout=30_000)
        elapsed = time.monotonic() - started
        (key,) = [s["id"] for s in server_streams(backend) if s["stream_id"] == stream_id]
        response = httpx.get(
            f"{backend.url}/api/streams/{key}/stats",
            params={"window": 60},
            headers={"Authorization": f"Bearer {backend.token}"},
        )
        response.raise_for_status()
        stats_now = response.json()

        # The model was asked about the studio's stream, which the question does not name,
        # and quoted the figures the backend's pose_stats gave it.
        calls = [r for r in fake_model.requests if tool_outputs(r)]
        assert len(fake_model.requests) == 2 and len(calls) == 1
        assert prompted_stream_ids(fake_model.requests[0]) == [stream_id]
        assert stream_id not in QUESTION
        stats = tool_data(tool_outputs(calls[0])[-1])
        knee = stats["angles"]["left_knee"]
        assert stats["stream_id"] == stream_id and stats["samples"] >= 15
        expect(answer).to_contain_text(f"moved through {knee['range_of_motion']}°")
        expect(answer).to_contain_text(f"from {knee['min']}° to {knee['max']}°")
        # Those are this stream's own samples: the stream is younger than the 60 s window,
        # so the backend's window still starts at its first pose, and the extremes can only
        # have widened since.
        now = stats_now["angles"]["left_knee"]
        assert stats_now["first_ts"] == stats["first_ts"]
        assert now["min"] <= knee["min"] and now["max"] >= knee["max"]
        # Text, not markup: markdown renders, HTML shows as the characters it is.
        assert answer.locator("b").count() == 0
        assert answer.locator("strong").inner_text() == "Keep it up."

        tools = page.get_by_test_id("ask-tools")
        expect(tools.locator("li")).to_have_count(1)
        expect(tools.locator("li")).to_have_text("pose_stats ok")
        assert not [u for u in agent_requests if "/agent/result" in u], agent_requests
        pushed = received(
            ws, frames, lambda f: f.startswith('42/agent,["agent_result"') and request_id in f
        )
        assert '"status":"complete"' in pushed.replace(" ", "")

        # The moments of the knee's extremes, from the tool result, are clickable times.
        panel = page.get_by_test_id("ask-panel")
        extreme = panel.get_by_role("button", name=re.compile(r"left knee max"))
        expect(extreme).to_have_count(1)
        expect(extreme).to_contain_text(f"left knee max {knee['max']:.0f}°")
        extreme.click()
        expect(panel).to_contain_text("s ago on")
        expect(tile.get_by_test_id("sparkline-highlight")).to_have_count(1)
        page.screenshot(path=str(artifacts / "studio-ask.png"))
        print(
            f"\nAsk: invoke to answer on screen {elapsed * 1000:.0f} ms; left knee range "
            f"{knee['range_of_motion']}° over {stats['samples']} poses"
        )
        assert elapsed < 10.0, "an answer within seconds"

        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("button", name="Close the Ask panel").click()
        expect(tile.get_by_test_id("stream-status")).to_have_text("live")
        page.screenshot(path=str(artifacts / "studio-phone.png"), full_page=True)
    except Exception:
        page.screenshot(path=str(artifacts / "studio-ask-failure.png"))
        print(backend.log_path.read_text()[-3000:])
        raise
    finally:
        context.close()
