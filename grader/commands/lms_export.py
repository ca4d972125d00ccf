"""Grades in the import formats of the LMSs, for one assignment, from the rows of ``grades.csv``.

- ``canvas``: the Gradebook import CSV (Canvas Instructor Guide, "How do I import grades in the
  Gradebook?"): the identity columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
  ``Section`` and one column for the assignment (named as in Canvas, e.g. ``Kernel sizes
  (67890)``; a new name makes Canvas create that assignment). ``ID`` is the Canvas user id, the
  student id :mod:`grader.commands.collect` takes from a Canvas download.
- ``moodle``: the grading worksheet (Moodle docs, "Assignment: grading", *Offline grading
  worksheets*): ``Identifier`` (``Participant <id>``, the participant id a Moodle download
  carries), ``Full name``, ``Email address``, ``Status``, ``Grade``, ``Maximum Grade``, ``Grade
  can be changed``, ``Last modified (submission)``, ``Last modified (grade)``, ``Feedback
  comments``.

Only a ``graded`` submission gets a number. Every other row (needs review, not graded, no
submission) is **held**: its grade cell is left empty, so the LMS publishes nothing for it, and
it is listed in a second CSV for the TA (``student_id``, ``status``, ``reason``).
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, get_args

Lms = Literal["canvas", "moodle"]
#: Every :data:`Lms`, in the order the command line lists them.
LMSS: tuple[Lms, ...] = get_args(Lms)

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = (
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
    "Feedback comments",
)
HELD_COLUMNS = ("student_id", "status", "reason")


@dataclass(frozen=True)
class LmsExport:
    """What an LMS export wrote.

    Attributes:
        grades: the import file.
        held: the CSV of the rows held back, for the TA.
        exported: students with a grade in the import file.
        held_back: students whose grade cell is left empty.
    """

    grades: Path
    held: Path
    exported: int
    held_back: int


def _full_name(row: Mapping[str, str]) -> str:
    return " ".join(part for part in (row["first_name"], row["last_name"]) if part)


def _grade(row: Mapping[str, str]) -> str:
    return row["score"] if row["status"] == "graded" else ""


def canvas_table(rows: Sequence[Mapping[str, str]], column: str) -> list[list[str]]:
    """The Canvas import table (header first) of one assignment's ``grades.csv`` rows."""
    table = [[*CANVAS_IDENTITY, column]]
    for row in rows:
        last_first = ", ".join(part for part in (row["last_name"], row["first_name"]) if part)
        table.append([last_first or row["student_id"], row["student_id"], "", "", "", _grade(row)])
    return table


def moodle_table(rows: Sequence[Mapping[str, str]]) -> list[list[str]]:
    """The Moodle grading worksheet (header first) of one assignment's ``grades.csv`` rows."""
    table = [list(MOODLE_COLUMNS)]
    for row in rows:
        table.append(
            [
                f"Participant {row['student_id']}",
                _full_name(row) or row["student_id"],
                row["email"],
                "",
                _grade(row),
                row["max_score"],
                "Yes",
                row["timestamp"],
                "",
                "",
            ]
        )
    return table


@contextlib.contextmanager
def atomic_csv(to: Path) -> Iterator[IO[str]]:
    """A UTF-8 text handle (``newline=""``, for :mod:`csv`) whose content replaces ``to`` only
    when the block ends without an exception; a half-written file never takes its place."""
    to.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{to.stem}-", suffix=".csv", dir=to.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(tmp, to)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(table: Iterable[Sequence[str]], to: Path) -> None:
    """Write a CSV table to ``to`` atomically (UTF-8, as both LMSs read it)."""
    with atomic_csv(to) as out:
        csv.writer(out).writerows(table)


def write_lms_export(
    rows: Sequence[Mapping[str, str]], lms: Lms, to: Path, column: str | None = None
) -> LmsExport:
    """Write one assignment's grades as ``lms`` imports them, and the held rows beside them.

    Args:
        rows: the assignment's rows of ``grades.csv`` (:data:`grader.commands.export.COLUMNS`).
        lms: the LMS.
        to: the import file; the held rows go to ``<stem>-held.csv`` beside it.
        column: Canvas's assignment column. Defaults to the rows' assignment name.
    """
    if lms == "canvas":
        name = column or (rows[0]["assignment"] if rows else "assignment")
        table = canvas_table(rows, name)
    else:
        table = moodle_table(rows)
    held = to.with_name(f"{to.stem}-held.csv")
    held_rows = [
        [row["student_id"], row["status"], row["reason"]]
        for row in rows
        if row["status"] != "graded"
    ]
    _write(table, to)
    _write([list(HELD_COLUMNS), *held_rows], held)
    return LmsExport(to, held, len(rows) - len(held_rows), len(held_rows))
