"""Write a benchmark's results as a markdown report beside its JSON (one place for both)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def without_machine_paths(text: str, root: Path = ROOT) -> str:
    """``text`` with the absolute paths of ``root``'s parent written relative to ``root``
    (``<parent>/shared/data`` → ``../shared/data``): committed results name no machine."""
    parent = str(root.resolve().parent)
    return text.replace(parent + os.sep, ".." + os.sep) if parent != os.sep else text


def write_report_and_json(
    results: dict[str, Any],
    directory: Path,
    names: tuple[str, str],
    render: Callable[[dict[str, Any]], str],
) -> tuple[Path, Path]:
    """Write ``render(results)`` to ``directory/names[0]`` and ``results`` as indented,
    key-sorted JSON to ``directory/names[1]`` (creating ``directory``); their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    md, js = directory / names[0], directory / names[1]
    md.write_text(render(results), encoding="utf-8")
    js.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return md, js
