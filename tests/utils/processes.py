"""Running the `posestudio` command line as a real process, as a person would."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.utils.serverlogs import log_file


def clean_environ() -> dict[str, str]:
    """This process's environment without any POSE_STUDIO_* setting a developer may have."""
    return {k: v for k, v in os.environ.items() if not k.startswith("POSE_STUDIO_")}


@contextmanager
def posestudio(
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    ready: str,
    timeout: float = 90.0,
    output: list[str] | None = None,
    processes: list[subprocess.Popen[str]] | None = None,
) -> Iterator[re.Match[str]]:
    """Run `posestudio ARGS` until a line of its output matches `ready`; yields the match.

    The process is stopped with SIGTERM (then killed) when the block ends; `output`, when
    given, then holds every line it wrote; `processes`, when given, gets the process.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "posestudio_cli", *args],
        env={**clean_environ(), **env},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if processes is not None:
        processes.append(process)
    lines: queue.Queue[str | None] = queue.Queue()
    output = [] if output is None else output

    # Every line also goes to the session's server logs (checked for tokens at the end).
    logged = log_file(f"posestudio-{'-'.join(args[:2])}")

    def pump() -> None:
        assert process.stdout is not None
        with logged.open("w", encoding="utf-8") as copy:
            for line in process.stdout:
                copy.write(line)
                copy.flush()
                lines.put(line)
        lines.put(None)

    pumping = threading.Thread(target=pump, daemon=True)
    pumping.start()
    try:
        pattern = re.compile(ready)
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"no {ready!r} in: {''.join(output)}") from None
            if line is None:
                raise RuntimeError(f"posestudio {args} exited: {''.join(output)}")
            output.append(line)
            match = pattern.search(line)
            if match:
                break
        yield match
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        pumping.join(5)
        while (rest := lines.get_nowait() if not lines.empty() else None) is not None:
            output.append(rest)
