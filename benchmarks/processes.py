"""Run one measurement in a fresh Python process and read back its one line of JSON.

Every training run gets its own process, one after another, so that runs do not compete
for the two cores, each one's peak memory is its own, and TensorFlow and PyTorch never
share a process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_json_module(
    module: str, payload: Mapping[str, Any], environment: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``python -m module JSON(payload)`` in the repository root; its last stdout line, parsed.

    Raises ``RuntimeError`` with the last lines of stderr when the process fails.
    """
    completed = subprocess.run(
        [sys.executable, "-m", module, json.dumps(dict(payload))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env=None if environment is None else dict(environment),
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{module} {dict(payload)} failed:\n{tail}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
