"""Query-string secrets are redacted however they are spelled, and nothing else changes."""

from __future__ import annotations

import logging

import pytest

from posestudio_core.logs import RedactSecrets, redact

SECRET = "s3cret-Value_0123"


@pytest.mark.parametrize(
    "line",
    [
        f'127.0.0.1:5 - "GET /api/engines?token={SECRET} HTTP/1.1" 200',
        f'127.0.0.1:5 - "GET /api/engines?x=1&%74oken={SECRET} HTTP/1.1" 200',
        f'127.0.0.1:5 - "GET /api/engines?Token={SECRET}&x=1 HTTP/1.1" 401',
        f'127.0.0.1:5 - "GET /api/engines?TO%4BEN={SECRET} HTTP/1.1" 401',
        f'127.0.0.1:5 - "GET /api/engines?%2574oken={SECRET} HTTP/1.1" 401',
        f'127.0.0.1:5 - "GET /x?+token+={SECRET} HTTP/1.1" 401',
        f'127.0.0.1:5 - "WebSocket /socket.io/?token={SECRET}&transport=websocket" [accepted]',
        f"http://127.0.0.1:8000/setup?code={SECRET}",
        f"GET /a?access_token={SECRET}&b=2 and /c?api_key={SECRET}",
        f'< TEXT \'40/pose,{{"token":"{SECRET}"}}\' [51 bytes]',
        f'< TEXT \'40/pose,{{"Token": "{SECRET[:9]}...\' [99 bytes]',
    ],
)
def test_every_spelling_of_a_secret_is_redacted(line: str) -> None:
    redacted = redact(line)
    assert SECRET not in redacted
    assert "[redacted]" in redacted


def test_other_parameters_and_lines_are_untouched() -> None:
    line = '127.0.0.1:5 - "GET /api/streams/a/stats?window=30&tokens=2 HTTP/1.1" 200'
    assert redact(line) == line
    assert redact("no query here: token=abc") == "no query here: token=abc"
    assert redact("/x?a=1&token=s&b=%20") == "/x?a=1&token=[redacted]&b=%20"


def test_the_filter_redacts_the_formatted_message_whatever_the_arguments() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s" %d',
        ("127.0.0.1:5", "GET", f"/api/engines?%74oken={SECRET}", 200),
        None,
    )
    assert RedactSecrets().filter(record) is True
    assert record.getMessage() == '127.0.0.1:5 - "GET /api/engines?%74oken=[redacted]" 200'
    # The arguments keep their places: uvicorn's access formatter unpacks them.
    assert isinstance(record.args, tuple) and record.args[3] == 200
    in_message = logging.LogRecord(
        "x", logging.INFO, __file__, 1, f"GET /a?token={SECRET}&n=%d", (3,), None
    )
    RedactSecrets().filter(in_message)
    assert in_message.getMessage() == "GET /a?token=[redacted]&n=3"
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "%s of %d", ("one", 2), None)
    RedactSecrets().filter(plain)
    assert (plain.msg, plain.args) == ("%s of %d", ("one", 2))


def test_error_codes_in_json_stay_readable() -> None:
    line = '> TEXT \'42/pose,["error",{"code":"BAD_FRAME","message":"x"}]\''
    assert redact(line) == line
