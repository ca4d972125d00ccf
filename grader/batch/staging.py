"""Step 1a of a batch, *Plan*: pure repairs of a submitted notebook before nbgrader sees it.

Everything here works on bytes, JSON and nbformat ``NotebookNode`` objects in memory: no file is
written, nbgrader is not imported. :func:`stage` reads a submitted file's bytes and applies, in
this order, the repairs students' tools make necessary; each repair that changed something
returns ONE line for the TA (the batch report shows it):

1. unreadable file (not UTF-8, not JSON, not a notebook, unknown nbformat) -> a *problem*: the
   submission is not graded and the student is asked to resubmit;
2. nbformat 3 -> upgraded to 4;
3. missing, invalid or duplicated cell ids -> regenerated (deterministically);
4. blank or duplicated ``grade_id`` (a copy-pasted graded cell) -> the first occurrence keeps its
   nbgrader metadata, copies and blank ones lose it (nbgrader would otherwise abort);
5. nbgrader metadata missing on a cell that the release has as locked or graded (an editor
   dropped it) -> restored from the release, matching the cell by id, else by source;
6. a graded cell whose type was changed (code <-> markdown) -> back to the release's type;
7. cells with the grade_id of another assignment (a cell copied from another practice, or that
   practice's whole notebook under this name): a notebook none of whose graded cells is this
   assignment's -> a *problem* that names the assignment it belongs to; otherwise those cells
   lose their nbgrader metadata (graded as the student's own cells) with a note per cell.

The reference for 5 to 7 is the released notebook (``notebooks/<assignment>/<nb>.ipynb``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import nbformat
from nbformat import NotebookNode

from grader.cells import grade_id, is_graded_or_locked

#: nbformat's rule for cell ids (nbformat 4.5)
CELL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: metadata keys that nbgrader sets on locked cells, moved together with ``nbgrader``
LOCK_KEYS = ("deletable", "editable")


@dataclass(frozen=True)
class StagedNotebook:
    """A submitted notebook after the pure repairs.

    Attributes:
        notebook: the repaired notebook (nbformat 4), or ``None`` when ``problem`` is set.
        notes: one line per repair made, for the TA.
        problem: why the file cannot be graded (one line), or ``None``.
    """

    notebook: NotebookNode | None
    notes: tuple[str, ...] = ()
    problem: str | None = None


def _strip_nbgrader(cell: NotebookNode) -> None:
    cell.metadata.pop("nbgrader", None)
    for key in LOCK_KEYS:
        cell.metadata.pop(key, None)


# ---------------------------------------------------------------------------------------------
# 1-2: reading
# ---------------------------------------------------------------------------------------------


def read_json(data: bytes | str) -> tuple[dict[str, Any] | None, str | None]:
    """The notebook's JSON object, or ``(None, problem)`` for a file that is not a notebook."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None, "not a notebook (not UTF-8 text)"
    else:
        text = data
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not a notebook (invalid JSON at line {exc.lineno} column {exc.colno})"
    if not isinstance(raw, dict) or not isinstance(raw.get("nbformat"), int):
        return None, "not a notebook (JSON without an nbformat version)"
    return raw, None


def to_notebook(raw: dict[str, Any]) -> tuple[NotebookNode | None, str | None, str | None]:
    """(notebook in nbformat 4, upgrade note, problem) of a notebook's JSON object."""
    version = raw["nbformat"]
    if version not in (3, 4):
        return None, None, f"not a notebook this course can grade (nbformat {version})"
    cells = raw.get("cells") if version == 4 else raw.get("worksheets")
    if not isinstance(cells, list):
        what = "cells" if version == 4 else "worksheets"
        return None, None, f"not a notebook (no list of {what})"
    try:
        with warnings.catch_warnings():
            # nbformat warns about (and itself repairs) missing or duplicated ids: see repair_ids
            warnings.simplefilter("ignore")
            nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # any unreadable structure is the same case for the TA
        first = (str(exc).splitlines() or [""])[0][:80]
        return None, None, f"not a notebook ({type(exc).__name__}: {first})"
    note = "nbformat 3 notebook: upgraded to nbformat 4" if version == 3 else None
    return nb, note, None


# ---------------------------------------------------------------------------------------------
# 3: cell ids
# ---------------------------------------------------------------------------------------------


