"""Every server log line of a test run, kept in files of one folder for the session, and
the check that no test token is in any of them (issue 18, section 4).

Servers the tests run as processes (`tests/utils/processes.py`) write their output to a
file of their own here; servers run in the test process (uvicorn on a thread) write
through `SessionLog`, a handler on the root logger and uvicorn's own loggers that has the
same redaction filter every `posestudio` command puts on its handlers. When the session
ends, tests/conftest.py fails the run if any line holds a token (`leaks`).
"""

from __future__ import annotations

import itertools
import logging
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from posestudio_core.logs import REDACTION
from tests.utils.principals import ALICE_TOKEN, BOB_TOKEN

# Every test token is spelled `<words>-token-<…>` and ends in digits
# (`alice-token-0123456789abcdef`, `agent-own-token-not-the-backends-0456`).
TOKEN_PATTERN = re.compile(r"[\w-]*token-[\w-]*\d{4}")
TOKENS = (ALICE_TOKEN, BOB_TOKEN)
# Not a log record: `posestudio serve`'s start-up banner in development prints the studio's
# URL with the token on a line of its own, for the person who started it (README).
BANNER = re.compile(r"^\s*https?://\S+/\?token=\S+\s*$")
# Loggers that do not propagate to the root under uvicorn's logging config.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.access")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_SHOWN = 300  # characters of a leaked line in the report

_folder: Path | None = None
_numbers = itertools.count(1)
_handler: logging.Handler | None = None


def folder() -> Path:
    """This session's folder of server logs (made on first use)."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="posestudio-test-logs-"))
    return _folder


def log_file(name: str) -> Path:
    """A new file for one server process's output; `name` says which."""
    safe = re.sub(r"[^\w.-]+", "-", name)[:60]
    return folder() / f"{next(_numbers):04d}-{safe}.log"


def start() -> None:
    """Write the test process's own log records (its in-process servers') to a file."""
    global _handler
    if _handler is None:
        _handler = logging.FileHandler(log_file("test-process"), encoding="utf-8")
        _handler.setFormatter(logging.Formatter(LOG_FORMAT))
        _handler.addFilter(REDACTION)
        logging.getLogger().addHandler(_handler)
    attach_to_uvicorn()


def attach_to_uvicorn() -> None:
    """Put the session's handler on uvicorn's loggers again: `uvicorn.Config(...)` applies
    uvicorn's logging config, which replaces their handlers (call it after that)."""
    if _handler is None:
        return
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        if _handler not in logger.handlers:
            logger.addHandler(_handler)


def leaks() -> Iterator[str]:
    """`file:line: text` of every logged line that holds a test token."""
    for path in sorted(folder().glob("*.log")):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                if BANNER.match(line):
                    continue
                if TOKEN_PATTERN.search(line) or any(token in line for token in TOKENS):
                    yield f"{path}:{number}: {line.rstrip()[:MAX_SHOWN]}"


def finish(keep: bool) -> None:
    """Close the handler; remove the folder unless `keep` (a leak to look at)."""
    global _handler
    if _handler is not None:
        for logger in (logging.getLogger(), *map(logging.getLogger, UVICORN_LOGGERS)):
            logger.removeHandler(_handler)
        _handler.close()
        _handler = None
    if not keep and _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)
