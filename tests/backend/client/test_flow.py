"""The one flow control of `posestudio stream` and the bench's clients."""

from posestudio.client.flow import FlowControl


def test_admits_frames_up_to_the_limit_then_skips_and_counts() -> None:
    flow = FlowControl(limit=2)
    assert flow.admit(0.0)
    flow.sent(0, 0.0)
    assert flow.admit(0.1)
    flow.sent(1, 0.1)
    assert flow.full
    assert not flow.admit(0.2)
    assert not flow.admit(0.3)
    assert flow.skipped == 2
    assert len(flow) == 2


def test_a_pose_settles_its_frame_and_every_older_one() -> None:
    flow = FlowControl(limit=4)
    for seq in range(4):
        flow.sent(seq, float(seq))
    assert flow.answered(2) == 2.0  # 0 and 1 were superseded by the server
    assert len(flow) == 1
    assert flow.answered(3) == 3.0
    assert len(flow) == 0
    assert flow.answered(3) is None  # a late duplicate settles nothing


def test_an_error_for_the_stream_frees_the_oldest_frame() -> None:
    flow = FlowControl(limit=2)
    flow.sent(5, 0.0)
    flow.sent(6, 0.1)
    assert not flow.admit(0.2)
    flow.rejected()
    assert flow.admit(0.3)
    assert flow.answered(5) is None  # 5 was the one freed
    assert len(flow) == 1
    assert flow.answered(6) == 0.1
    flow.rejected()  # nothing in flight: nothing to free
    assert len(flow) == 0


def test_unanswered_frames_expire_and_are_counted() -> None:
    flow = FlowControl(limit=2, timeout_s=3.0)
    flow.sent(0, 10.0)
    flow.sent(1, 12.5)
    assert flow.expire(now=13.5) == 1
    assert len(flow) == 1
    assert flow.expired == 1


def test_a_frame_lost_without_a_pose_never_stops_the_sending_for_good() -> None:
    flow = FlowControl(limit=1, timeout_s=2.0)
    flow.sent(0, 0.0)
    assert not flow.admit(1.9)
    assert flow.admit(2.0)  # frame 0 expired
    assert flow.expired == 1
    assert flow.skipped == 1
