"""Run selected cells of a solution notebook as a plain script and print their output.

Used to collect the default-mode figures of docs/lecture-figures.md without executing a
whole notebook (some sections train for many minutes). The run mode comes from the
environment, exactly as in Jupyter (``NN_TRICKS_FAST``, ``MNIST_DATA_DIR``).

    python tools/run_cells.py NOTEBOOK CELL_ID[:until=TEXT] ...

``CELL_ID:until=TEXT`` runs a cell only up to the first occurrence of TEXT (e.g. to take a
function definition from a cell without its training run). IPython syntax (``%pip``) is
translated; ``display`` and ``plt.show`` draw nothing.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt
    import nbformat
    from IPython.core.inputtransformer2 import TransformerManager

    path = Path(argv[0]).resolve()
    notebook = nbformat.read(path, as_version=4)
    cells = {cell.get("id"): cell for cell in notebook.cells}
    os.chdir(path.parent)  # like Jupyter: the notebook's folder is the working directory
    plt.show = lambda *args, **kwargs: plt.close("all")
    namespace: dict[str, object] = {"display": lambda *a, **k: None, "__name__": "__main__"}
    transformer = TransformerManager()
    for spec in argv[1:]:
        cell_id, _, until = spec.partition(":until=")
        source = cells[cell_id].source
        if until:
            source = source[: source.index(until)]
        print(f"----- cell {cell_id} -----", flush=True)
        start = time.perf_counter()
        exec(compile(transformer.transform_cell(source), f"<{cell_id}>", "exec"), namespace)
        print(f"----- ({time.perf_counter() - start:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
