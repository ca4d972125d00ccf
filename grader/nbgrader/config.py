"""nbgrader's configuration of a course: the traitlets Config every nbgrader call here is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from traitlets.config.loader import PyFileConfigLoader

from grader import settings
from grader.nbgrader.errors import NbgraderError


def course_config(root: Path, *, db_url: str | None = None) -> Any:
    """nbgrader's traitlets ``Config`` of the course at ``root``.

    Only the course's own ``<root>/nbgrader_config.py`` is read (not ``~/.jupyter``), so grading
    is reproducible; ``CourseDirectory.root`` is set to ``root`` and ``CourseDirectory.db_url``
    to ``db_url``, by default ``grader.settings.gradebook_url(root)``.

    Args:
        root: the course root (the folder holding ``nbgrader_config.py``).
        db_url: SQLAlchemy URL of the gradebook, instead of the course's.

    Returns:
        A ``traitlets.config.Config`` (untyped: traitlets has no type stubs).

    Raises:
        NbgraderError: ``root`` has no ``nbgrader_config.py``, or it cannot be loaded.
    """
    root = Path(root).resolve()
    if not (root / settings.CONFIG_FILE).is_file():
        raise NbgraderError(f"no {settings.CONFIG_FILE} in {root}: not a course directory")
    try:
        config = PyFileConfigLoader(settings.CONFIG_FILE, path=str(root)).load_config()
    except Exception as exc:  # a broken config file is the TA's to fix: say where
        raise NbgraderError(
            f"{root / settings.CONFIG_FILE} cannot be loaded: {type(exc).__name__}: {exc}"
        ) from None
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = db_url or settings.gradebook_url(root)
    return config
