import json

from posestudio.bench.clients import downstream_bytes, upstream_bytes


def test_upstream_counts_the_header_and_the_jpeg() -> None:
    meta = {"stream_id": "s", "seq": 1, "capture_ts": 1.0}
    jpeg = b"\xff\xd8" + b"x" * 1000
    size = upstream_bytes(meta, jpeg)
    assert size > len(jpeg) + len(json.dumps(meta, separators=(",", ":")))
    assert size < len(jpeg) + 200


def test_downstream_is_the_compact_json_plus_the_socketio_prefix() -> None:
    data = {"a": [1, 2, 3], "b": "x"}
    body = json.dumps(["pose", data], separators=(",", ":"))
    assert downstream_bytes("pose", data) == len("4" + "2/pose,") + len(body)
