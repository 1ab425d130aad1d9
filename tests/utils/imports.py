"""What importing every module of a package brings with it, in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

CHECK = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(package.__path__, sys.argv[1] + ".")]
for name in names:
    importlib.import_module(name)
found = sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2:])
print(json.dumps({"modules": len(names), "found": found}))
"""


def imported_with(package: str, others: list[str]) -> tuple[int, list[str]]:
    """(how many modules `package` has, which modules of `others` importing them loads)."""
    result = subprocess.run(
        [sys.executable, "-c", CHECK, package, *others],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return int(report["modules"]), list(report["found"])
