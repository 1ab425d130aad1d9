"""Pose Studio: real-time human pose over Socket.IO."""

__version__ = "0.1.0"