def _derived_id(index: int, source: str, taken: set[str]) -> str:
    salt = 0
    while True:
        digest = hashlib.sha1(f"{index}:{salt}:{source}".encode()).hexdigest()[:8]
        if digest not in taken:
            return digest
        salt += 1


def repair_ids(nb: NotebookNode, original_ids: list[Any], *, announce: bool = True) -> str | None:
    """Give every cell a valid, unique id; the first cell holding an id keeps it.

    Args:
        nb: the notebook, changed in place.
        original_ids: the ``id`` of each cell as the file had it (``None`` when absent), since
            nbformat's reader already replaced missing and duplicated ones with random ids.
        announce: return a note when ids were regenerated (not for formats without ids).
    """
    kept: list[str | None] = []
    seen: set[str] = set()
    for index in range(len(nb.cells)):
        value = original_ids[index] if index < len(original_ids) else None
        if isinstance(value, str) and CELL_ID.match(value) and value not in seen:
            kept.append(value)
            seen.add(value)
        else:
            kept.append(None)
    repaired = 0
    for index, cell in enumerate(nb.cells):
        cell_id = kept[index]
        if cell_id is None:
            cell_id = _derived_id(index, cell.get("source", ""), seen)
            seen.add(cell_id)
            repaired += 1
        cell["id"] = cell_id
    nb.nbformat_minor = max(nb.get("nbformat_minor", 0), 5)
    if repaired and announce:
        return f"{repaired} cell id(s) missing or duplicated: regenerated"
    return None


# ---------------------------------------------------------------------------------------------
# 4: grade ids
# ---------------------------------------------------------------------------------------------


def repair_grade_ids(nb: NotebookNode) -> str | None:
    """Keep nbgrader metadata on the first cell of each grade_id; remove it from copies and from
    cells whose grade_id is blank."""
    seen: set[str] = set()
    duplicated: list[str] = []
    blank = 0
    for cell in nb.cells:
        if "nbgrader" not in cell.get("metadata", {}):
            continue
        gid = grade_id(cell)
        if gid is None:
            blank += 1
            _strip_nbgrader(cell)
        elif gid in seen:
            duplicated.append(gid)
            _strip_nbgrader(cell)
        else:
            seen.add(gid)
    parts = []
    if duplicated:
        names = ", ".join(sorted(set(duplicated)))
        parts.append(f"duplicated graded cell(s) {names}: graded the first occurrence")
    if blank:
        parts.append(f"{blank} cell(s) with a blank grade_id: their nbgrader metadata removed")
    return "; ".join(parts) or None


# ---------------------------------------------------------------------------------------------
# 5: nbgrader metadata dropped by an editor
# ---------------------------------------------------------------------------------------------


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return ("".join(source) if isinstance(source, list) else str(source)).strip()


def restore_metadata(nb: NotebookNode, released: NotebookNode) -> str | None:
    """Put back the release's nbgrader metadata on locked / graded cells that lost it.

    A released cell whose grade_id appears nowhere in the submission is matched with a
    submission cell *without* nbgrader metadata: the cell with the same id, else the one at the
    same position with the same source, else the first one with the same source. A cell that
    cannot be matched is left to nbgrader (which restores deleted test cells).
    """
    present = {grade_id(cell) for cell in nb.cells} - {None}
    free = {index for index, cell in enumerate(nb.cells) if "nbgrader" not in cell.metadata}
    by_id = {cell.get("id"): index for index, cell in enumerate(nb.cells) if index in free}
    restored = []
    for position, ref in enumerate(released.cells):
        gid = grade_id(ref)
        if gid is None or gid in present or not is_graded_or_locked(ref):
            continue
        match = by_id.get(ref.get("id"))
        if match is None or match not in free:
            same = [i for i in sorted(free) if _source(nb.cells[i]) == _source(ref)]
            match = position if position in same else (same[0] if same else None)
        if match is None:
            continue
        cell = nb.cells[match]
        cell.metadata["nbgrader"] = copy.deepcopy(ref.metadata["nbgrader"])
        for key in LOCK_KEYS:
            if key in ref.metadata:
                cell.metadata[key] = ref.metadata[key]
        free.discard(match)
        present.add(gid)
        restored.append(gid)
    if restored:
        return f"nbgrader metadata missing on {', '.join(restored)}: restored from the release"
    return None


# ---------------------------------------------------------------------------------------------
# 6: cell types
# ---------------------------------------------------------------------------------------------


