"""tools/run_cells.py: chosen cells of a notebook run as a script, in order, cut where told."""

import nbformat

from tools import run_cells


def notebook_with_cells(tmp_path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source, id=f"c{i}") for i, source in enumerate(sources)]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_runs_the_chosen_cells_in_the_given_order_and_shares_their_names(tmp_path, capsys):
    path = notebook_with_cells(tmp_path, "x = 2", "print('unchosen')", "print(x * 21)")
    assert run_cells.main([str(path), "c0", "c2"]) == 0
    out = capsys.readouterr().out
    assert "42" in out and "unchosen" not in out
    assert out.index("cell c0") < out.index("cell c2")


def test_until_cuts_a_cell_before_the_text(tmp_path, capsys):
    path = notebook_with_cells(tmp_path, "def f():\n    return 7\nprint('training...')\n")
    assert run_cells.main([str(path), "c0:until=print", "c0:until=print"]) == 0
    assert "training" not in capsys.readouterr().out


def test_without_cells_it_prints_the_usage(capsys):
    assert run_cells.main([]) == 2
    assert "CELL_ID" in capsys.readouterr().out
