"""Hands: MediaPipe's hand landmark model on crops the pose gives (see `graph.py`)."""
