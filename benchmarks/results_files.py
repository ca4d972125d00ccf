"""Write a benchmark's results as a markdown report beside its JSON (one place for both)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


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
