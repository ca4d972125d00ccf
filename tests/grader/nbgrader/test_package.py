"""grader.nbgrader: the one package of the grader that imports nbgrader."""

from __future__ import annotations

import re
from pathlib import Path

GRADER = Path(__file__).resolve().parents[3] / "grader"


def test_does_only_the_nbgrader_package_import_nbgrader():
    importers = sorted(
        path.relative_to(GRADER).parts[0]
        for path in GRADER.rglob("*.py")
        if re.search(r"^\s*(from|import) nbgrader\b", path.read_text(), flags=re.MULTILINE)
    )
    assert "nbgrader" in importers
    assert set(importers) == {"nbgrader"}, importers
