"""Transports: how frames reach the pipeline and poses leave it (Socket.IO `/pose` now)."""
