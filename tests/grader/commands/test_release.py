"""grader.commands.release: notebooks/ is exactly what `python -m grader release` generates from
solutions/, byte-stable, and it carries no solution or hidden-test text."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from pathlib import Path

import pytest

from grader import settings
from grader.cells import grade_id
from grader.commands.release import release
from grader.layout import assignments_in

REPO = Path(__file__).resolve().parents[3]
SOLUTIONS = REPO / "solutions"
RELEASED = REPO / "notebooks"
# a small graded assignment for the tests that need one in a temporary course
PRACTICE = "practice-1b-kernel-sizes"
PRACTICE_NOTEBOOK = SOLUTIONS / PRACTICE / "kernel_sizes.ipynb"
ASSIGNMENTS = assignments_in(SOLUTIONS)
MARKERS = (*settings.SOLUTION_MARKERS, *settings.HIDDEN_TEST_MARKERS)


# ---------------------------------------------------------------------------------------------
# release: reproducible, byte-stable, committed
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    """A snapshot of solutions/ released twice into temporary directories."""
    assert ASSIGNMENTS, "no assignment in solutions/"
    tmp = tmp_path_factory.mktemp("release")
    snapshot = tmp / "course"
    snapshot.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", snapshot)
    shutil.copytree(SOLUTIONS, snapshot / "solutions")
    release(snapshot, tmp / "first")
    release(snapshot, tmp / "second")
    return tmp / "first", tmp / "second", snapshot / "solutions"


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_release_is_byte_stable(fresh_release):
    first, second, _ = fresh_release
    assert tree(first) == tree(second)
    for name in tree(first):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_committed_release_is_up_to_date(fresh_release):
    first, _, _ = fresh_release
    hint = "notebooks/ is out of date with solutions/: run `make release` and commit notebooks/"
    committed = tree(RELEASED) if RELEASED.is_dir() else []
    assert committed == tree(first), hint
    _, mismatch, errors = filecmp.cmpfiles(first, RELEASED, tree(first), shallow=False)
    assert not mismatch and not errors, f"{hint} (differs: {', '.join(mismatch + errors)})"


def test_release_is_byte_stable_without_cell_ids(tmp_path):
    """Sources written by old tools have no cell ids: the release must still be stable."""
    root = tmp_path / "course"
    (root / "solutions" / PRACTICE).mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    raw = json.loads(PRACTICE_NOTEBOOK.read_text())
    raw["nbformat_minor"] = 4
    for cell in raw["cells"]:
        cell.pop("id", None)
    (root / "solutions" / PRACTICE / PRACTICE_NOTEBOOK.name).write_text(json.dumps(raw))
    first = release(root, tmp_path / "a").written[0].read_bytes()
    second = release(root, tmp_path / "b").written[0].read_bytes()
    assert first == second
    assert '"id":' in first.decode()


# ---------------------------------------------------------------------------------------------
# no solution or hidden-test text in a release
# ---------------------------------------------------------------------------------------------


def marked_lines(source: str, begin: str, end: str) -> tuple[set[str], set[str]]:
    """(lines inside begin/end markers, lines outside), stripped; punctuation-only skipped."""
    inside, outside, depth = set(), set(), 0
    for line in source.splitlines():
        text = line.strip()
        if text.startswith(begin):
            depth += 1
        elif text.startswith(end):
            depth -= 1
        elif len(re.findall(r"\w", text)) >= 3 and text not in {"pass", "return", "else:", "try:"}:
            (inside if depth else outside).add(text)
    return inside, outside


def cell_key(cell: dict, index: int):
    return grade_id(cell) or index


def leaked_lines(source_nb: dict, released_nb: dict) -> list[str]:
    """Solution or hidden-test lines of a source cell that survive in its released cell."""
    released = {
        cell_key(cell, i): {line.strip() for line in "".join(cell["source"]).splitlines()}
        for i, cell in enumerate(released_nb["cells"])
    }
    leaks = []
    for index, cell in enumerate(source_nb["cells"]):
        source = "".join(cell["source"])
        released_lines = released.get(cell_key(cell, index), set())
        for begin, end in (settings.SOLUTION_MARKERS, settings.HIDDEN_TEST_MARKERS):
            inside, outside = marked_lines(source, begin, end)
            leaks += sorted((inside - outside) & released_lines)
    return leaks


def released_pairs(release_root: Path, source_root: Path):
    for released in sorted(release_root.glob("*/*.ipynb")):
        source = source_root / released.parent.name / released.name
        yield source, released


def assert_no_solution_text(source: Path, released: Path) -> None:
    text = released.read_text(encoding="utf-8")
    for marker in MARKERS:
        assert marker not in text, f"{released}: contains {marker!r}"
    leaks = leaked_lines(json.loads(source.read_text()), json.loads(text))
    assert not leaks, f"{released}: solution/hidden-test lines survive: {leaks[:5]}"


def test_released_notebooks_hold_no_solutions(fresh_release):
    first, _, snapshot = fresh_release
    pairs = list(released_pairs(first, snapshot))
    assert pairs
    for source, released in pairs:
        assert_no_solution_text(source, released)


def test_committed_practice_holds_no_solutions():
    """Spot check on one committed release, with lines known to be solution or hidden test."""
    released = RELEASED / PRACTICE / PRACTICE_NOTEBOOK.name
    source = PRACTICE_NOTEBOOK.read_text()
    assert_no_solution_text(PRACTICE_NOTEBOOK, released)
    text = released.read_text()
    assert "raise NotImplementedError()" in text
    for line in ("for k, f in ((1, 16), (4, 16)", "side = image_side - kernel_size + 1"):
        assert line in source, f"update the spot check: {line!r} left the solution"
        assert line not in text


def test_leak_detector_catches_a_surviving_solution_line():
    source = {"cells": [{"source": "def f():\n    ### BEGIN SOLUTION\n    return 42\n"}]}
    assert leaked_lines(source, {"cells": [{"source": "def f():\n    return 42\n"}]})
    assert not leaked_lines(source, {"cells": [{"source": "def f():\n    raise X\n"}]})
    given = {"source": "return 42"}  # the same line in another cell is not a leak
    assert not leaked_lines(source, {"cells": [{"source": "def f():\n    raise X\n"}, given]})