def set_cell_type(cell: NotebookNode, cell_type: str) -> None:
    """Turn ``cell`` into a ``cell_type`` cell (code <-> markdown/raw), keeping its source."""
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.setdefault("outputs", [])
        cell.setdefault("execution_count", None)
        cell.pop("attachments", None)
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def restore_cell_types(nb: NotebookNode, released: NotebookNode) -> str | None:
    """Give every nbgrader cell of the release its released type back (code <-> markdown)."""
    types = {grade_id(ref): ref.cell_type for ref in released.cells if grade_id(ref)}
    changed = []
    for cell in nb.cells:
        gid = grade_id(cell)
        expected = types.get(gid)
        if expected is not None and cell.cell_type != expected:
            changed.append(f"{gid} ({cell.cell_type} -> {expected})")
            set_cell_type(cell, expected)
    if changed:
        return f"cell type changed on {', '.join(changed)}: restored to the release's type"
    return None


# ---------------------------------------------------------------------------------------------
# all of it
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# 7: cells of another assignment
# ---------------------------------------------------------------------------------------------


def foreign_cells(
    nb: NotebookNode, released: NotebookNode, owners: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """Find the cells that carry another assignment's grade_id: ``(note, problem)``.

    Args:
        nb: the submission (changed in place: foreign cells lose their nbgrader metadata).
        released: the assignment's released notebook.
        owners: grade_id -> the other assignment that uses it.

    Returns:
        A note naming each foreign cell (1-based) and its assignment, or the problem "this is
        <other>'s notebook" when no graded cell of the submission is one that only this
        assignment has (cells both share, such as a common set-up cell, do not count).
    """
    ours = {gid for cell in released.cells if (gid := grade_id(cell)) is not None}
    foreign: list[tuple[int, str, str]] = []
    for index, cell in enumerate(nb.cells):
        gid = grade_id(cell)
        if gid is not None and gid not in ours and gid in owners:
            foreign.append((index, gid, owners[gid]))
    if not foreign:
        return None, None
    mine = [gid for cell in nb.cells if (gid := grade_id(cell)) in ours and gid not in owners]
    if not mine:  # not one graded cell that only this assignment has
        others = sorted({owner for _, _, owner in foreign})
        return None, (
            f"this is {' or '.join(others)}'s notebook (its graded cells carry "
            f"{'that' if len(others) == 1 else 'those'} assignment's grade ids)"
        )
    for index, _, _ in foreign:
        _strip_nbgrader(nb.cells[index])
    parts = [f"cell {index + 1} carries {owner}'s grade_id {gid}" for index, gid, owner in foreign]
    return "; ".join(parts) + ": graded as the student's own cell(s)", None


def stage(
    data: bytes | str, released: NotebookNode, owners: Mapping[str, str] | None = None
) -> StagedNotebook:
    """Read a submitted notebook's bytes and apply every repair (see the module docstring).

    Args:
        data: the submitted file's content.
        released: the released notebook of the assignment (the reference for repairs 5 to 7).
        owners: grade_id -> the other assignment of the course that uses it (repair 7).
            Defaults to none.

    Returns:
        The repaired notebook and one note per repair, or a problem when it cannot be graded.
    """
    raw, problem = read_json(data)
    if raw is None:
        return StagedNotebook(None, (), problem)
    nb, upgrade_note, problem = to_notebook(raw)
    if nb is None:
        return StagedNotebook(None, (), problem)
    # nbformat 3 and 4.0-4.4 have no cell ids: they are created without a note
    has_ids = raw["nbformat"] == 4 and raw.get("nbformat_minor", 0) >= 5
    cells = raw["cells"] if has_ids else []
    original_ids = [cell.get("id") if isinstance(cell, dict) else None for cell in cells]
    foreign_note, problem = foreign_cells(nb, released, owners or {})
    if problem is not None:
        return StagedNotebook(None, (), problem)
    repairs: list[Callable[[], str | None]] = [
        lambda: upgrade_note,
        lambda: repair_ids(nb, original_ids, announce=has_ids),
        lambda: foreign_note,
        lambda: repair_grade_ids(nb),
        lambda: restore_metadata(nb, released),
        lambda: restore_cell_types(nb, released),
    ]
    notes = tuple(note for note in (repair() for repair in repairs) if note)
    return StagedNotebook(nb, notes, None)
