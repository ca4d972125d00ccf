"""Seals, evidence and the verdict of every graded test cell, decided outside the kernel.

A submission's code runs in the same kernel as the test cells, so whatever a test cell prints
or raises there can be faked. What the coordinator trusts instead (docs/grading.md, step 5):

* the **seal**: :func:`add_seals` appends to every graded test cell a line that displays
  ``{"grade_id": ..., "nonce": ...}`` (MIME ``application/vnd.nn-tricks.seal+json``) with a
  nonce fresh for the job and kept in the coordinator's memory. A cell that ends without it
  (or with a wrong or second one) was cut short or had its outputs altered;
* the **evidence**: the values the hidden tests emit with ``helpers.grading.record`` (MIME
  ``application/vnd.nn-tricks.evidence+json``), compared with the values the instructor's
  reference solution emitted in the same cell (:func:`decide`). Expected values never enter a
  student's sandbox.

:func:`extract_evidence` reads both from an executed notebook, :func:`decide` turns them into
one :class:`CellVerdict` per graded test cell, and :func:`apply_verdicts` writes the verdicts
into a copy of the notebook, so that nbgrader's own scoring (a test cell scores 0 when it has an
error output) and the students' feedback say the same.

This module needs nbformat only: no TensorFlow, no nbgrader, no kernel.
"""

from __future__ import annotations

import copy
import json
import math
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import nbformat
from nbformat import NotebookNode

from grader import cells

#: MIME types of evidence and seals: helpers.protocol's (tests/helpers/test_protocol.py pins
#: them equal)
EVIDENCE_MIME = "application/vnd.nn-tricks.evidence+json"
SEAL_MIME = "application/vnd.nn-tricks.seal+json"
#: ``ename`` of the error output that :func:`apply_verdicts` puts into a failed cell.
VERDICT_ENAME = "GradingVerdict"
#: Comment that ends every seal line, so that :func:`apply_verdicts` can take it out again.
SEAL_MARK = "# nn-tricks seal"
_SEAL_LINE = re.compile(
    r"\n__import__\(\"IPython\.display\"\)\.display\.display\(\{\""
    + re.escape(SEAL_MIME)
    + r"\": \{[^\n]*\}\}, raw=True\)  "
    + re.escape(SEAL_MARK)
    + r"\Z"
)
_SHORT = 60  # characters of a value shown in a flag
_SHOWN_DIFFERENCES = 3


class ReferenceRunFailed(RuntimeError):
    """The instructor's reference run cannot serve as the expected evidence (it must pass)."""


class Record(NamedTuple):
    """One piece of evidence: ``grading.record(name, value, tol=tol)`` in a test cell.

    Attributes:
        name: the record's name, as the test cell gave it.
        value: the recorded value as JSON data (None, bool, int, float, str, lists, dicts).
        tol: the tolerance the test cell gave (only the reference run's counts), >= 0.
    """

    name: str
    value: Any
    tol: float


@dataclass(frozen=True)
class CellEvidence:
    """What one graded test cell of an executed notebook left in its outputs.

    Attributes:
        grade_id: the cell's nbgrader grade id.
        records: its evidence records, in output order (only those before the seal).
        seals: every seal output of the cell as ``(grade_id, nonce)``, in output order.
        records_after_seal: number of evidence outputs that came after the (first) seal:
            nothing of the test runs after its seal line, so these were added by other code.
        error: whether the cell has an error output (the test raised).
        stderr: whether the cell wrote to stderr (nbgrader scores such a cell 0 as well).
        error_summary: ``"ename: evalue"`` of the first error output (or the first stderr
            line), empty when neither.
        copies: how many graded test cells of the notebook carry this grade id (1 normally).
    """

    grade_id: str
    records: tuple[Record, ...] = ()
    seals: tuple[tuple[str, str], ...] = ()
    records_after_seal: int = 0
    error: bool = False
    stderr: bool = False
    error_summary: str = ""
    copies: int = 1

    @property
    def sealed(self) -> bool:
        """Whether a seal naming this cell is present."""
        return any(grade_id == self.grade_id for grade_id, _ in self.seals)

    @property
    def nonce(self) -> str | None:
        """The nonce of the cell's seal when it has exactly one seal and it names this cell."""
        if len(self.seals) == 1 and self.seals[0][0] == self.grade_id:
            return self.seals[0][1]
        return None

    @property
    def raised(self) -> bool:
        """Whether nbgrader scores the cell 0 on its own (error output or stderr)."""
        return self.error or self.stderr


