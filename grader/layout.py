"""The course directory: where the root is, which assignments and submissions it holds.

Pure filesystem reads (no nbgrader); names come from :mod:`grader.settings`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from grader import cells, settings
from grader.errors import GraderError

#: the repository this package lives in (a course directory itself)
REPO_ROOT = Path(__file__).resolve().parent.parent


def find_course_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The course directory: ``explicit``, else the current directory, else this repository.

    Raises:
        GraderError: no ``nbgrader_config.py`` where the course should be.
    """
    candidates = [Path(explicit)] if explicit else [Path.cwd(), REPO_ROOT]
    for candidate in candidates:
        if (candidate / settings.CONFIG_FILE).is_file():
            return candidate.resolve()
    raise GraderError(
        f"no {settings.CONFIG_FILE} in {candidates[0]}: run this from the course directory "
        "or pass --course-dir"
    )


def assignments_in(directory: Path) -> list[str]:
    """Sorted names of the assignment folders (those holding a notebook) in ``directory``."""
    if not directory.is_dir():
        return []
    return sorted(
        p.name
        for p in directory.iterdir()
        if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb"))
    )


def source_notebooks(root: Path, assignment: str) -> list[Path]:
    """The source notebooks of ``assignment`` (``solutions/<assignment>/*.ipynb``), sorted."""
    return sorted((root / settings.SOURCE_DIR / assignment).glob("*.ipynb"))


def require_assignment(root: Path, assignment: str) -> Path:
    """``solutions/<assignment>/``; GraderError (with the known names) when it has no notebook."""
    if not assignment or assignment in {".", ".."} or "/" in assignment or "\\" in assignment:
        raise GraderError(f"'{assignment}' is not an assignment name")
    source = root / settings.SOURCE_DIR / assignment
    if not source_notebooks(root, assignment):
        known = ", ".join(assignments_in(root / settings.SOURCE_DIR)) or "none"
        raise GraderError(
            f"no assignment '{assignment}' in {settings.SOURCE_DIR}/ (known: {known}); "
            "check the spelling or add solutions/<assignment>/<notebook>.ipynb"
        )
    return source


def submitted_students(root: Path, assignment: str) -> list[str]:
    """Sorted ids of the students with a ``submitted/<student>/<assignment>/`` folder."""
    base = root / settings.SUBMITTED_DIR
    if not base.is_dir():
        return []
    return sorted(
        p.name for p in base.iterdir() if not p.name.startswith(".") and (p / assignment).is_dir()
    )


def submission_dir(root: Path, assignment: str, student: str) -> Path:
    """``submitted/<student>/<assignment>/``."""
    return root / settings.SUBMITTED_DIR / student / assignment


def has_graded_cells(path: Path) -> bool:
    """Whether the notebook at ``path`` has a cell nbgrader grades (False when unreadable)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return False
    return any(cells.is_graded(cell) for cell in nb["cells"] if isinstance(cell, dict))
