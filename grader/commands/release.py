"""``python -m grader release``: generate the student notebooks (``notebooks/``) from
``solutions/`` with nbgrader's generate_assignment, byte-stable.

The release is generated with a throwaway gradebook (the TA's gradebook is never touched) into a
temporary folder, then normalised (cell ids from the source, else derived from the position;
nbformat 4.5) and copied into place, so that releasing twice gives identical bytes and
``notebooks/`` can be committed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import settings
from grader.errors import GraderError
from grader.layout import assignments_in, require_assignment


@dataclass(frozen=True)
class ReleaseResult:
    """What a release wrote.

    Attributes:
        written: the released notebooks, sorted by assignment.
        removed: assignment folders removed from ``notebooks/`` (no source any more).
    """

    written: tuple[Path, ...]
    removed: tuple[str, ...] = ()


def stable_cell_id(assignment: str, notebook: str, index: int) -> str:
    """The id of a released cell that has none in the source: derived from its position."""
    return hashlib.sha1(f"{assignment}/{notebook}/{index}".encode()).hexdigest()[:8]


def normalize_release(released: Path, source: Path, assignment: str) -> None:
    """Make a released notebook byte-stable: cell ids from the source (or derived), nbformat 4.5."""
    raw_source = json.loads(source.read_text(encoding="utf-8"))
    source_ids = [cell.get("id") for cell in raw_source.get("cells", [])]
    nb = nbformat.read(released, as_version=4)
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        cell_id = source_ids[index] if index < len(source_ids) else None
        if not cell_id or cell_id in seen:
            cell_id = stable_cell_id(assignment, released.stem, index)
        cell["id"] = cell_id
        seen.add(cell_id)
    nb.nbformat_minor = max(nb.nbformat_minor, 5)
    nbformat.write(nb, released)


def release(
    root: Path, output: Path | None = None, assignments: Sequence[str] = ()
) -> ReleaseResult:
    """Generate the student version of every (or every named) assignment into ``output``.

    Args:
        root: the course root.
        output: the release directory (default: ``notebooks/``). Stale assignment folders are
            removed only from ``notebooks/`` itself, and only when releasing everything.
        assignments: assignment names (default: all in ``solutions/``).

    Raises:
        GraderError: an unknown assignment, or nbgrader failed (one line).
    """
    from grader.nbgrader.conversions import generate_assignment
    from grader.nbgrader.errors import NbgraderError

    default_output = (root / settings.RELEASE_DIR).resolve()
    output = (output or default_output).resolve()
    names = list(assignments) or assignments_in(root / settings.SOURCE_DIR)
    if not names:
        raise GraderError(f"no assignments in {root / settings.SOURCE_DIR}: nothing to release")
    for name in names:
        require_assignment(root, name)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="nn-tricks-release-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'release.db'}"
        staging = Path(tmp) / "release"
        everything = sorted(names) == assignments_in(root / settings.SOURCE_DIR)
        try:
            for pattern in ["*"] if everything else names:
                generate_assignment(root, pattern, staging, db_url=db_url)
        except NbgraderError as exc:
            raise GraderError(str(exc)) from None
        for name in names:
            for notebook in sorted((staging / name).glob("*.ipynb")):
                normalize_release(notebook, root / settings.SOURCE_DIR / name / notebook.name, name)
            target = output / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(staging / name, target)
            written.extend(sorted(target.glob("*.ipynb")))
    removed: list[str] = []
    if not assignments and output == default_output and output.is_dir():
        for stale in sorted(p for p in output.iterdir() if p.is_dir() and p.name not in names):
            shutil.rmtree(stale)
            removed.append(stale.name)
    return ReleaseResult(tuple(written), tuple(removed))