@dataclass(frozen=True)
class CellVerdict:
    """The coordinator's verdict on one graded test cell.

    Attributes:
        grade_id: the cell's nbgrader grade id.
        passed: whether the cell earns its points.
        flag: ``None`` for an ordinary outcome (passed, or the check raised); otherwise one
            line for the TA saying why the submission needs review.
        detail: one line on how the verdict came about (for logs and feedback).
    """

    grade_id: str
    passed: bool
    flag: str | None
    detail: str


# --------------------------------------------------------------------------- cells


def _test_id(cell: NotebookNode) -> str | None:
    """The grade id of an autograder test cell (:func:`grader.cells.is_graded_test`), or
    ``None`` for any other cell and for a test cell without a usable grade id."""
    return cells.grade_id(cell) if cells.is_graded_test(cell) else None


def _graded_tests(nb: NotebookNode) -> Iterator[tuple[str, NotebookNode]]:
    """``(grade id, cell)`` of every autograder test cell with a grade id, in notebook order."""
    for cell in nb.cells:
        gid = _test_id(cell)
        if gid is not None:
            yield gid, cell


# --------------------------------------------------------------------------- seals


def seal_line(grade_id: str, nonce: str) -> str:
    """The Python line that displays the seal of ``grade_id`` (IPython directly, not helpers)."""
    payload = json.dumps({SEAL_MIME: {"grade_id": grade_id, "nonce": nonce}})
    return f'__import__("IPython.display").display.display({payload}, raw=True)  {SEAL_MARK}'


def add_seals(nb: NotebookNode, nonce: Callable[[], str] | None = None) -> dict[str, str]:
    """Append a seal line to every graded test cell of ``nb`` (in place).

    Every code cell with ``metadata.nbgrader.grade`` true and ``solution`` false gets, after
    a newline, one last line that displays ``{"grade_id": ..., "nonce": ...}`` as
    ``application/vnd.nn-tricks.seal+json`` through ``IPython.display.display(..., raw=True)``.
    The line runs only when everything above it ran without raising.

    Note: a test cell whose last line is an expression used to show its value (an
    ``execute_result``; nbgrader would read it as partial credit); after sealing, the seal is
    the last line and the value is no longer shown. The course's tests print instead.

    Args:
        nb: the prepared notebook (hidden tests already restored); modified in place.
        nonce: makes one nonce per grade id; defaults to ``secrets.token_hex(16)`` (32 hex
            characters). Two cells with the same grade id get the same nonce.

    Returns:
        ``{grade_id: nonce}`` for every sealed cell: keep it in the coordinator's memory.
    """
    make_nonce = nonce or (lambda: secrets.token_hex(16))
    nonces: dict[str, str] = {}
    for gid, cell in _graded_tests(nb):
        if gid not in nonces:
            nonces[gid] = make_nonce()
        cell.source = cell.source + "\n" + seal_line(gid, nonces[gid])
    return nonces


def remove_seal_line(source: str) -> str:
    """``source`` without the seal line :func:`add_seals` appended (unchanged if it has none)."""
    return _SEAL_LINE.sub("", source)


# --------------------------------------------------------------------------- evidence


def _mime_payload(output: NotebookNode, mime: str) -> Any:
    """The JSON payload of ``mime`` in a display_data output, or ``None``."""
    if output.get("output_type") != "display_data":
        return None
    data = output.get("data") or {}
    if mime not in data:
        return None
    payload = data[mime]
    if isinstance(payload, str):  # a JSON type stored as text
        try:
            payload = json.loads(payload)
        except ValueError:
            return {}
    return payload if isinstance(payload, dict) else {}


def _as_record(payload: dict[str, Any]) -> Record:
    """A :class:`Record`; a malformed payload becomes a record that matches nothing."""
    name, tol = payload.get("name"), payload.get("tol", 0.0)
    well_formed = (
        isinstance(name, str)
        and "value" in payload
        and isinstance(tol, int | float)
        and not isinstance(tol, bool)
        and math.isfinite(tol)
        and tol >= 0
    )
    if not well_formed or not isinstance(name, str):
        return Record("(malformed evidence)", _short(payload), 0.0)
    return Record(name, payload["value"], float(tol))


