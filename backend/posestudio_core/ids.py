"""Identifier rules that more than one service checks."""

# A client's name for one of its streams (`start {stream_id}`, `/api/streams/...`); the
# agent's tools take the same names.
STREAM_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
