"""Validation at the edge: a message dict into its pydantic model, or `BAD_REQUEST`."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from posestudio.errors import BadRequest

M = TypeVar("M", bound=BaseModel)


def validation_error(exc: ValidationError) -> BadRequest:
    problems = [
        {"field": ".".join(str(p) for p in err["loc"]) or "(message)", "problem": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False)[:10]
    ]
    return BadRequest("malformed message", details={"errors": problems})


def parse(model: type[M], data: Any) -> M:
    if not isinstance(data, dict):
        raise BadRequest(f"expected an object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None
