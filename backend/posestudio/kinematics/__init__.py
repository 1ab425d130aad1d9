"""The body model: BlazePose world landmarks to a VRM-named humanoid skeleton.

Per-bone local rotations with constant bone lengths, anatomical limits, visibility-aware
holds, rotation filtering and T-pose calibration; see docs/kinematics.md.
"""

from posestudio.kinematics.calibration import CalibrationResult, calibrate
from posestudio.kinematics.forward import forward
from posestudio.kinematics.skeleton import BONES, JOINTS
from posestudio.kinematics.solver import Solution, solve
from posestudio.kinematics.stage import KinematicsStage
from posestudio.kinematics.tracker import SkeletonPose, SkeletonTracker, TrackerConfig

__all__ = [
    "BONES",
    "JOINTS",
    "CalibrationResult",
    "KinematicsStage",
    "SkeletonPose",
    "SkeletonTracker",
    "Solution",
    "TrackerConfig",
    "calibrate",
    "forward",
    "solve",
]
