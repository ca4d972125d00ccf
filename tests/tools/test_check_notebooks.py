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
    title = nbformat.v4.new_markdown_cell("# A title")
    nb = new_notebook(cells=[title, setup, checked, plain])
    nb.metadata["kernelspec"] = dict(checker.KERNELSPEC)
    return nbformat, nb, new_output


def test_a_notebook_without_the_course_kernel_is_reported_and_fixed(tmp_path):
    checker = check_notebooks
    nbformat, nb, _ = hygienic_notebook(checker)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert any("kernelspec" in p for p in checker.check_notebook(path))
    assert checker.main(["--fix", str(path)]) == 0
    assert nbformat.read(path, as_version=4).metadata["kernelspec"]["name"] == "nn-tricks"


def test_checker_fix_strips_only_unchecked_outputs(tmp_path):
    checker = check_notebooks
    nbformat, nb, new_output = hygienic_notebook(checker)
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert checker.check_notebook(path) == []
    nb.cells[3].outputs = [new_output("stream", name="stdout", text="2\n")]
    nb.cells[3].execution_count = 4
    nbformat.write(nb, path)
    problems = checker.check_notebook(path)
    assert len(problems) == 2 and all("--fix" in p for p in problems)
    assert checker.main(["--fix", str(path)]) == 0
    fixed = nbformat.read(path, as_version=4)
    assert fixed.cells[2].outputs == nb.cells[2].outputs  # checked output kept
    assert fixed.cells[3].outputs == [] and fixed.cells[3].execution_count is None
    assert fixed.cells[1].metadata == nb.cells[1].metadata  # nbgrader metadata untouched


def test_checker_finds_metadata_and_setup_problems(tmp_path):
    checker = check_notebooks
    nbformat, nb, _ = hygienic_notebook(checker)
    nb.cells[1].source = nb.cells[1].source.replace("@v", "@v9")
    nb.cells[3].source = "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"
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


# --------------------------------------------------------------------------- notebook shape


def shaped_notebook(tmp_path, cells, folder="01-topic"):
    """A notebook in solutions-like folder ``folder`` (which gives its number) with ``cells``."""
    import nbformat

    _, nb, _ = hygienic_notebook(check_notebooks)
    nb.cells[3:] = cells
    path = tmp_path / folder / "topic.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def graded(source, points, grade_id, *, solution=False, grade=None):
    from nbformat.v4 import new_code_cell

    return new_code_cell(
        source,
        metadata={
            "nbgrader": {
                "grade": (not solution) if grade is None else grade,
                "solution": solution,
                "locked": not solution,
                "points": points,
                "grade_id": grade_id,
                "schema_version": 3,
            }
        },
    )


def answer(name):
    return graded(
        f"def {name}():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
        None,
        f"{name}-answer",
        solution=True,
    )


def problems_of(path):
    return "\n".join(check_notebooks.check_notebook(path))


def test_notebook_prefix_is_the_number_or_the_practice_id():
    prefix = check_notebooks.notebook_prefix
    assert prefix(Path("solutions/03-overfitting/overfitting.ipynb")) == "3"
    assert prefix(Path("solutions/practice-1a-l1-vs-l2/l1_vs_l2.ipynb")) == "P1a"
    assert prefix(Path("solutions/practice-2-rotated-test/rotated_test.ipynb")) == "P2"


def test_a_long_code_cell_is_reported_but_a_long_graded_test_is_not(tmp_path):
    from nbformat.v4 import new_code_cell, new_markdown_cell

    long = "\n".join(f"x{i} = {i}" for i in range(26))
    path = shaped_notebook(
        tmp_path,
        [
            new_code_cell(long),
            new_markdown_cell("**Exercise 1.1 (1 point).** Write f."),
            answer("f"),
            graded("assert f() == 1\n" + long, 1, "f-test"),
        ],
    )
    text = problems_of(path)
    assert "cell 3: code cell of 26 lines" in text
    assert "cell 6" not in text, text
    path = shaped_notebook(tmp_path, [new_code_cell("\n".join(long.splitlines()[:25]))])
    assert problems_of(path) == ""