def _has_grading_mime(output: NotebookNode) -> bool:
    data = output.get("data") or {}
    return EVIDENCE_MIME in data or SEAL_MIME in data


def _cell_evidence(gid: str, cell: NotebookNode, copies: int) -> CellEvidence:
    records: list[Record] = []
    seals: list[tuple[str, str]] = []
    after_seal = 0
    error = stderr = False
    summary = ""
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error":
            if not error:
                first = str(output.get("evalue", "")).strip().splitlines()
                summary = f"{output.get('ename', 'Error')}: {first[0] if first else ''}"
            error = True
        elif kind == "stream" and output.get("name") == "stderr":
            if not error and not stderr:
                lines = str(output.get("text", "")).strip().splitlines()
                summary = f"wrote to stderr: {lines[0] if lines else ''}"
            stderr = True
        seal = _mime_payload(output, SEAL_MIME)
        if seal is not None:
            seals.append((str(seal.get("grade_id", "")), str(seal.get("nonce", ""))))
        evidence = _mime_payload(output, EVIDENCE_MIME)
        if evidence is not None:
            if seals:
                after_seal += 1
            else:
                records.append(_as_record(evidence))
    return CellEvidence(
        grade_id=gid,
        records=tuple(records),
        seals=tuple(seals),
        records_after_seal=after_seal,
        error=error,
        stderr=stderr,
        error_summary=summary[:200],
        copies=copies,
    )


def extract_evidence(nb: NotebookNode) -> dict[str, CellEvidence]:
    """The evidence of every graded test cell of an executed notebook, keyed by grade id.

    Keys come in notebook order. When a grade id occurs more than once, the first cell's
    evidence is kept and ``copies`` counts the cells.
    """
    counts: dict[str, int] = {}
    for gid, _ in _graded_tests(nb):
        counts[gid] = counts.get(gid, 0) + 1
    evidence: dict[str, CellEvidence] = {}
    for gid, cell in _graded_tests(nb):
        if gid not in evidence:
            evidence[gid] = _cell_evidence(gid, cell, counts[gid])
    return evidence


# --------------------------------------------------------------------------- comparison


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def values_match(expected: Any, actual: Any, tol: float) -> bool:
    """Whether ``actual`` equals the reference value ``expected``.

    Numbers match within ``math.isclose(rel_tol=tol, abs_tol=tol)`` (ints exactly when
    ``tol`` is 0), lists element by element (same length), dicts key by key (same keys);
    strings, booleans and ``None`` exactly (a boolean never matches a number).
    """
    if _is_number(expected):
        if not _is_number(actual):
            return False
        if tol == 0.0 and isinstance(expected, int) and isinstance(actual, int):
            return expected == actual
        return math.isclose(float(expected), float(actual), rel_tol=tol, abs_tol=tol)
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(values_match(e, a, tol) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(actual) == set(expected)
            and all(values_match(expected[key], actual[key], tol) for key in expected)
        )
    return False


def _short(value: Any) -> str:
    """A compact rendering of a JSON value (floats to 6 significant digits), at most 60 chars."""

    def render(item: Any) -> str:
        if isinstance(item, float):
            return f"{item:.6g}"
        if isinstance(item, list):
            return "[" + ", ".join(render(x) for x in item) + "]"
        if isinstance(item, dict):
            return "{" + ", ".join(f"{json.dumps(k)}: {render(v)}" for k, v in item.items()) + "}"
        try:
            return json.dumps(item)
        except (TypeError, ValueError):
            return repr(item)

    text = render(value)
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


def _by_name(records: Iterable[Record]) -> dict[str, list[Record]]:
    grouped: dict[str, list[Record]] = {}
    for item in records:
        grouped.setdefault(item.name, []).append(item)
    return grouped


