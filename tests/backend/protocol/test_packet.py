"""FastPacket must put exactly the bytes on the wire that python-socketio's own does."""

from __future__ import annotations

from typing import Any

import pytest
from socketio import packet

from posestudio.protocol.packet import MAX_ATTACHMENTS, FastPacket, MalformedPacket, has_binary
from tests.utils.frames import video_jpegs

POSE: dict[str, Any] = {
    "schema": "pose_v1",
    "stream_id": "cam0",
    "seq": 41,
    "capture_ts": 1795290501770.5383,
    "image": {"width": 1280, "height": 720},
    "persons": [
        {
            "score": 0.436,
            "landmarks": [[0.5205, 0.4519, -1.0818, 1.0, 0.999]] * 33,
            "world": [[-0.0123, -0.6012, 0.3011, 0.25, 0.0]] * 33,
        }
    ],
    "timing": {"queue_ms": 0.2, "decode_ms": 2.1, "infer_ms": 14.9, "server_ms": 17.6},
    "dropped": 3,
}


@pytest.mark.parametrize(
    "data",
    [
        ["pose", POSE],
        ["error", {"code": "BAD_FRAME", "message": "truncated", "stream_id": "s"}],
        ["pose", {**POSE, "persons": []}],
    ],
)
def test_encodes_the_same_bytes_as_python_socketio(data: list[Any]) -> None:
    ours = FastPacket(packet.EVENT, namespace="/pose", data=data).encode()
    theirs = packet.Packet(packet.EVENT, namespace="/pose", data=data).encode()
    assert ours == theirs


def test_non_ascii_text_decodes_to_the_same_value() -> None:
    # stdlib json escapes it (\u00fc), orjson writes UTF-8: the same JSON value.
    data = ["error", {"code": "BAD_REQUEST", "message": "ünïcode ✓ 漢字", "stream_id": "s"}]
    ours = FastPacket(packet.EVENT, namespace="/pose", data=data).encode()
    assert packet.Packet(encoded_packet=ours).data == data


def test_binary_frames_are_still_sent_as_attachments() -> None:
    jpeg = video_jpegs(640, 480)[0]
    data = ["frame", {"stream_id": "s", "seq": 1, "capture_ts": 1.0}, jpeg]
    ours = FastPacket(packet.EVENT, namespace="/pose", data=data)
    theirs = packet.Packet(packet.EVENT, namespace="/pose", data=data)
    assert ours.packet_type == theirs.packet_type == packet.BINARY_EVENT
    assert ours.encode() == theirs.encode()


def test_decodes_what_a_client_sends() -> None:
    data = ["frame", {"stream_id": "s", "seq": 1, "capture_ts": 1.5}, b"\xff\xd8jpeg"]
    header, attachment = packet.Packet(packet.EVENT, namespace="/pose", data=data).encode()
    received = FastPacket(encoded_packet=header)
    assert received.add_attachment(attachment)
    assert received.data == data
    assert received.namespace == "/pose"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"x", True),
        (bytearray(b"x"), True),
        ([1, "a", 2.0, None], False),
        ({"a": [[1, 2], {"b": [b"deep"]}]}, True),
        ({"a": [[1, 2], {"b": ["text"]}]}, False),
        ("bytes", False),
    ],
)
def test_has_binary(data: Any, expected: bool) -> None:
    assert has_binary(data) is expected
    assert packet.Packet.data_is_binary(data) is expected


def test_decodes_what_python_socketio_encodes_with_ids_and_namespaces() -> None:
    for data, ack in ((["start", {"stream_id": "s"}], 12), (["stop", {}], None)):
        encoded = packet.Packet(packet.EVENT, namespace="/pose", data=data, id=ack).encode()
        received = FastPacket(encoded_packet=encoded)
        assert (received.data, received.id, received.namespace) == (data, ack, "/pose")
    assert FastPacket(encoded_packet='0/pose,{"token":"t"}').data == {"token": "t"}
    assert FastPacket(encoded_packet="0").namespace is None


# What python-socketio decodes comes without Engine.IO's "4" (MESSAGE) in front.


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("encoded", "kind"),
    [
        ('2/pose,["frame",{"seq":NaN}]', "json"),
        ('2/pose,["frame",{"seq":Infinity}]', "json"),
        ('2/pose,["frame",{"seq":-Infinity}]', "json"),
        ('2/pose,["frame",{"seq":1e999}]', "json"),
        (f'2/pose,["frame",{{"x":{_nested(16)}}}]', "depth"),
        (f'2/pose,["frame",{{"x":{_nested(2000)}}}]', "json"),
        ('5-/pose,["frame",{"_placeholder":true,"num":0}]', "attachments"),
        ('59999999999-/pose,["frame",{"_placeholder":true,"num":0}]', "attachments"),
        ('50-/pose,["frame"]', "attachments"),
        ('51-/pose,["frame",{"_placeholder":true,"num":1}]', "placeholder"),
        ('51-/pose,["frame",{"_placeholder":true,"num":"0"}]', "placeholder"),
        ('51-/pose,["frame",{"x":1}]', "placeholder"),
        ('2/pose,["frame",{"_placeholder":true,"num":0}]', "placeholder"),
        (
            '52-/pose,["f",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]',
            "placeholder",
        ),
        ('2/pose,{"not":"a list"}', "event"),
        ("2/pose,[]", "event"),
        ("2/pose,[1]", "event"),
        ('2/pose,["disconnect"]', "event"),
        ('2/pose,1234567890123456["stop",{}]', "id"),
        ("3/pose,[1]", "ack"),
        ("0/pose,[1]", "connect"),
        ("4/pose,{}", "type"),
        ("x", "type"),
        ("", "type"),
        ("7", "type"),
        (b"\x00\x01", "binary"),
        (f'2/{"n" * 65},["x"]', "namespace"),
    ],
)
def test_refuses_what_would_wedge_or_crash_the_server(encoded: str | bytes, kind: str) -> None:
    with pytest.raises(MalformedPacket) as refused:
        FastPacket(encoded_packet=encoded)
    assert refused.value.kind == kind


def test_a_refusal_keeps_the_acknowledgement_id_so_it_can_be_answered() -> None:
    with pytest.raises(MalformedPacket) as refused:
        FastPacket(encoded_packet='2/pose,17["start",{"smoothing":NaN}]')
    assert (refused.value.ack_id, refused.value.namespace) == (17, "/pose")


def test_accepts_the_deepest_allowed_nesting_and_the_attachment_cap() -> None:
    FastPacket(encoded_packet=f'2/pose,["frame",{{"x":{_nested(14)}}}]')
    placeholders = ",".join(f'{{"_placeholder":true,"num":{i}}}' for i in range(MAX_ATTACHMENTS))
    received = FastPacket(encoded_packet=f'5{MAX_ATTACHMENTS}-/pose,["frame",{placeholders}]')
    for i in range(MAX_ATTACHMENTS):
        received.add_attachment(bytes([i]))
    assert received.data[1:] == [bytes([i]) for i in range(MAX_ATTACHMENTS)]


def test_an_attachment_must_be_binary() -> None:
    received = FastPacket(encoded_packet='51-/pose,["frame",{"_placeholder":true,"num":0}]')
    with pytest.raises(MalformedPacket) as refused:
        received.add_attachment("text")
    assert refused.value.kind == "attachment"
