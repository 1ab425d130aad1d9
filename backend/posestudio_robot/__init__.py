"""The robot service: its own process next to the robots (see docs/robots.md)."""

__version__ = "0.1.0"
