import json

from posestudio.bench.clients import InFlight, downstream_bytes, upstream_bytes


def test_in_flight_fills_to_its_limit() -> None:
    in_flight = InFlight(limit=2)
    in_flight.sent(0, 0.0)
    assert not in_flight.full
    in_flight.sent(1, 0.1)
    assert in_flight.full


def test_a_pose_settles_its_frame_and_every_older_one() -> None:
    in_flight = InFlight(limit=4)
    for seq in range(4):
        in_flight.sent(seq, 0.0)
    in_flight.answered(2)  # 0 and 1 were dropped by the server
    assert len(in_flight) == 1
    in_flight.answered(3)
    assert len(in_flight) == 0


def test_unanswered_frames_expire() -> None:
    in_flight = InFlight(limit=4)
    in_flight.sent(0, 10.0)
    in_flight.sent(1, 12.5)
    assert in_flight.expire(now=13.5, timeout=3.0) == 1
    assert len(in_flight) == 1


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