def test_exercise_labels_must_claim_every_graded_cell_with_its_points(tmp_path):
    from nbformat.v4 import new_markdown_cell

    ok = [
        new_markdown_cell("**Exercise 1.1 (3 points).** Write f."),
        answer("f"),
        graded("assert f()", 2, "f-test-1"),
        graded("assert f()", 1, "f-test-2"),
        new_markdown_cell("### Exercise 1.2 (2 points): the question"),
        graded("answer", 2, "question", solution=True, grade=True),
    ]
    assert problems_of(shaped_notebook(tmp_path, ok)) == ""
    wrong_points = [new_markdown_cell("**Exercise 1.1 (2 points).** Write f."), *ok[1:4]]
    assert "Exercise 1.1 announces 2 point(s), its graded cells carry 3" in problems_of(
        shaped_notebook(tmp_path, wrong_points)
    )
    unlabelled = [answer("f"), graded("assert f()", 1, "f-test")]
    assert "graded cell 'f-test' has no 'Exercise 1.M (k points)' label" in problems_of(
        shaped_notebook(tmp_path, unlabelled)
    )
    misnumbered = [
        new_markdown_cell("**Exercise 1.2 (1 point).** f"),
        answer("f"),
        graded("assert f()", 1, "f-test"),
    ]
    assert "Exercise 1.2: expected Exercise 1.1" in problems_of(
        shaped_notebook(tmp_path, misnumbered)
    )
    for loose in ("**Knowledge check (1 point).** f", "**Exercise.** Try this", "*Exercise:* x"):
        text = problems_of(shaped_notebook(tmp_path, [new_markdown_cell(loose)]))
        assert "exercise label not in the form" in text, loose
    reference = new_markdown_cell("As in Exercise 1.1, the formula.")
    assert problems_of(shaped_notebook(tmp_path, [*ok, reference])) == ""


def test_practice_labels_use_the_practice_id(tmp_path):
    from nbformat.v4 import new_markdown_cell

    cells = [
        new_markdown_cell("## P1a.1 Data\n\n### Exercise P1a.1 (1 point): f"),
        answer("f"),
        graded("assert f()", 1, "f-test"),
        new_markdown_cell("## 1.2 A section"),
    ]
    path = shaped_notebook(tmp_path, cells, folder="practice-1a-l1-vs-l2")
    assert "Exercise P1a.1" not in problems_of(path)
    assert "heading '## 1.2 A section': expected ## P1a.2" in problems_of(path)


def test_headings_follow_the_scheme(tmp_path):
    from nbformat.v4 import new_markdown_cell

    path = shaped_notebook(
        tmp_path,
        [new_markdown_cell("## 1.1 First"), new_markdown_cell("## 4. Old style\n\n# Second title")],
    )
    text = problems_of(path)
    assert "heading '## 4. Old style': expected ## 1.2 Title" in text
    assert "a second # title" in text
    assert "## 1.1 First" not in text
    nb = shaped_notebook(tmp_path, [])
    import nbformat

    notebook = nbformat.read(nb, as_version=4)
    notebook.cells[0].source = "No title here"
    nbformat.write(notebook, nb)
    assert "the first cell is not the markdown title" in problems_of(nb)


def test_the_same_def_in_two_notebooks_is_reported(tmp_path):
    from nbformat.v4 import new_code_cell

    first = shaped_notebook(tmp_path, [new_code_cell("def shared(x):\n    return x")], "01-a")
    second = shaped_notebook(
        tmp_path,
        [new_code_cell("class Other:\n    pass\n\n\ndef shared(y):\n    return y")],
        "02-b",
    )
    problems = check_notebooks.duplicate_defs([first], [second])
    assert len(problems) == 1 and "`shared` is also defined in" in problems[0], problems
    # solution cells and graded test cells do not count (exercises, hidden-test helpers)
    third = shaped_notebook(
        tmp_path,
        [
            graded(
                "def shared():\n    ### BEGIN SOLUTION\n    ### END SOLUTION",
                None,
                "s",
                solution=True,
            )
        ],
        "03-c",
    )
    assert check_notebooks.duplicate_defs([third], [first]) == []


def test_no_two_solution_notebooks_share_a_def():
    assert check_notebooks.duplicate_defs(SOURCE_NOTEBOOKS) == []
