"""How clients reach the pipeline: the Socket.IO server and the HTTP edge in front of it."""
