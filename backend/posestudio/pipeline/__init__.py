"""The stream pipeline: frames in, schedulers, engines, stages, sinks, poses out.

See docs/architecture.md for the diagram and docs/interfaces.md for the contract.
"""

from posestudio.pipeline.frames import Frame, FrameMeta
from posestudio.pipeline.manager import StreamManager
from posestudio.pipeline.results import PoseResult
from posestudio.pipeline.sinks import Sink, SinkFactory
from posestudio.pipeline.stages import Stage, StageFactory
from posestudio.pipeline.stream import Channel, Stream, StreamState

__all__ = [
    "Channel",
    "Frame",
    "FrameMeta",
    "PoseResult",
    "Sink",
    "SinkFactory",
    "Stage",
    "StageFactory",
    "Stream",
    "StreamManager",
    "StreamState",
]
