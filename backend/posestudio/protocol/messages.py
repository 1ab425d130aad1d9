"""The `/pose` protocol's message models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

# Re-exported: the agent checks the same names through the core.
from posestudio_core.ids import STREAM_ID_PATTERN as STREAM_ID_PATTERN

SCHEMA = "pose_v1"


class SmoothingConfig(BaseModel):
    """One-Euro filter parameters; see `smoothing.py`."""

    model_config = ConfigDict(extra="forbid")

    min_cutoff: float = Field(1.0, gt=0, le=100)
    beta: float = Field(0.05, ge=0, le=100)
    d_cutoff: float = Field(1.0, gt=0, le=100)


class StartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stream_id: str = Field(pattern=STREAM_ID_PATTERN)
    engine: str | None = Field(None, max_length=64)
    # `true` means defaults, `false`/absent means off, an object sets the parameters.
    smoothing: SmoothingConfig | bool | None = None

    def smoothing_config(self) -> SmoothingConfig | None:
        if self.smoothing is True:
            return SmoothingConfig()
        if isinstance(self.smoothing, SmoothingConfig):
            return self.smoothing
        return None


class StopRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stream_id: str = Field(pattern=STREAM_ID_PATTERN)


class FrameMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stream_id: str = Field(pattern=STREAM_ID_PATTERN)
    seq: StrictInt = Field(ge=0, le=2**53)
    capture_ts: StrictFloat | StrictInt = Field(ge=0, le=1e15)
