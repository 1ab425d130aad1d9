"""Cost per pose of the kinematics stage: `python -m posestudio.kinematics.bench`.

Runs MediaPipe over the real test video once, then times the solver and the whole stage
(solve, hold, limits, filter, wire form) on its 120 poses. Prints the best of several
rounds (the least disturbed by other work on the machine); nothing is asserted.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from posestudio.kinematics.solver import solve
from posestudio.kinematics.stage import KinematicsStage


def video_world() -> np.ndarray:
    from posestudio.client.sources import read_frames, test_video_path
    from posestudio.engines.mediapipe import MediaPipePoseEngine

    engine = MediaPipePoseEngine()
    try:
        people = [engine.process(rgb) for rgb in read_frames(test_video_path(), size=(640, 480))]
    finally:
        engine.close()
    return np.stack([p[0].world for p in people if p])


def best_us(run: Callable[[], object], count: int, rounds: int) -> float:
    """The fastest round's time per item, in microseconds (CPU time of this process)."""
    best = np.inf
    for _ in range(rounds):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return float(best / count * 1e6)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    world = video_world()
    frames = len(world)

    def solve_each() -> None:
        for w in world:
            solve(w[None])

    stage = KinematicsStage()
    clock = [0.0]

    def stage_each() -> None:
        for w in world:
            clock[0] += 1 / 30
            stage.solve(w, clock[0])

    figures = {
        "solver, one pose per call": best_us(solve_each, frames, args.rounds),
        "stage, one pose per call (solve, hold, limits, filter, wire)": best_us(
            stage_each, frames, args.rounds
        ),
        f"solver, {frames} poses in one call (per pose)": best_us(
            lambda: solve(world), frames, args.rounds
        ),
    }
    print(f"kinematics cost per pose, {frames} poses of the real video, best of {args.rounds}:")
    for name, us in figures.items():
        print(f"  {us:9.1f} us  {name}")


if __name__ == "__main__":
    main()
