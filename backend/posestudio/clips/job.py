"""The `clip.render` job: render a clip's span to a temporary file, then publish it.

The MP4 is written under the data directory's `tmp/` and published whole to storage
(`put_file`: a local rename or an S3 upload that appears only when complete), so a
reader never sees half a clip. A session deleted meanwhile makes the job stop: the rows
are gone, and whatever it published after the session's objects were removed is
removed again here.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from posestudio.clips import crud
from posestudio.clips.models import ClipRow
from posestudio.clips.render import Cancelled, render
from posestudio.errors import StorageFailed
from posestudio.jobs import JobEnv, env_of
from posestudio_core.jobs import JobContext, job

log = logging.getLogger(__name__)


def scratch(env: JobEnv) -> Path:
    """Where jobs write before publishing (removed with each job's directory)."""
    path = env.settings.data_dir / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _gone(env: JobEnv, row: ClipRow) -> None:
    """The clip was deleted while rendering: leave nothing of it behind."""
    env.storage.delete_prefix(crud.clip_prefix(row.session_id, row.id))


@job("clip.render", retry_on=(StorageFailed,))
def render_clip(ctx: JobContext, payload: dict[str, Any]) -> None:
    env = env_of(ctx)
    with env.database.session() as session:
        row = crud.get_clip(session, clip_id=payload["clip_id"])
    if row is None or not crud.update(env.database, ClipRow, row.id, status="processing"):
        return
    try:
        with tempfile.TemporaryDirectory(dir=scratch(env), prefix="clip-") as tmp:
            out = Path(tmp) / "clip.mp4"
            rendered = render(
                env.storage,
                row.session_id,
                row.stream,
                row.start_ts,
                row.end_ts,
                out,
                overlay=row.overlay,
                progress=ctx.progress,
                cancelled=ctx.cancelled,
            )
            if rendered.frames == 0:
                crud.update(env.database, ClipRow, row.id, status="failed", error="no frames")
                return
            key = crud.clip_prefix(row.session_id, row.id) + "clip.mp4"
            size = env.storage.put_file(key, out)
    except (Cancelled, FileNotFoundError) as exc:
        # Cancelled, or the session's chunks vanished: deleted meanwhile, most likely.
        if not crud.update(env.database, ClipRow, row.id, status="failed", error=str(exc)):
            _gone(env, row)
        return
    except Exception as exc:
        crud.update(env.database, ClipRow, row.id, status="failed", error=str(exc)[:500])
        raise
    done = crud.update(
        env.database,
        ClipRow,
        row.id,
        status="complete",
        key=key,
        bytes=size,
        frames=rendered.frames,
        duration_s=round(rendered.duration_s, 3),
    )
    if not done:
        _gone(env, row)
