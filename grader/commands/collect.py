"""``python -m grader collect <lms.zip>``: unpack an LMS download into
``submitted/<student>/<assignment>/<notebook>.ipynb``.

The zip is read as it comes from the LMS: Canvas, Moodle (flat or one folder per participant),
Blackboard, or the course's own ``<student_id>_<assignment>_<notebook>.ipynb`` (the schemes of
:mod:`grader.commands.lms`; ``lms="auto"`` detects which, and the result says which it used).
Canvas and Moodle names carry no course assignment, so those downloads need ``assignment``; the
LMS's id of a student (Canvas user id, Moodle participant id, Blackboard username) becomes the
folder under ``submitted/``.

Because the zip comes from outside, an entry is **refused** (one line each) when its path is
absolute or climbs out with ``..``, when it is a symbolic link, when its student id or
assignment is empty, ``.``, ``..`` or holds a path separator, when it is larger than
:data:`MAX_NOTEBOOK_BYTES`, or when its assignment is not in ``solutions/``; nothing is ever
written outside ``submitted/``. Of several attempts of one student the latest is kept (the LMS's
attempt order, then the zip date, then zip order) and the others are listed. A notebook the
student renamed is collected under the assignment's notebook name, with a note, when it is the
only notebook of that attempt. Late submissions (Canvas's ``LATE``) are listed. Other files are
skipped. The counts returned are those of the files that are on disk afterwards.
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
from typing import Literal

from grader import settings
from grader.commands.lms import Handed, Scheme, detect, parse
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
        notes: one line per refused, skipped, replaced, renamed or late entry, for the TA.
        scheme: how the zip names its files (:data:`grader.commands.lms.Scheme`).
    """

    collected: dict[str, tuple[str, ...]]
    notes: tuple[str, ...] = ()
    scheme: Scheme = "course"

    @property
    def count(self) -> int:
        """Number of submissions (student x assignment) written."""
        return sum(len(students) for students in self.collected.values())


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    order: int  # position in the zip
    handed: Handed
    assignment: str

    @property
    def when(self) -> tuple[tuple[int | str, ...], tuple[int, ...], int]:
        """Sorts one student's entries from the earliest attempt to the latest."""
        return (self.handed.attempt, self.info.date_time, self.order)


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


def _screen(info: zipfile.ZipInfo) -> str | None:
    """A refusal note for an entry that must not be followed, ``""`` for an entry that is not a
    notebook (ignored silently), or ``None`` for a notebook entry to read."""
    name = info.filename
    if info.is_dir():
        return ""
    problem = unsafe_path(name)
    if problem:
        return f"refused {name!r}: {problem}"
    basename = PurePosixPath(name.replace("\\", "/")).name
    if not basename.endswith(".ipynb"):
        return ""
    if basename.startswith("._") or "__MACOSX" in name.split("/"):
        return ""  # macOS resource forks
    return None


def classify(
    info: zipfile.ZipInfo,
    known: Sequence[str],
    scheme: Scheme = "course",
    assignment: str | None = None,
    order: int = 0,
) -> _Entry | str | None:
    """An entry to write, a refusal/skip note, or ``None`` for a silently ignored entry.

    Args:
        info: the zip entry.
        known: the course's assignments.
        scheme: how the zip names its files. Defaults to the course's own scheme.
        assignment: the assignment of a download whose names carry none (Canvas, Moodle).
        order: the entry's position in the zip.
    """
    screened = _screen(info)
    if screened is not None:
        return screened or None
    name = info.filename.replace("\\", "/")
    handed = parse(name, scheme)
    if handed is None:
        return f"skipped {info.filename!r}: not named as {_SCHEME_NAMES[scheme]}"
    target = handed.assignment if scheme == "course" else assignment
    if scheme == "blackboard" and handed.assignment in known:
        target = handed.assignment
    if target is None:
        return f"skipped {info.filename!r}: it names no assignment of the course"
    for what, value in (("student id", handed.student), ("assignment", target)):
        if value.strip() in _UNSAFE_NAMES or value.startswith(".") or "\\" in value:
            return f"refused {info.filename!r}: {what} {value!r} is not a folder name"
    if "\\" in handed.file or handed.file.startswith("."):
        return f"refused {info.filename!r}: notebook name {handed.file!r} is not a file name"
    if _is_symlink(info):
        return f"refused {info.filename!r}: a symbolic link"
    if info.file_size > MAX_NOTEBOOK_BYTES:
        return f"refused {info.filename!r}: {info.file_size / 1e6:.0f} MB, larger than any notebook"
    if target not in known:
        return f"skipped {info.filename!r}: no assignment '{target}' in {settings.SOURCE_DIR}/"
    return _Entry(info, order, handed, target)


#: How each scheme names a file, for the TA's notes.
_SCHEME_NAMES: dict[Scheme, str] = {
    "canvas": "Canvas names a submission (<name>_[LATE_]<user id>_<submission id>_<file>)",
    "moodle": "Moodle names a submission (<full name>_<id>_assignsubmission_file_<file>)",
    "blackboard": "Blackboard names an attempt (<assignment>_<user>_attempt_<time>_<file>)",
    "course": "<student_id>_<assignment>_<notebook>.ipynb",
}


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


