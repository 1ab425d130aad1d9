"""What every Pose Studio service shares: settings base, identity, permissions, errors.

It imports only pydantic, fastapi and python-socketio, never a service package.
"""

import importlib.metadata

try:
    __version__ = importlib.metadata.version("posestudio")
except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
    __version__ = "0.0.0"
