"""Which action each HTTP route of an app declares, read from the app itself."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, routing

from posestudio_core.deps import Require, public


def _declared(dependant: Any) -> list[str]:
    found: list[str] = []
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Require):
            found.append(dependency.call.action.value)
        elif dependency.call is public:
            found.append("public")
        found.extend(_declared(dependency))
    return found


def route_actions(app: FastAPI) -> dict[str, list[str]]:
    """`"GET /api/engines" -> ["engines.read"]` for every API route (empty: none declared).

    FastAPI's own documentation routes (`/docs`, `/openapi.json`) carry no data and
    are left out.
    """
    actions: dict[str, list[str]] = {}
    for context in routing.iter_route_contexts(app.routes):
        if not isinstance(context.original_route, routing.APIRoute):
            continue
        methods = ",".join(sorted(context.methods or ()))
        actions[f"{methods} {context.path}"] = _declared(context.dependant)
    return actions
