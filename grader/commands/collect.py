"""``python -m grader collect <lms.zip>``: unpack an LMS download into
``submitted/<student>/<assignment>/<notebook>.ipynb``.

Files in the zip are named ``<student_id>_<assignment>_<notebook>.ipynb`` (see
``grader.settings.LMS_FILE_PATTERN``), in any folder of the zip. This does what nbgrader's
``zip_collect`` does for that layout, but in this process and defensively, because the zip comes
from outside: an entry is **refused** (one line each) when its path is absolute or climbs out
with ``..``, when it is a symbolic link, when its student id or assignment is empty, ``.``,
``..`` or holds a path separator, when it is larger than :data:`MAX_NOTEBOOK_BYTES`, or when its
assignment is not in ``solutions/``; nothing is ever written outside ``submitted/``. When a
student's notebook appears twice, the newest entry (zip date, then zip order) is kept. Other
files are skipped. The counts returned are those of the files that are on disk afterwards.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader import settings
from grader.errors import GraderError
from grader.layout import assignments_in

#: largest notebook accepted from a zip, in bytes (a course notebook is well under 5 MB)
MAX_NOTEBOOK_BYTES = 50_000_000
_UNSAFE_NAMES = {"", ".", ".."}


@dataclass(frozen=True)
class CollectResult:
    """What a collect wrote and what it left out.

    Attributes:
        collected: assignment -> sorted student ids whose notebook is now in ``submitted/``.
        notes: one line per refused, skipped or replaced entry, for the TA.
    """

    collected: dict[str, tuple[str, ...]]
    notes: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """Number of submissions (student x assignment) written."""
        return sum(len(students) for students in self.collected.values())


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    student: str
    assignment: str
    filename: str


def unsafe_path(name: str) -> str | None:
    """Why a zip entry's path is unsafe to follow (absolute, ``..``), or ``None``."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "absolute path in the zip"
    parts = re.split(r"[/\\]", name)
    if ".." in parts:
        return "'..' in its path in the zip"
    if "\x00" in name:
        return "NUL character in its path"
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def classify(info: zipfile.ZipInfo, known: Sequence[str]) -> _Entry | str | None:
    """An entry to write, a refusal/skip note, or ``None`` for a silently ignored entry."""
    name = info.filename
    if info.is_dir():
        return None
    problem = unsafe_path(name)
    if problem:
        return f"refused {name!r}: {problem}"
    basename = PurePosixPath(name.replace("\\", "/")).name
    if not basename.endswith(".ipynb"):
        return None
    if basename.startswith("._") or "__MACOSX" in name.split("/"):
        return None  # macOS resource forks
    match = re.fullmatch(settings.LMS_FILE_PATTERN, basename)
    if match is None:
        return f"skipped {name!r}: not named <student_id>_<assignment>_<notebook>.ipynb"
    student, assignment, filename = match["student_id"], match["assignment"], match["file_id"]
    for what, value in (("student id", student), ("assignment", assignment)):
        if value.strip() in _UNSAFE_NAMES or value.startswith(".") or "\\" in value:
            return f"refused {name!r}: {what} {value!r} is not a folder name"
    if "\\" in filename or filename.startswith("."):
        return f"refused {name!r}: notebook name {filename!r} is not a file name"
    if _is_symlink(info):
        return f"refused {name!r}: a symbolic link"
    if info.file_size > MAX_NOTEBOOK_BYTES:
        return f"refused {name!r}: {info.file_size / 1e6:.0f} MB, larger than any notebook"
    if assignment not in known:
        return f"skipped {name!r}: no assignment '{assignment}' in {settings.SOURCE_DIR}/"
    return _Entry(info, student, assignment, filename)


def _inside(path: Path, base: Path) -> bool:
    try:
        path.resolve().relative_to(base.resolve())
    except ValueError:
        return False
    return True


def _write(zf: zipfile.ZipFile, entry: _Entry, target: Path, base: Path) -> str | None:
    """Write one entry to ``target`` (atomically); a note when it cannot."""
    if not _inside(target.parent, base) or target.is_symlink():
        return f"refused {entry.info.filename!r}: its folder would lie outside {base.name}/"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not _inside(target.parent, base):  # a symlinked student folder: checked once it exists
        return f"refused {entry.info.filename!r}: its folder would lie outside {base.name}/"
    fd, tmp_name = tempfile.mkstemp(prefix=".collect-", dir=target.parent)
    written = 0
    try:
        with os.fdopen(fd, "wb") as out, zf.open(entry.info) as source:
            while chunk := source.read(1 << 20):
                written += len(chunk)
                if written > MAX_NOTEBOOK_BYTES:
                    raise ValueError("too large")
                out.write(chunk)
        os.replace(tmp_name, target)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        Path(tmp_name).unlink(missing_ok=True)
        return f"refused {entry.info.filename!r}: cannot be extracted ({exc})"
    return None


def collect(root: Path, archive: Path, assignment: str | None = None) -> CollectResult:
    """Unpack an LMS zip into ``submitted/<student>/<assignment>/``.

    Args:
        root: the course root.
        archive: the zip downloaded from the LMS.
        assignment: only collect this assignment (default: every assignment in the zip).

    Raises:
        GraderError: the archive is missing, not a zip, or holds no submission at all.
    """
    if not archive.is_file():
        raise GraderError(f"{archive} not found: pass the zip file downloaded from the LMS")
    known = assignments_in(root / settings.SOURCE_DIR)
    if assignment is not None and assignment not in known:
        raise GraderError(
            f"no assignment '{assignment}' in {settings.SOURCE_DIR}/ "
            f"(known: {', '.join(known) or 'none'})"
        )
    base = root / settings.SUBMITTED_DIR
    notes: list[str] = []
    chosen: dict[tuple[str, str, str], _Entry] = {}
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                found = classify(info, known)
                if found is None:
                    continue
                if isinstance(found, str):
                    notes.append(found)
                    continue
                if assignment is not None and found.assignment != assignment:
                    continue
                key = (found.student, found.assignment, found.filename)
                previous = chosen.get(key)
                if previous is not None:
                    newer = found.info.date_time >= previous.info.date_time
                    kept, dropped = (found, previous) if newer else (previous, found)
                    notes.append(
                        f"{found.student} handed in {found.assignment} twice: kept "
                        f"{kept.info.filename!r}, not {dropped.info.filename!r}"
                    )
                    found = kept
                chosen[key] = found
            collected: dict[str, set[str]] = {}
            for (student, name, filename), entry in sorted(chosen.items()):
                target = base / student / name / filename
                problem = _write(zf, entry, target, base)
                if problem:
                    notes.append(problem)
                elif target.is_file():
                    collected.setdefault(name, set()).add(student)
    except zipfile.BadZipFile:
        raise GraderError(f"{archive} is not a zip file: download the submissions again") from None
    if not collected and not notes:
        what = f" for {assignment}" if assignment else ""
        raise GraderError(
            f"no file in {archive.name} is named <student_id>_<assignment>_<notebook>.ipynb{what}"
        )
    return CollectResult(
        {name: tuple(sorted(students)) for name, students in sorted(collected.items())},
        tuple(notes),
    )
