"""Transports: how frames reach the pipeline and poses leave it (Socket.IO `/pose` now),
and the HTTP edge with the limits before authentication in front of them."""
