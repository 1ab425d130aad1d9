"""`posestudio worker`: run the backend's jobs (clips, exports) from RQ on Redis."""

from __future__ import annotations

from typing import Annotated

import typer

from posestudio_cli.common import configure_logging


def worker(
    burst: Annotated[bool, typer.Option(help="Exit when the queue is empty")] = False,
) -> None:
    """Run clip and export jobs from the RQ queue on POSE_STUDIO_REDIS_URL (same settings
    as the server: its database and storage)."""
    from posestudio.jobs import build_worker
    from posestudio.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level)
    try:
        rq_worker = build_worker(settings)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    rq_worker.work(burst=burst, with_scheduler=False)
