"""grader.nbgrader.preprocessors: which stderr costs a test cell its points."""

from __future__ import annotations

import nbformat

from grader.nbgrader.preprocessors import CutHiddenTests, cut_hidden_tests, drop_stderr_noise


def _stderr(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stderr", text=text)


def test_is_library_noise_on_stderr_dropped_and_a_real_message_kept():
    noise = "2026-01-01 00:00:00.000000: I tensorflow/core/util/port.cc:153] oneDNN custom ops\n"
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [
        _stderr(noise),
        _stderr("my own warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text=noise),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert drop_stderr_noise(nb) is nb
    kept = [(o.name, o.text) for o in nb.cells[0].outputs]
    assert kept == [("stderr", "my own warning\n"), ("stdout", noise)]


def _meta(**flags: object) -> dict:
    base = {"grade": False, "solution": False, "locked": False, "schema_version": 3}
    return {"nbgrader": {**base, **flags, "grade_id": "t"}}


def test_are_hidden_tests_cut_from_test_cells_only():
    test_source = "check(1)\n### BEGIN HIDDEN TESTS\nsecret(2)\n### END HIDDEN TESTS\nshown(3)"
    stray = "answer = 1\n### BEGIN HIDDEN TESTS\nnever closed"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(test_source, metadata=_meta(grade=True, locked=True)),
            nbformat.v4.new_code_cell(stray, metadata=_meta(solution=True)),
        ]
    )
    cut, _ = CutHiddenTests().preprocess(nb, {})
    assert cut.cells[0].source == "check(1)\nshown(3)"
    assert cut.cells[1].source == stray  # a student's cell is never touched


def test_does_an_unclosed_hidden_region_run_to_the_end():
    assert cut_hidden_tests("a\n### BEGIN HIDDEN TESTS\nb\nc") == "a"
    assert cut_hidden_tests("no markers\nat all") == "no markers\nat all"
