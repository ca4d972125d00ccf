"""grader.nbgrader.preprocessors: which stderr costs a test cell its points."""

from __future__ import annotations

import nbformat

from grader.nbgrader.preprocessors import drop_stderr_noise


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
