"""The real server on a real socket, streaming the real person video."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
import simplejpeg

from posestudio.client import PoseClient
from posestudio.engines.mediapipe import MediaPipePoseEngine
from posestudio.protocol import NUM_LANDMARKS, SCHEMA
from posestudio.settings import Settings
from tests.utils.frames import pose_for, send_and_wait, video_jpegs
from tests.utils.server import LiveServer


@pytest.mark.parametrize("size", [(640, 480), (1280, 720)])
async def test_real_video_gets_33_landmarks_in_at_least_95_percent_of_frames(
    client: PoseClient, size: tuple[int, int]
) -> None:
    width, height = size
    reply = await client.start(f"video-{width}")
    assert reply["ok"] is True
    assert reply["engine"] == "mediapipe"
    assert set(reply["limits"]) == {
        "max_frame_bytes",
        "max_width",
        "max_height",
        "max_in_flight",
        "max_fps",
        "max_streams",
    }
    frames = video_jpegs(width, height)
    with_person = 0
    for jpeg in frames:
        seq = await client.send(f"video-{width}", jpeg)
        pose = (await pose_for(client, f"video-{width}", seq)).data
        assert pose["schema"] == SCHEMA
        assert pose["seq"] == seq
        assert pose["image"] == {"width": width, "height": height}
        assert set(pose["timing"]) == {"queue_ms", "decode_ms", "infer_ms", "server_ms"}
        if pose["persons"]:
            (person,) = pose["persons"]
            assert len(person["landmarks"]) == NUM_LANDMARKS
            assert len(person["world"]) == NUM_LANDMARKS
            landmarks = np.array(person["landmarks"])
            # This is a head-and-shoulders video: the face and shoulders are in the
            # image; arms below the frame are predicted outside it, as they should be.
            upper = landmarks[:13]
            assert ((upper[:, :2] >= 0) & (upper[:, :2] <= 1)).all(), upper
            assert (upper[:, 3] > 0.5).all()
            assert np.isfinite(landmarks).all()
            with_person += 1
    assert with_person >= 0.95 * len(frames)


async def test_server_landmarks_equal_the_engine_called_directly(client: PoseClient) -> None:
    frames = video_jpegs(640, 480)[:30]
    await client.start("parity")
    served = []
    for jpeg in frames:
        served.append((await send_and_wait(client, "parity", jpeg)).data)

    engine = MediaPipePoseEngine()
    try:
        for jpeg, pose in zip(frames, served, strict=True):
            # Decoded independently, in RGB order, at full size: any colour-order,
            # resize or orientation slip on the server would move the landmarks.
            rgb = simplejpeg.decode_jpeg(jpeg, colorspace="RGB")
            (direct,) = engine.process(rgb)
            (person,) = pose["persons"]
            np.testing.assert_allclose(
                np.array(person["landmarks"])[:, :3], direct.landmarks[:, :3], atol=2e-3
            )
            np.testing.assert_allclose(
                np.array(person["world"])[:, :3], direct.world[:, :3], atol=2e-3
            )
    finally:
        engine.close()


async def test_frames_faster_than_processing_drop_the_oldest_and_answer_the_newest(
    client: PoseClient,
) -> None:
    frames = video_jpegs(1280, 720)[:20]
    await client.start("burst")
    for jpeg in frames:
        last = await client.send("burst", jpeg)
    answered = []
    while not answered or answered[-1]["seq"] != last:
        message = await client.next()
        assert message.event == "pose", message.data
        answered.append(message.data)
    # Each frame was answered or dropped, in order, and the newest always wins.
    assert [p["seq"] for p in answered] == sorted({p["seq"] for p in answered})
    assert answered[-1]["dropped"] > 0
    assert len(answered) + answered[-1]["dropped"] == len(frames)


async def test_smoothing_keeps_landmarks_close_and_reduces_jitter(server: LiveServer) -> None:
    frames = video_jpegs(640, 480)[:40]
    results: dict[str, list[np.ndarray]] = {"raw": [], "smooth": []}
    async with PoseClient(server.url, server.token) as client:
        await client.start("raw")
        await client.start("smooth", smoothing={"min_cutoff": 0.5, "beta": 0.0})
        for jpeg in frames:
            for sid in ("raw", "smooth"):
                pose = (await send_and_wait(client, sid, jpeg)).data
                results[sid].append(np.array(pose["persons"][0]["landmarks"])[:, :2])
    raw, smooth = np.stack(results["raw"]), np.stack(results["smooth"])
    assert np.abs(raw - smooth).max() < 0.1
    jitter = lambda a: np.abs(np.diff(a, axis=0)).mean()  # noqa: E731
    assert jitter(smooth) < jitter(raw)


@pytest.mark.parametrize("streams", [2, 10])
async def test_concurrent_streams_from_separate_connections(
    server: LiveServer, streams: int
) -> None:
    frames = video_jpegs(640, 480)[:30]

    async def run(index: int) -> list[dict]:
        stream_id = f"cam{index}"
        async with PoseClient(server.url, server.token) as client:
            await client.start(stream_id)
            for jpeg in frames:
                last = await client.send(stream_id, jpeg)
                await asyncio.sleep(0.1)  # pacing at 10 fps, as a camera would
            poses = []
            while True:
                message = await client.next(timeout=30)
                assert message.event == "pose", message.data
                poses.append(message.data)
                if message.data["seq"] == last:
                    return poses

    results = await asyncio.gather(*(run(i) for i in range(streams)))
    for index, poses in enumerate(results):
        assert {p["stream_id"] for p in poses} == {f"cam{index}"}
        seqs = [p["seq"] for p in poses]
        assert seqs == sorted(set(seqs))
        assert seqs[-1] == len(frames) - 1
        assert poses[-1]["dropped"] == len(frames) - len(poses)
        assert sum(bool(p["persons"]) for p in poses) >= 0.9 * len(poses)


async def test_client_reconnects_and_resumes_its_streams_after_a_server_restart() -> None:
    live = LiveServer(Settings(environment="test", max_fps=240)).start()
    jpeg = video_jpegs(640, 480)[0]
    try:
        async with PoseClient(live.url, live.token) as client:
            await client.start("resume")
            assert (await send_and_wait(client, "resume", jpeg)).data["persons"]
            await asyncio.to_thread(live.stop)
            await asyncio.to_thread(live.start)
            await client.wait_connected(timeout=30, connects=2)
            assert client.connected
            # The stream was restarted on the new connection: frames are served again.
            pose = (await send_and_wait(client, "resume", jpeg)).data
            assert pose["stream_id"] == "resume"
            assert pose["persons"]
            assert client.connects == 2
            # While the server was down, frames were skipped rather than queued.
            assert await client.send("resume", jpeg) is not None
    finally:
        live.stop()
