"""What a benchmark's figures were measured on (one description for every benchmark)."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Any


def describe_machine() -> dict[str, Any]:
    """CPU model, core count, Python, operating system and the UTC time of the measurement."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
