"""Secrets never reach a log: one filter for every server process.

HTTP routes accept `?token=` and Socket.IO clients may send one in the handshake URL, so
request lines carry secrets: uvicorn's access log (`GET /api/x?token=… HTTP/1.1`) and
its WebSocket line (`"WebSocket /socket.io/?token=…" [accepted]`). The filter finds every
query string in a record's message and arguments, parses it as a server would
(percent-decoding the names, any case), and replaces the value of every secret name;
it does the same for secret members of JSON text (debug logs of WebSocket frames).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import unquote_plus

# Query names whose values are secrets (compared decoded and case-folded).
SECRET_NAMES = frozenset(
    {"token", "access_token", "api_key", "apikey", "key", "password", "secret", "code", "session"}
)
REDACTED = "[redacted]"
# A query string: from a `?` to the next space or quote.
QUERY = re.compile(r"\?([^\s\"'<>]*)")
# A secret as a JSON member, as debug logs of WebSocket frames show Socket.IO's
# `auth` (`40/pose,{"token":"…"}`); frame logs may cut the value short, so it ends at a
# quote or wherever the text ends.
# Not `code` or `key` here: error bodies (`"code": "BAD_FRAME"`) must stay readable.
_NAMES = "|".join(sorted(SECRET_NAMES - {"code", "key"}))
JSON_MEMBER = re.compile(rf"""(["'])({_NAMES})\1(\s*:\s*)(["'])[^"']*""", re.IGNORECASE)
MAX_DECODE_ROUNDS = 4


def _name(raw: str) -> str:
    """The name as a server sees it, however many times it was percent-encoded."""
    name = raw
    for _ in range(MAX_DECODE_ROUNDS):
        decoded = unquote_plus(name)
        if decoded == name:
            break
        name = decoded
    return name.strip().casefold()


def redact_query(query: str) -> str:
    """`a=1&%74oken=s` -> `a=1&%74oken=[redacted]`; names and other values untouched."""
    pairs = []
    for pair in query.split("&"):
        name, sep, _value = pair.partition("=")
        pairs.append(f"{name}={REDACTED}" if sep and _name(name) in SECRET_NAMES else pair)
    return "&".join(pairs)


def redact(text: str) -> str:
    """Every query string and JSON secret member in `text`, redacted."""
    if "?" in text:
        text = QUERY.sub(lambda m: "?" + redact_query(m.group(1)), text)
    if '"' in text or "'" in text:
        text = JSON_MEMBER.sub(lambda m: f"{m[1]}{m[2]}{m[1]}{m[3]}{m[4]}{REDACTED}", text)
    return text


def _redact_arg(value: object) -> object:
    """A log argument with its query secrets redacted; untouched when it has none."""
    if isinstance(value, int | float) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    redacted = redact(text)
    return value if redacted == text else redacted


class RedactSecrets(logging.Filter):
    """Redacts query-string secrets in a record's arguments and message.

    Arguments are redacted one by one and keep their places (uvicorn's access formatter
    reads them); a secret in the message itself is redacted in the formatted text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        if isinstance(record.msg, str) and redact(record.msg) != record.msg:
            try:
                message = record.getMessage()
            except Exception:  # a broken record is the handler's to report
                message = record.msg
            record.msg, record.args = redact(message), None
        return True


REDACTION = RedactSecrets()


def install_redaction() -> None:
    """Put the filter on every handler there is (root's and each logger's, uvicorn's too).

    Call it once logging is configured (after `uvicorn.Config(...)`, which applies
    uvicorn's logging config): a handler filter sees every record it writes, whichever
    logger it came from.
    """
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if REDACTION not in handler.filters:
                handler.addFilter(REDACTION)