def evidence_differences(expected: Iterable[Record], actual: Iterable[Record]) -> list[str]:
    """Every difference between a cell's reference records and a submission's, one line each.

    Records are matched by name (the n-th record of a name with the n-th of the same name),
    with the reference's tolerance: ``"<name>: expected <short>, got <short>"``, where a
    missing record is "got nothing" and an extra one "expected nothing".
    """
    wanted, found = _by_name(expected), _by_name(actual)
    lines: list[str] = []
    for name, references in wanted.items():
        submitted = found.get(name, [])
        for index, reference in enumerate(references):
            if index >= len(submitted):
                lines.append(f"{name}: expected {_short(reference.value)}, got nothing")
            elif not values_match(reference.value, submitted[index].value, reference.tol):
                lines.append(
                    f"{name}: expected {_short(reference.value)}, "
                    f"got {_short(submitted[index].value)}"
                )
        for extra in submitted[len(references) :]:
            lines.append(f"{name}: expected nothing, got {_short(extra.value)}")
    for name, submitted in found.items():
        if name not in wanted:
            lines.extend(f"{name}: expected nothing, got {_short(s.value)}" for s in submitted)
    return lines


# --------------------------------------------------------------------------- verdicts


def first_error(nb: NotebookNode) -> str | None:
    """Where an executed notebook first raised: ``"code cell 3 (`first line`): ename: evalue"``
    (cells counted from 1 among code cells), or ``None`` when no cell has an error output.

    A test cell that fails with a NameError usually only inherits an earlier cell's failure
    (the data did not load, a definition raised); this names that earlier cell.
    """
    code_cells = [cell for cell in nb.cells if cell.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                lines = [line for line in cell.get("source", "").splitlines() if line.strip()]
                first_line = _clip(lines[0].strip()) if lines else ""
                evalue = _clip(str(output.get("evalue", "")))
                return f"code cell {number} (`{first_line}`): {output.get('ename')}: {evalue}"
    return None


def _clip(text: str) -> str:
    """``text`` cut to at most ``_SHORT`` characters (with "..." when cut)."""
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


def _check_reference(reference: dict[str, CellEvidence]) -> None:
    for grade_id, cell in reference.items():
        if cell.raised:
            raise ReferenceRunFailed(
                f"the reference solution fails its own test cell {grade_id} "
                f"({cell.error_summary or 'error output'}): fix the solution notebook first"
            )
        if cell.nonce is None or cell.records_after_seal:
            raise ReferenceRunFailed(
                f"the reference run of test cell {grade_id} did not end with exactly one seal "
                "of its own: was the reference notebook sealed with add_seals before it ran?"
            )
        if cell.copies != 1:
            raise ReferenceRunFailed(
                f"the reference notebook has {cell.copies} test cells with grade id {grade_id}"
            )


def _seal_problem(cell: CellEvidence, nonce: str) -> str | None:
    """Why the cell's seal is not in order, or ``None`` when it is."""
    if not cell.seals:
        return "no seal output"
    if len(cell.seals) > 1:
        return f"{len(cell.seals)} seal outputs"
    if cell.seals[0] != (cell.grade_id, nonce):
        return "a seal that is not this job's"
    if cell.records_after_seal:
        return f"{cell.records_after_seal} evidence output(s) after the seal"
    return None


def _verdict(grade_id: str, cell: CellEvidence, nonce: str, expected: CellEvidence) -> CellVerdict:
    if cell.copies > 1:
        flag = f"cell {grade_id} appears {cell.copies} times"
        return CellVerdict(grade_id, False, flag, "duplicated graded cell")
    if cell.error:
        return CellVerdict(grade_id, False, None, f"the check raised: {cell.error_summary}")
    if cell.stderr:
        detail = f"the cell {cell.error_summary} (nbgrader scores that 0)"
        return CellVerdict(grade_id, False, None, detail)
    problem = _seal_problem(cell, nonce)
    if problem is not None:
        flag = (
            f"cell {grade_id} finished without its seal "
            "(its output was altered or the cell was cut short)"
        )
        return CellVerdict(grade_id, False, flag, problem)
    differences = evidence_differences(expected.records, cell.records)
    if differences:
        shown = "; ".join(differences[:_SHOWN_DIFFERENCES])
        more = len(differences) - _SHOWN_DIFFERENCES
        if more > 0:
            shown += f" (and {more} more)"
        flag = f"cell {grade_id} reported success but its values differ from the reference: {shown}"
        return CellVerdict(grade_id, False, flag, f"{len(differences)} record(s) differ")
    return CellVerdict(
        grade_id, True, None, f"sealed; {len(cell.records)} record(s) match the reference"
    )


def decide(
    executed: NotebookNode, nonces: dict[str, str], reference: dict[str, CellEvidence]
) -> list[CellVerdict]:
    """One verdict per graded test cell of the assignment, decided outside the kernel.

    Rules, in this order, for every grade id of ``reference`` (in its order), then for every
    other grade id that was sealed (``nonces``):

    1. absent from ``executed`` → not passed, flag ``"cell <id> is missing"``;
    2. not a graded cell of the reference → not passed, flagged;
    3. the cell has an error output (or wrote to stderr, which nbgrader scores 0 too) → not
       passed, no flag: ordinary scoring;
    4. no seal, a seal with another nonce or grade id, more than one seal, or evidence after
       the seal → not passed, flag ``"cell <id> finished without its seal (...)"``;
    5. evidence missing, extra or outside the reference's tolerance → not passed, flag
       ``"cell <id> reported success but its values differ from the reference: ..."``;
    6. otherwise passed. A reference cell without records needs only the seal.

    Args:
        executed: the submission's executed notebook (as it came back from the worker).
        nonces: ``{grade_id: nonce}`` from :func:`add_seals` for this job.
        reference: :func:`extract_evidence` of the reference run (the instructor's solution,
            prepared and executed the same way).

    Raises:
        ReferenceRunFailed: a reference cell raised, wrote to stderr, is not sealed exactly
            once, or occurs twice: the reference solution must pass all its tests.
    """
    _check_reference(reference)
    found = extract_evidence(executed)
    verdicts: list[CellVerdict] = []
    for grade_id in [*reference, *(g for g in nonces if g not in reference)]:
        if grade_id not in found:
            verdicts.append(
                CellVerdict(grade_id, False, f"cell {grade_id} is missing", "no such test cell")
            )
        elif grade_id not in reference:
            flag = f"cell {grade_id} is not a graded cell of the assignment"
            verdicts.append(CellVerdict(grade_id, False, flag, "unknown grade id"))
        elif grade_id not in nonces:
            flag = (
                f"cell {grade_id} finished without its seal "
                "(its output was altered or the cell was cut short)"
            )
            verdicts.append(CellVerdict(grade_id, False, flag, "the cell was never sealed"))
        else:
            verdicts.append(
                _verdict(grade_id, found[grade_id], nonces[grade_id], reference[grade_id])
            )
    return verdicts


# --------------------------------------------------------------------------- feedback


def _verdict_error(text: str) -> NotebookNode:
    output: NotebookNode = nbformat.v4.new_output(
        "error", ename=VERDICT_ENAME, evalue=text, traceback=[f"{VERDICT_ENAME}: {text}"]
    )
    return output


def apply_verdicts(executed: NotebookNode, verdicts: Iterable[CellVerdict]) -> NotebookNode:
    """A copy of ``executed`` whose outputs say what the verdicts say (``executed`` is kept).

    * Seal and evidence outputs are removed from every cell, and the seal line from the
      source of every graded test cell.
    * A graded test cell that did not pass and has no error output gets one error output
      instead of its outputs (``ename`` ``"GradingVerdict"``, ``evalue`` the verdict's flag,
      or its detail when there is no flag), so nbgrader scores it 0 and the feedback says why.
    * ``execute_result`` outputs of graded test cells are removed: nbgrader would read them
      as partial credit (and stop looking for an error), and after sealing no test cell
      produces one by itself.

    A graded cell that passed keeps its other outputs; with no error and no stderr it earns
    its points in nbgrader. Cells without a verdict keep their outputs (minus seal/evidence).
    """
    result = copy.deepcopy(executed)
    by_id = {verdict.grade_id: verdict for verdict in verdicts}
    for cell in result.cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = [o for o in cell.get("outputs", []) if not _has_grading_mime(o)]
        gid = _test_id(cell)
        if gid is not None:
            cell.source = remove_seal_line(cell.source)
            outputs = [o for o in outputs if o.get("output_type") != "execute_result"]
            verdict = by_id.get(gid)
            has_error = any(o.get("output_type") == "error" for o in outputs)
            if verdict is not None and not verdict.passed and not has_error:
                outputs = [_verdict_error(verdict.flag or verdict.detail)]
        cell.outputs = outputs
    return result
