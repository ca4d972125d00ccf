"""tools/check_notebooks.py: notebook hygiene of solutions/ (also run by pre-commit)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tools import check_notebooks

REPO = Path(__file__).resolve().parents[2]
SOURCE_NOTEBOOKS = sorted((REPO / "solutions").glob("*/*.ipynb"))


def test_solution_notebooks_are_clean():
    checker = check_notebooks
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
    checker = check_notebooks
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
    checker = check_notebooks
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


def test_checker_still_runs_as_a_script():
    """pre-commit calls `python tools/check_notebooks.py <files>`."""
    done = subprocess.run(
        [sys.executable, "tools/check_notebooks.py", str(SOURCE_NOTEBOOKS[0])],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
