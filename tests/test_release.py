"""The release: notebooks/ is exactly what `make release` generates from solutions/, it carries no
solution or hidden-test text, solutions validate and blank releases do not; notebook hygiene;
the nbgrader configuration.

The release and text checks are fast. The nbgrader validate checks execute every notebook (fast
mode) and are marked `grading`.
"""

from __future__ import annotations

import filecmp
import importlib.util
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from helpers import course

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
RELEASED = REPO / "notebooks"
# a small graded assignment for the tests that need one in a temporary course
PRACTICE = "practice-1b-kernel-sizes"
PRACTICE_NOTEBOOK = SOLUTIONS / PRACTICE / "kernel_sizes.ipynb"
ASSIGNMENTS = course.assignments_in(SOLUTIONS)
SOURCE_NOTEBOOKS = sorted(SOLUTIONS.glob("*/*.ipynb"))
MARKERS = (*course.SOLUTION_MARKERS, *course.HIDDEN_TEST_MARKERS)


def load_check_notebooks():
    spec = importlib.util.spec_from_file_location(
        "check_notebooks", REPO / "tools/check_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------
# release: reproducible, byte-stable, committed
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    """A snapshot of solutions/ released twice into temporary directories."""
    if not ASSIGNMENTS:
        pytest.skip("no assignment in solutions/ yet")
    tmp = tmp_path_factory.mktemp("release")
    snapshot = tmp / "course"
    snapshot.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", snapshot)
    shutil.copytree(SOLUTIONS, snapshot / "solutions")
    course.release(snapshot, tmp / "first")
    course.release(snapshot, tmp / "second")
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
    first = course.release(root, tmp_path / "a")[0].read_bytes()
    second = course.release(root, tmp_path / "b")[0].read_bytes()
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
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return grade_id or index


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
        for begin, end in (course.SOLUTION_MARKERS, course.HIDDEN_TEST_MARKERS):
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


# ---------------------------------------------------------------------------------------------
# nbgrader validate (executes notebooks in fast mode)
# ---------------------------------------------------------------------------------------------


@pytest.mark.grading
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_check_command_validates_both_ways(assignment):
    """`python -m helpers.course check <assignment>` in fast mode, on the repository itself:
    `nbgrader validate` passes for every solution notebook, and `nbgrader validate --invert`
    passes for every released notebook with graded cells (no test passes on a blank)."""
    results = course.check(REPO, [assignment])
    expected = [
        SOLUTIONS / assignment / nb.name for nb in sorted(SOLUTIONS.glob(f"{assignment}/*.ipynb"))
    ]
    graded = [RELEASED / assignment / p.name for p in expected if course.has_graded_cells(p)]
    assert sorted(r.notebook for r in results) == sorted(expected + graded)
    failed = [f"{r.notebook.relative_to(REPO)}: {r.message}" for r in results if not r.ok]
    assert not failed, "\n".join(failed)


# ---------------------------------------------------------------------------------------------
# notebook hygiene (tools/check_notebooks.py)
# ---------------------------------------------------------------------------------------------


def test_solution_notebooks_are_clean():
    checker = load_check_notebooks()
    problems = [p for nb in SOURCE_NOTEBOOKS for p in checker.check_notebook(nb)]
    assert not problems, "\n".join(problems) + "\n(run: python tools/check_notebooks.py --fix)"


def hygienic_notebook(checker):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    setup = new_code_cell(
        checker.setup_cell_text(),
        metadata={
            "nbgrader": {
                "grade": False,
                "solution": False,
                "locked": True,
                "task": False,
                "grade_id": "setup",
                "schema_version": 3,
            }
        },
    )
    checked = new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)")
    checked.outputs = [new_output("stream", name="stdout", text="1\n")]
    checked.execution_count = 3
    plain = new_code_cell("print(2)")
    return nbformat, new_notebook(cells=[setup, checked, plain]), new_output


