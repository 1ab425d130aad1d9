"""The reference client of the `/pose` protocol and what `posestudio stream` runs.

- `connection`: `PoseClient`, one Socket.IO connection with streams that survive reconnects
- `flow`: `FlowControl`, frames in flight against the server's `max_in_flight`
- `sources`: frames from video files, cameras and the packaged test video, as JPEG
- `run`: `stream_source`, a source streamed to a backend with its poses collected
"""

from posestudio.client.connection import NAMESPACE, Message, PoseClient, PoseClientError
from posestudio.client.flow import FlowControl

__all__ = ["NAMESPACE", "FlowControl", "Message", "PoseClient", "PoseClientError"]
