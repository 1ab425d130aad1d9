"""What every service's FastAPI app shares: CORS, one error shape, health and metrics.

Every error a client gets, ours or FastAPI's own (unknown route, wrong method, a body
that does not validate), has the one shape `{"error": {code, message, details?}}`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from posestudio_core import __version__
from posestudio_core.auth import Authenticator, scrape_allowed
from posestudio_core.deps import public
from posestudio_core.docs import install_docs
from posestudio_core.errors import (
    BadRequest,
    PoseStudioError,
    Unauthorized,
    validation_problems,
)
from posestudio_core.settings import ServiceSettings

# Codes for FastAPI's and Starlette's own HTTP errors, by status.
HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "RATE_LIMITED",
}

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def error_response(
    code: str,
    message: str,
    status: int,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def validation_error(errors: Sequence[Any], message: str = "malformed request") -> BadRequest:
    """A `BadRequest` listing pydantic's problems as `details.errors: [{field, problem}]`."""
    return BadRequest(message, details={"errors": validation_problems(errors)})


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PoseStudioError)
    return JSONResponse({"error": exc.to_wire()}, status_code=exc.http_status)


async def _invalid_request(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    error = validation_error(exc.errors())
    # 422, as FastAPI answers it, in our shape.
    return error_response(error.code, error.message, 422, error.details)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "BAD_REQUEST" if exc.status_code < 500 else "INTERNAL")
    details: dict[str, Any] = {"path": request.url.path}
    if exc.status_code == 405:
        details["method"] = request.method
        allow = (exc.headers or {}).get("Allow")
        if allow:
            details["allowed"] = [m.strip() for m in allow.split(",")]
    return error_response(code, str(exc.detail), exc.status_code, details, exc.headers)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # Starlette re-raises the exception after this answer, so the server logs it once.
    return error_response("INTERNAL", "internal error", 500)


def install_error_handlers(app: FastAPI) -> None:
    """Domain errors, FastAPI's 404/405/422 and anything unexpected: one shape."""
    app.add_exception_handler(PoseStudioError, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def install_cors(app: FastAPI, origins: Sequence[str]) -> None:
    """Let these browser origins call the API (none: same-origin only)."""
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )


def service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    lifespan: Lifespan,
    authenticator: Authenticator,
    metrics: CollectorRegistry,
    **state: Any,
) -> FastAPI:
    """A service's FastAPI app with CORS and the one error shape.

    `app.state` holds what the shared dependencies read (`settings`, `authenticator`
    for `require`, `metrics_registry` for `metrics_router`) and the service's own `state`.
    """
    app = FastAPI(
        title=title,
        version=__version__,
        description=description,
        lifespan=lifespan,
        # FastAPI's own pages load Swagger UI and ReDoc from a CDN: served locally instead.
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)
    app.state.settings = settings
    app.state.authenticator = authenticator
    app.state.metrics_registry = metrics
    for name, value in state.items():
        setattr(app.state, name, value)
    install_cors(app, settings.cors_origins)
    install_error_handlers(app)
    return app


def probe_router(
    path: str,
    check: Callable[[Request], tuple[bool, dict[str, Any]]],
    *,
    summary: str,
    unavailable: str,
    tags: Sequence[str] = ("health",),
) -> APIRouter:
    """A public probe: `check(request)` gives (ok, body); 200 when ok, else 503."""
    router = APIRouter(tags=list(tags), dependencies=[Depends(public)])

    def probe(request: Request) -> JSONResponse:
        ok, body = check(request)
        return JSONResponse(body, status_code=200 if ok else 503)

    router.add_api_route(
        path,
        probe,
        methods=["GET"],
        summary=summary,
        description=summary,
        responses={503: {"description": unavailable}},
    )
    return router


def metrics_router(path: str, *, summary: str, tags: Sequence[str] = ("health",)) -> APIRouter:
    """Prometheus text from `app.state.metrics_registry`, collected at scrape time;
    behind `settings.metrics_token` when one is set."""
    router = APIRouter(tags=list(tags), dependencies=[Depends(public)])

    def metrics(request: Request) -> Response:
        settings: ServiceSettings = request.app.state.settings
        expected = settings.metrics_token.get_secret_value() if settings.metrics_token else None
        if not scrape_allowed(expected, request.headers.get("authorization")):
            raise Unauthorized("missing or wrong metrics token")
        registry: CollectorRegistry = request.app.state.metrics_registry
        return Response(content=generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    router.add_api_route(
        path,
        metrics,
        methods=["GET"],
        response_class=Response,
        summary=summary,
        description=summary,
    )
    return router