def test_checker_fix_strips_only_unchecked_outputs(tmp_path):
    checker = load_check_notebooks()
    nbformat, nb, new_output = hygienic_notebook(checker)
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert checker.check_notebook(path) == []
    nb.cells[2].outputs = [new_output("stream", name="stdout", text="2\n")]
    nb.cells[2].execution_count = 4
    nbformat.write(nb, path)
    problems = checker.check_notebook(path)
    assert len(problems) == 2 and all("--fix" in p for p in problems)
    assert checker.main(["--fix", str(path)]) == 0
    fixed = nbformat.read(path, as_version=4)
    assert fixed.cells[1].outputs == nb.cells[1].outputs  # checked output kept
    assert fixed.cells[2].outputs == [] and fixed.cells[2].execution_count is None
    assert fixed.cells[0].metadata == nb.cells[0].metadata  # nbgrader metadata untouched


def test_checker_finds_metadata_and_setup_problems(tmp_path):
    checker = load_check_notebooks()
    nbformat, nb, _ = hygienic_notebook(checker)
    nb.cells[0].source = nb.cells[0].source.replace("@v", "@v9")
    nb.cells[2].source = "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"
    twin = nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {"grade_id": "setup"}})
    nb.cells.append(twin)
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    text = "\n".join(checker.check_notebook(path))
    assert "Colab pin" in text
    assert "no nbgrader solution metadata" in text
    assert "grade_id 'setup' already used" in text
    assert "schema_version 3" in text


# ---------------------------------------------------------------------------------------------
# nbgrader configuration
# ---------------------------------------------------------------------------------------------


def load_config(monkeypatch, **env):
    from traitlets.config.loader import PyFileConfigLoader

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()


def test_config_defaults_and_overrides(monkeypatch):
    monkeypatch.delenv("NN_TRICKS_GRADEBOOK_URL", raising=False)
    monkeypatch.delenv("NN_TRICKS_CELL_TIMEOUT", raising=False)
    config = load_config(monkeypatch)
    assert config.CourseDirectory.course_id == "nn-tricks"
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "notebooks"
    assert config.CourseDirectory.db_url == f"sqlite:///{REPO / 'gradebook.db'}"
    assert config.Execute.timeout == 300
    assert config.OverwriteCells.add_missing_cells is True
    assert config.IgnorePattern.enabled is True
    config = load_config(
        monkeypatch, NN_TRICKS_GRADEBOOK_URL="sqlite:////tmp/x.db", NN_TRICKS_CELL_TIMEOUT="20"
    )
    assert config.CourseDirectory.db_url == "sqlite:////tmp/x.db"
    assert config.Execute.timeout == 20


NOISE = [
    "/usr/lib/python3/site-packages/keras/layer.py:12: UserWarning: Do not pass `input_shape`\n"
    "  super().__init__(**kwargs)\n",
    "W0000 00:00:1700000000.123456   12345 cuda_executor.cc:1234] could not find cuda drivers\n",
    "2024-01-01 12:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations\n",
    "WARNING:absl:Compiled the loaded model, but the compiled metrics have yet to be built.\n",
    "DeprecationWarning: datetime.utcnow() is deprecated\n",
]
REAL = [
    "Traceback (most recent call last):\n  File 'x', line 1\nValueError: bad\n",
    "something the student printed to stderr\n",
    "/x.py:1: UserWarning: fine\n  code\nbut then a real message\n",
    "Invalid value [x] blah\n",
]


@pytest.mark.parametrize("text", NOISE)
def test_ignore_pattern_drops_library_noise(monkeypatch, text):
    assert re.search(load_config(monkeypatch).IgnorePattern.pattern, text)


@pytest.mark.parametrize("text", REAL)
def test_ignore_pattern_keeps_real_stderr(monkeypatch, text):
    assert not re.search(load_config(monkeypatch).IgnorePattern.pattern, text)


def test_subprocesses_find_alembic():
    env = course.subprocess_env()
    first = env["PATH"].split(os.pathsep)[0]
    assert Path(first) == Path(sys.executable).parent
    assert shutil.which("alembic", path=env["PATH"]), "alembic must be next to this python"
