"""Clips: a span of a recorded stream rendered as an MP4 by a job, and shared by link."""
