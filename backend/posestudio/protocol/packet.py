"""Socket.IO packets for the hot path: orjson, a binary check without copies, strict decoding.

python-socketio's default packet runs stdlib `json` and checks every message for binary
parts by building a list at each level of nesting. A pose message has 66 nested lists,
so on the event loop that check and the encoding cost about 0.2 ms of every reply. This
packet class writes the same JSON about three times faster (docs/benchmarks.md): the same
bytes for ASCII text, and non-ASCII as UTF-8 rather than escapes.

Decoding is strict (docs/security.md, "Limits"): a packet is refused with
`MalformedPacket` before any handler sees it when its JSON is invalid (NaN and Infinity
included) or nested deeper than `MAX_JSON_DEPTH`, when it declares more than
`MAX_ATTACHMENTS` binary attachments, when a placeholder points at an attachment the
packet does not carry, or when an event is not `[name, ...args]`. The server
(`transports/guarded_server.py`) answers each refusal; python-socketio alone would log a
traceback, or wait forever for attachments that never come.
"""

from __future__ import annotations

from typing import Any

import orjson
from socketio import packet

_CONTAINERS = (bytes, bytearray, list, dict)

# A frame's metadata is two levels deep; the deepest message any client sends is four.
MAX_JSON_DEPTH = 16
# A frame carries one attachment; nothing in the protocol carries more.
MAX_ATTACHMENTS = 4
MAX_NAMESPACE_CHARS = 64
# Acknowledgement ids are counters: 15 digits stay exact in every client's numbers.
MAX_ID_DIGITS = 15
# Names python-socketio and the clients use for their own events; never a client event.
RESERVED_EVENTS = frozenset(
    {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}
)
_EVENTS = (packet.EVENT, packet.BINARY_EVENT)
_ACKS = (packet.ACK, packet.BINARY_ACK)


class MalformedPacket(ValueError):
    """A packet refused at decoding. `kind` labels `pose_malformed_packets_total`."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        packet_type: int | None = None,
        namespace: str | None = None,
        ack_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.packet_type = packet_type
        self.namespace = namespace
        self.ack_id = ack_id


def has_binary(data: Any) -> bool:
    """Whether `data` holds bytes anywhere; stops at the first it finds."""
    if isinstance(data, bytes | bytearray):
        return True
    if isinstance(data, list):
        return any(has_binary(item) for item in data if isinstance(item, _CONTAINERS))
    if isinstance(data, dict):
        return any(has_binary(item) for item in data.values() if isinstance(item, _CONTAINERS))
    return False


def placeholders(data: Any, max_depth: int = MAX_JSON_DEPTH) -> list[int]:
    """The attachment numbers `data` refers to; raises `MalformedPacket` past `max_depth`.

    Iterative, so no input can exhaust the interpreter's stack.
    """
    found: list[int] = []
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, list | dict):
            continue
        if depth > max_depth:
            raise MalformedPacket("depth", f"JSON nested deeper than {max_depth} levels")
        if isinstance(item, dict):
            if "_placeholder" in item:
                num = item.get("num")
                if item["_placeholder"] is not True or type(num) is not int or len(item) != 2:
                    raise MalformedPacket("placeholder", "malformed binary placeholder")
                found.append(num)
                continue
            stack.extend((value, depth + 1) for value in item.values())
        else:
            stack.extend((value, depth + 1) for value in item)
    return found


class _OrJSON:
    """The `json`-module interface that python-socketio's packets call."""

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        # orjson's output is already compact: what `separators=(",", ":")` asks for.
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(text: str | bytes) -> Any:
        return orjson.loads(text)


class FastPacket(packet.Packet):  # type: ignore[misc]
    """Drop-in `serializer=` for `socketio.AsyncServer`."""

    json = _OrJSON

    def __init__(self, *args: Any, encoded_packet: Any = None, **kwargs: Any) -> None:
        # python-socketio decodes only a non-empty packet: an empty one would pass as an
        # event without data.
        if encoded_packet is not None and not encoded_packet:
            raise MalformedPacket("type", "an empty message")
        super().__init__(*args, encoded_packet=encoded_packet, **kwargs)

    @classmethod
    def data_is_binary(cls, data: Any) -> bool:
        return has_binary(data)

    def decode(self, encoded_packet: Any) -> int:
        """Parse one text packet; returns how many attachments must follow it."""
        if not isinstance(encoded_packet, str):
            raise MalformedPacket("binary", "a binary message that no packet announced")
        if not encoded_packet or encoded_packet[0] not in "0123456":
            raise MalformedPacket("type", "unknown Socket.IO packet type")
        self.packet_type = int(encoded_packet[0])
        self.namespace = None
        self.data = None
        rest = encoded_packet[1:]
        count = 0
        if self.packet_type in (packet.BINARY_EVENT, packet.BINARY_ACK):
            digits, dash, rest = rest.partition("-")
            if not dash or not digits.isascii() or not digits.isdigit() or len(digits) > 3:
                raise MalformedPacket("attachments", "malformed attachment count")
            count = int(digits)
            if not 1 <= count <= MAX_ATTACHMENTS:
                raise MalformedPacket(
                    "attachments",
                    f"a message may carry 1 to {MAX_ATTACHMENTS} binary attachments, not {count}",
                )
        if rest.startswith("/"):
            namespace, _, rest = rest.partition(",")
            self.namespace = namespace.partition("?")[0]
            if len(self.namespace) > MAX_NAMESPACE_CHARS:
                raise MalformedPacket("namespace", "namespace name too long")
        digits_end = 0
        while digits_end < len(rest) and rest[digits_end] in "0123456789":
            digits_end += 1
        if digits_end:
            if digits_end > MAX_ID_DIGITS:
                raise self._refuse("id", "acknowledgement id too long")
            self.id = int(rest[:digits_end])
            rest = rest[digits_end:]
        if rest:
            try:
                self.data = orjson.loads(rest)
            except orjson.JSONDecodeError:
                # orjson refuses NaN, Infinity and nesting past 1,024 levels too.
                raise self._refuse("json", "invalid JSON") from None
        self._check_shape(count)
        self.attachment_count = count
        return count

    def _check_shape(self, count: int) -> None:
        data = self.data
        try:
            nums = placeholders(data)
        except MalformedPacket as exc:
            raise self._refuse(exc.kind, exc.message) from None
        if sorted(nums) != list(range(count)):
            raise self._refuse(
                "placeholder",
                f"the placeholders do not match the {count} declared attachment(s)",
            )
        if self.packet_type in _EVENTS:
            if not isinstance(data, list) or not data or not isinstance(data[0], str):
                raise self._refuse("event", "an event is a list: [name, ...arguments]")
            if data[0] in RESERVED_EVENTS:
                raise self._refuse("event", f"{data[0]!r} is a reserved event name")
        elif self.packet_type in _ACKS:
            if not isinstance(data, list) or self.id is None:
                raise self._refuse("ack", "an acknowledgement is an id and a list")
        elif self.packet_type == packet.CONNECT:
            if data is not None and not isinstance(data, dict):
                raise self._refuse("connect", "connect data must be an object")
        elif self.packet_type == packet.CONNECT_ERROR:
            raise self._refuse("type", "clients do not send CONNECT_ERROR")

    def _refuse(self, kind: str, message: str) -> MalformedPacket:
        return MalformedPacket(
            kind, message, packet_type=self.packet_type, namespace=self.namespace, ack_id=self.id
        )

    def add_attachment(self, attachment: Any) -> bool:
        if not isinstance(attachment, bytes):
            raise self._refuse("attachment", "a binary attachment was expected")
        return bool(super().add_attachment(attachment))
