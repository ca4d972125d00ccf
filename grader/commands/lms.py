"""The file names of an LMS download: who handed in which file, when, and whether late.

Each LMS names the files of its "download all submissions" zip its own way; :func:`parse` reads
one entry's path in one of these schemes and :func:`detect` tells which scheme a zip uses:

- ``canvas``: ``<name>_[LATE_]<user id>_<submission id>_<file>``, e.g.
  ``muellerjan_12345_67890_kernel_sizes.ipynb`` or
  ``smithanna_LATE_23456_78901_kernel_sizes.ipynb``; a resubmitted file carries ``-1``,
  ``-2``... before its extension (Canvas Instructor Guide, "How do I download all student
  submissions for an assignment?").
- ``moodle``: ``<full name>_<participant id>_assignsubmission_file_<file>``, or with "Download
  submissions in folders" one folder ``<full name>_<participant id>_assignsubmission_file/`` per
  participant (Moodle docs, "Assignment: grading", *Download all submissions*).
- ``blackboard``: ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>``, beside a
  ``.txt`` receipt of the attempt (Blackboard Learn help, "Download assignments").
- ``course``: this course's own ``<student_id>_<assignment>_<notebook>.ipynb``
  (``grader.settings.LMS_FILE_PATTERN``).

Only the names are read here (nothing is opened); :mod:`grader.commands.collect` decides what
is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal, get_args

from grader import settings

Scheme = Literal["canvas", "moodle", "blackboard", "course"]
#: Every :data:`Scheme`, most specific first: the order :func:`detect` tries them in (a Canvas
#: name also fits the course's looser pattern).
SCHEMES: tuple[Scheme, ...] = get_args(Scheme)

_CANVAS = re.compile(
    r"(?P<name>[^_/]+)_(?:(?P<late>LATE)_)?(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)"
)
_CANVAS_RESUBMISSION = re.compile(r"(?P<stem>.+)-(?P<number>\d+)(?P<suffix>\.[^.]+)")
_MOODLE = re.compile(r"(?P<name>.+)_(?P<user>\d+)_assignsubmission_file_?(?P<file>.*)")
_BLACKBOARD = re.compile(
    r"(?P<prefix>.+)_attempt_(?P<stamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:_(?P<file>.+))?"
)
_COURSE = re.compile(settings.LMS_FILE_PATTERN)


@dataclass(frozen=True)
class Handed:
    """One file of one student's submission, as its name in the download says.

    Attributes:
        student: the LMS's id of the student (Canvas user id, Moodle participant id, Blackboard
            username, or the course's student id); the folder under ``submitted/``.
        file: the file name the student uploaded (Canvas's resubmission suffix removed).
        assignment: the assignment the name gives (the course scheme; Blackboard's is the LMS's
            title), or ``None``.
        name: the student's name as the LMS spells it, or ``""``.
        attempt: orders one student's attempts, later ones larger (Canvas: resubmission number
            and submission id; Blackboard: the attempt's time stamp); ``()`` when the name has
            none.
        late: the LMS marked the submission late (Canvas's ``LATE``).
    """

    student: str
    file: str
    assignment: str | None = None
    name: str = ""
    attempt: tuple[int | str, ...] = ()
    late: bool = False


def parse(path: str, scheme: Scheme) -> Handed | None:
    """What ``path`` (an entry of the zip, ``/``-separated) says in ``scheme``, or ``None`` when
    it is not named that way."""
    pure = PurePosixPath(path)
    base = pure.name
    if scheme == "canvas":
        match = _CANVAS.fullmatch(base)
        if match is None:
            return None
        file, number = match["file"], 0
        resubmitted = _CANVAS_RESUBMISSION.fullmatch(file)
        if resubmitted:
            file = resubmitted["stem"] + resubmitted["suffix"]
            number = int(resubmitted["number"])
        return Handed(
            student=match["user"],
            file=file,
            name=match["name"],
            attempt=(number, int(match["submission"])),
            late=match["late"] is not None,
        )
    if scheme == "moodle":
        match = _MOODLE.fullmatch(base)
        if match is not None and match["file"]:
            return Handed(student=match["user"], file=match["file"], name=match["name"])
        folder = _MOODLE.fullmatch(pure.parent.name) if len(pure.parts) > 1 else None
        if folder is not None and not folder["file"]:
            return Handed(student=folder["user"], file=base, name=folder["name"])
        return None
    if scheme == "blackboard":
        match = _BLACKBOARD.fullmatch(base)
        if match is None or not match["file"] or "_" not in match["prefix"]:
            return None
        assignment, user = match["prefix"].rsplit("_", 1)
        return Handed(
            student=user, file=match["file"], assignment=assignment, attempt=(match["stamp"],)
        )
    match = _COURSE.fullmatch(base)
    if match is None:
        return None
    return Handed(
        student=match["student_id"], file=match["file_id"], assignment=match["assignment"]
    )


def detect(paths: Iterable[str]) -> Scheme | None:
    """The scheme that names the most notebooks (``.ipynb``) of ``paths``, the most specific one
    on a tie (:data:`SCHEMES`), or ``None`` when no notebook fits any."""
    notebooks = [path for path in paths if path.endswith(".ipynb")]
    counts = {
        scheme: sum(parse(path, scheme) is not None for path in notebooks) for scheme in SCHEMES
    }
    best = max(counts.values(), default=0)
    if best == 0:
        return None
    return next(scheme for scheme in SCHEMES if counts[scheme] == best)
