"""The shared app helpers on a real app over a real socket: one error shape for our
errors and FastAPI's own, CORS from settings, probes and the metrics scrape token."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from prometheus_client import CollectorRegistry, Counter
from pydantic import BaseModel

from posestudio_core.auth import TokenAuthenticator
from posestudio_core.deps import public
from posestudio_core.errors import Conflict
from posestudio_core.http import metrics_router, probe_router, service_app
from posestudio_core.settings import ServiceSettings
from tests.utils.servers import uvicorn_server


class Body(BaseModel):
    count: int


@contextlib.asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    settings = ServiceSettings(
        environment="test",
        cors_origins=["https://studio.example"],
        metrics_token="scrape-0123456789abcdef",
    )
    metrics = CollectorRegistry()
    Counter("pose_demo_total", "a demo", registry=metrics).inc()
    app = service_app(
        settings,
        title="t",
        description="d",
        lifespan=lifespan,
        authenticator=TokenAuthenticator("unused-token"),
        metrics=metrics,
        healthy=True,
    )

    @app.post("/things", dependencies=[Depends(public)])
    def create(body: Body) -> dict[str, int]:
        if body.count == 7:
            raise Conflict("seven exists", details={"count": 7})
        if body.count == 13:
            raise RuntimeError("unlucky")
        return {"count": body.count}

    def check(request: Request) -> tuple[bool, dict[str, Any]]:
        healthy: bool = request.app.state.healthy
        return healthy, {"healthy": healthy}

    app.include_router(probe_router("/ready", check, summary="s", unavailable="u"))
    app.include_router(metrics_router("/metrics", summary="m"))

    @app.post("/sick", dependencies=[Depends(public)])
    def sick(request: Request) -> None:
        request.app.state.healthy = False

    with uvicorn_server(app) as base:
        yield base


def test_unknown_route_is_not_found_in_the_one_shape(url: str) -> None:
    response = httpx.get(f"{url}/nowhere")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "NOT_FOUND", "message": "Not Found", "details": {"path": "/nowhere"}}
    }


def test_wrong_method_is_method_not_allowed(url: str) -> None:
    response = httpx.get(f"{url}/things")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == {
        "error": {
            "code": "METHOD_NOT_ALLOWED",
            "message": "Method Not Allowed",
            "details": {"path": "/things", "method": "GET", "allowed": ["POST"]},
        }
    }


def test_an_invalid_body_is_a_bad_request_listing_the_problems(url: str) -> None:
    response = httpx.post(f"{url}/things", json={"count": "many"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "BAD_REQUEST"
    assert error["details"]["errors"][0]["field"] == "body.count"
    broken = httpx.post(f"{url}/things", content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    assert broken.json()["error"]["code"] == "BAD_REQUEST"


def test_domain_errors_keep_their_code_and_status(url: str) -> None:
    response = httpx.post(f"{url}/things", json={"count": 7})
    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "CONFLICT", "message": "seven exists", "details": {"count": 7}}
    }


def test_an_unexpected_error_is_internal_and_says_nothing_more(url: str) -> None:
    response = httpx.post(f"{url}/things", json={"count": 13})
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "INTERNAL", "message": "internal error"}}


def test_cors_comes_from_settings(url: str) -> None:
    allowed = httpx.get(f"{url}/ready", headers={"Origin": "https://studio.example"})
    other = httpx.get(f"{url}/ready", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://studio.example"
    assert "access-control-allow-origin" not in other.headers


def test_metrics_need_the_scrape_token(url: str) -> None:
    assert httpx.get(f"{url}/metrics").status_code == 401
    wrong = httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.json()["error"]["code"] == "UNAUTHORIZED"
    scraped = httpx.get(
        f"{url}/metrics", headers={"Authorization": "Bearer scrape-0123456789abcdef"}
    )
    assert scraped.status_code == 200
    assert "pose_demo_total 1.0" in scraped.text


def test_a_probe_answers_503_when_its_check_fails(url: str) -> None:
    assert httpx.get(f"{url}/ready").json() == {"healthy": True}
    httpx.post(f"{url}/sick")
    response = httpx.get(f"{url}/ready")
    assert response.status_code == 503
    assert response.json() == {"healthy": False}


def test_the_api_docs_load_their_assets_from_this_server_only(url: str) -> None:
    for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        html = httpx.get(url + page).text
        assert f'src="/docs-assets/{asset}"' in html, page
        assert "https://" not in html, page  # no CDN, no web fonts
        script = httpx.get(f"{url}/docs-assets/{asset}")
        assert script.status_code == 200 and len(script.content) > 100_000
