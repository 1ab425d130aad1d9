"""Property: whatever text or bytes arrive, decoding either yields a packet the server can
dispatch safely or refuses it with `MalformedPacket`; nothing else escapes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from socketio import packet

from posestudio.protocol.packet import (
    MAX_ATTACHMENTS,
    MAX_JSON_DEPTH,
    FastPacket,
    MalformedPacket,
    placeholders,
)

placeholder = st.fixed_dictionaries(
    {"_placeholder": st.sampled_from([True, False, 1]), "num": st.integers(-2, 6)}
)
leaves = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
)
values = st.recursive(
    leaves | placeholder,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=30,
)
headers = st.builds(
    lambda kind, count, namespace, ack: f"{kind}{count}{namespace}{ack}",
    st.sampled_from(["0", "1", "2", "3", "4", "5", "6", "7", "x", ""]),
    st.sampled_from(["", "1-", "2-", "4-", "5-", "0-", "99999999999-", "-", "a-"]),
    st.sampled_from(["", "/pose,", "/,", "/other?x=1,", "/" + "n" * 70 + ","]),
    st.sampled_from(["", "1", "42", "1" * 16]),
)
packets = st.builds(
    lambda head, body, raw: head + (raw if raw is not None else json.dumps(body)),
    headers,
    values | st.lists(values, max_size=4).map(lambda items: ["frame", *items]),
    st.none() | st.text(max_size=30) | st.sampled_from(["NaN", "[Infinity]", "[" * 2000]),
)


def _depth(data: Any) -> int:
    if isinstance(data, list):
        return 1 + max(map(_depth, data), default=0)
    if isinstance(data, dict):
        return 1 + max(map(_depth, data.values()), default=0)
    return 0


@settings(max_examples=600, deadline=None)
@given(packets | st.text(max_size=60) | st.binary(max_size=30))
def test_decoding_never_fails_any_other_way(encoded: str | bytes) -> None:
    try:
        decoded = FastPacket(encoded_packet=encoded)
    except MalformedPacket:
        return
    assert _depth(decoded.data) <= MAX_JSON_DEPTH
    count = decoded.attachment_count
    assert sorted(placeholders(decoded.data)) == list(range(count))
    assert count <= MAX_ATTACHMENTS
    if decoded.packet_type in (packet.EVENT, packet.BINARY_EVENT):
        assert isinstance(decoded.data, list) and isinstance(decoded.data[0], str)
    if count:
        for i in range(count):
            decoded.add_attachment(bytes([i]))
        assert isinstance(decoded.data, list)
