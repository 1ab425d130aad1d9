"""`posestudio stream`: a video file or camera to a backend, poses back."""

from __future__ import annotations

import asyncio
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from posestudio_cli.common import access_token, backend_settings

if TYPE_CHECKING:
    from posestudio.client.run import StreamReport


class Transport(StrEnum):
    socketio = "socketio"
    webrtc = "webrtc"
    auto = "auto"


def stream(
    source: Annotated[
        str, typer.Argument(help="Video file, camera index, or 'test' for the packaged video")
    ] = "test",
    url: Annotated[str, typer.Option(help="Backend URL")] = "http://127.0.0.1:8000",
    token: Annotated[
        str | None, typer.Option(help="Access token (default: POSE_STUDIO_TOKEN or data/token)")
    ] = None,
    fps: Annotated[float, typer.Option(help="Frames per second to send")] = 10.0,
    quality: Annotated[int, typer.Option(min=1, max=100, help="JPEG quality")] = 70,
    size: Annotated[str | None, typer.Option(help="Resize to WxH, e.g. 1280x720")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write poses as JSON lines here ('-' for stdout)")
    ] = None,
    engine: Annotated[str | None, typer.Option(help="Pose engine")] = None,
    smoothing: Annotated[bool, typer.Option(help="One-Euro smoothing")] = False,
    limit: Annotated[int | None, typer.Option(help="Stop after this many frames")] = None,
    transport: Annotated[
        Transport,
        typer.Option(
            help="socketio (JPEG frames), webrtc (a video track), or auto: WebRTC when the "
            "server offers it and it connects, else Socket.IO"
        ),
    ] = Transport.socketio,
) -> None:
    """Stream a video file or camera to a backend and print or save the poses."""
    from posestudio.client.run import stream_source
    from posestudio.client.sources import parse_size, test_video_path

    resolved: str | int | Path
    if source == "test":
        resolved = test_video_path()
    elif source.isdigit():
        resolved = int(source)
    else:
        resolved = Path(source)
    access = token or os.environ.get("POSE_STUDIO_TOKEN") or access_token(backend_settings())
    from posestudio.client import PoseClientError

    to_stdout = out is not None and str(out) == "-"
    handle = sys.stdout if to_stdout else (out.open("w") if out else None)
    common = {
        "url": url,
        "token": access,
        "fps": fps,
        "size": parse_size(size) if size else None,
        "out": handle,
        "engine": engine,
        "smoothing": smoothing,
        "limit": limit,
    }

    async def run() -> StreamReport:
        if transport is not Transport.socketio:
            from posestudio.client.webrtc import stream_source_webrtc

            try:
                return await stream_source_webrtc(resolved, **common)  # type: ignore[arg-type]
            except (PoseClientError, TimeoutError) as exc:
                if transport is Transport.webrtc:
                    raise
                typer.echo(f"WebRTC unavailable ({exc or 'ICE timeout'}): Socket.IO", err=True)
        return await stream_source(
            resolved,
            quality=quality,
            show_progress=sys.stderr.isatty(),
            **common,  # type: ignore[arg-type]
        )

    try:
        report = asyncio.run(run())
    except TimeoutError:
        typer.echo("error: WebRTC did not connect", err=True)
        raise typer.Exit(2) from None
    except PoseClientError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        if handle is not None and not to_stdout:
            handle.close()
    p50 = report.latency_p50
    summary = (
        f"sent {report.sent} frames, got {report.poses} poses ({report.with_person} with a "
        f"person), skipped {report.skipped}, server dropped {report.dropped}, "
        f"latency p50 {p50:.1f} ms"
        + (f", {report.bytes_sent} bytes up" if report.bytes_sent is not None else "")
        if p50 is not None
        else "no poses received"
    )
    # With poses on stdout, the summary goes to stderr so the JSON lines stay clean.
    typer.echo(summary, err=to_stdout)
    for error in report.errors[:5]:
        typer.echo(f"error: {error.get('code')}: {error.get('message')}", err=True)
    if report.poses == 0:
        raise typer.Exit(1)
