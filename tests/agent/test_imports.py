"""The agent service stands on the shared core alone: it never imports the pose backend."""

from __future__ import annotations

import subprocess
import sys

# In a fresh interpreter: import every module of the agent, then list what of the
# backend came with them.
CHECK = """
import importlib, pkgutil, sys
import posestudio_agent
for module in pkgutil.iter_modules(posestudio_agent.__path__):
    importlib.import_module(f"posestudio_agent.{module.name}")
print(len(list(pkgutil.iter_modules(posestudio_agent.__path__))))
print(sorted(m for m in sys.modules if m == "posestudio" or m.startswith("posestudio.")))
"""


def test_the_agent_never_imports_the_backend() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=120
    )
    count, backend = result.stdout.split("\n")[:2]
    assert int(count) >= 10
    assert backend == "[]"
