"""Every log record the test process writes, uvicorn's own (non-propagating) ones too."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

# Loggers that do not propagate to the root under uvicorn's logging config.
OWN_HANDLERS = ("uvicorn", "uvicorn.access")


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(level=logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured_logs() -> Iterator[list[logging.LogRecord]]:
    """Collects every record (at the loggers' own levels) while the block runs."""
    records: list[logging.LogRecord] = []
    handler = _Collect(records)
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in OWN_HANDLERS)]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
