"""What the backend knows of each robot now: its service link, status, lease, telemetry."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from posestudio.protocol.robots import ACTIONS, RobotConfig
from posestudio_core.auth import Principal


@dataclass
class Control:
    """A lease: one connection of one person controls the robot; summed for the audit log."""

    holder: Principal
    sid: str
    since: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)
    drives: int = 0
    clamped: int = 0
    peak: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    client_seq: int = -1
    source: str = "keys"

    def summary(self, reason: str) -> dict[str, Any]:
        return {
            "drives": self.drives,
            "clamped": self.clamped,
            "peak": {"x": self.peak[0], "y": self.peak[1], "z": self.peak[2]},
            "seconds": round(time.monotonic() - self.since, 3),
            "reason": reason,
        }


@dataclass
class RobotState:
    config: RobotConfig
    status: str = "offline"
    detail: str | None = None
    service: str | None = None
    """The sid of the robot service that holds the link (from its `robot_status`)."""
    estopped: bool = False
    lease: Control | None = None
    telemetry: dict[str, Any] | None = None
    pushed_at: float = 0.0
    push_due: bool = False

    @property
    def online(self) -> bool:
        return self.service is not None and self.status in ("online", "degraded", "estopped")

    def public(self) -> dict[str, Any]:
        return {
            "id": self.config.id,
            "name": self.config.name,
            "model": self.config.model,
            "status": self.status,
            "controller": self.lease.holder.subject if self.lease else None,
            "estopped": self.estopped,
            "actions": list(ACTIONS[self.config.model]),
            "limits": self.config.limits.model_dump(),
            "telemetry": self.telemetry,
        }


@dataclass
class RobotStats:
    """Plain counters the hot paths bump; the collector reads them at scrape time."""

    commands: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    estops: int = 0
    clamps: int = 0
    telemetry_in: int = 0
    telemetry_out: int = 0