def _notebook_names(root: Path, assignment: str) -> list[str]:
    """The notebook file names of ``assignment`` in ``solutions/``."""
    return sorted(path.name for path in (root / settings.SOURCE_DIR / assignment).glob("*.ipynb"))


def _choose(
    entries: list[_Entry], rename_to: str | None, notes: list[str]
) -> list[tuple[_Entry, str]]:
    """The entries of one student and assignment to write, each with its file name.

    Of several attempts the latest is kept; of one file name, the newest entry. With
    ``rename_to`` (an LMS download of a one-notebook assignment) the notebook of that name is
    kept, else the attempt's only notebook under that name (with a note); several other
    notebooks are refused.
    """
    first = entries[0]
    handed = first.handed
    who = f"{handed.student} ({handed.name})" if handed.name else handed.student
    latest = max(entry.handed.attempt for entry in entries)
    current = [entry for entry in entries if entry.handed.attempt == latest]
    older = sorted((e for e in entries if e.handed.attempt != latest), key=lambda e: e.when)
    if older:
        attempts = len({entry.handed.attempt for entry in entries})
        notes.append(
            f"{who} handed in {first.assignment} {attempts} times: kept the latest "
            f"({current[0].info.filename!r}), not "
            + ", ".join(repr(e.info.filename) for e in older)
        )
    by_file: dict[str, list[_Entry]] = {}
    for entry in sorted(current, key=lambda e: e.when):
        by_file.setdefault(entry.handed.file, []).append(entry)
    chosen: list[tuple[_Entry, str]] = []
    for file, same in by_file.items():
        kept = same[-1]
        if len(same) > 1:
            notes.append(
                f"{who} handed in {first.assignment} twice: kept {kept.info.filename!r}, not "
                + ", ".join(repr(e.info.filename) for e in same[:-1])
            )
        chosen.append((kept, file))
    if rename_to is None:
        return chosen
    named = [(entry, file) for entry, file in chosen if file == rename_to]
    if named:
        return named
    if len(chosen) == 1:
        entry, file = chosen[0]
        notes.append(f"{who} handed in {file!r} for {first.assignment}: collected as {rename_to}")
        return [(entry, rename_to)]
    notes.append(
        f"refused {who}'s {first.assignment}: {len(chosen)} notebooks, none named {rename_to} "
        "(collect the right one by hand)"
    )
    return []


def collect(
    root: Path, archive: Path, assignment: str | None = None, lms: Scheme | Literal["auto"] = "auto"
) -> CollectResult:
    """Unpack an LMS zip into ``submitted/<student>/<assignment>/``.

    Args:
        root: the course root.
        archive: the zip downloaded from the LMS.
        assignment: only collect this assignment (default: every assignment in the zip); a
            Canvas or Moodle download needs it (their names carry none).
        lms: how the zip names its files (:data:`grader.commands.lms.Scheme`), or ``"auto"`` to
            detect it. Defaults to ``"auto"``.

    Raises:
        GraderError: the archive is missing, not a zip, holds no submission at all, or is a
            Canvas or Moodle download without ``assignment``.
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
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            scheme = detect(i.filename.replace("\\", "/") for i in infos) if lms == "auto" else lms
            if scheme is None:
                raise GraderError(
                    f"no notebook in {archive.name} is named as a Canvas, Moodle or Blackboard "
                    "download names it, nor <student_id>_<assignment>_<notebook>.ipynb: pass "
                    "the zip the LMS's 'download all submissions' gives, or --lms"
                )
            if scheme in ("canvas", "moodle") and assignment is None:
                raise GraderError(
                    f"{archive.name} is a {scheme.capitalize()} download, whose file names carry "
                    f"no course assignment: pass --assignment (one of {', '.join(known)})"
                )
            groups: dict[tuple[str, str], list[_Entry]] = {}
            for order, info in enumerate(infos):
                found = classify(info, known, scheme, assignment, order)
                if found is None:
                    continue
                if isinstance(found, str):
                    notes.append(found)
                    continue
                if assignment is not None and found.assignment != assignment:
                    continue
                groups.setdefault((found.handed.student, found.assignment), []).append(found)
            collected: dict[str, set[str]] = {}
            for (student, name), entries in sorted(groups.items()):
                expected = _notebook_names(root, name)
                rename_to = expected[0] if scheme != "course" and len(expected) == 1 else None
                for entry, filename in _choose(entries, rename_to, notes):
                    if entry.handed.late:
                        notes.append(f"{student} handed in {name} late ({scheme}'s LATE marker)")
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
        raise GraderError(f"no file in {archive.name} is a submission{what}")
    return CollectResult(
        {name: tuple(sorted(students)) for name, students in sorted(collected.items())},
        tuple(notes),
        scheme,
    )
