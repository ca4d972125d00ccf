"""Notebook hygiene for solutions/ (run by pre-commit, CI and tests/test_release.py).

    python tools/check_notebooks.py                      # check every solutions/**/*.ipynb
    python tools/check_notebooks.py solutions/07-cnn/cnn.ipynb
    python tools/check_notebooks.py --fix                # strip outputs that must not be there
    python tools/check_notebooks.py --refresh solutions/07-cnn/cnn.ipynb
                                                         # re-run (fast mode), keep checked outputs

Rules checked in every notebook:
- only cells whose first line is ``# NBVAL_CHECK_OUTPUT`` carry outputs, and execution counts
  are null in every other cell (``--fix`` clears them; it never touches nbgrader metadata or
  checked outputs);
- every cell with ``### BEGIN SOLUTION`` / ``### BEGIN HIDDEN TESTS`` has nbgrader metadata
  (solution / grade), every nbgrader cell has a grade_id, schema_version 3, and grade_ids are
  unique within the notebook; graded cells have points;
- the first code cell is the course's setup cell, character for character, locked with
  grade_id "setup", and its Colab pin is ``v`` + the package version (helpers/__init__.py).

``--refresh`` executes the notebook with nbclient in fast mode (NN_TRICKS_FAST=1) in its own
folder and keeps the new outputs only on checked cells: use it after changing a checked cell.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
SETUP_TEMPLATE = """\
# Setup: in Colab, install the course helpers (pinned); elsewhere they are already installed.
import sys
if "google.colab" in sys.modules:
    %pip install -q "nn-tricks @ git+https://github.com/nn-tricks/nn-tricks@v{version}"

import helpers  # imports TensorFlow and Keras quietly
import keras
import numpy as np

helpers.set_seed(42)
print(helpers.run_mode_summary())"""
PIN_PATTERN = re.compile(r"github\.com/nn-tricks/nn-tricks@(v[^\"'\s]+)")


def package_version() -> str:
    """helpers.__version__, read from the source (importing helpers would import TensorFlow)."""
    text = (REPO / "helpers" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"^__version__\s*=\s*[\"']([^\"']+)[\"']", text, re.MULTILINE)
    if match is None:
        raise SystemExit("helpers/__init__.py has no __version__")
    return match.group(1)


def setup_cell_text(version: str | None = None) -> str:
    return SETUP_TEMPLATE.format(version=version or package_version())


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith(CHECK_MARKER)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def check_notebook(path: Path, version: str | None = None) -> list[str]:
    """Every hygiene problem of one notebook, as 'path: problem' lines."""
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # unreadable notebooks are reported, not raised
        return [f"{path}: cannot read notebook ({type(exc).__name__}: {exc})"]
    version = version or package_version()
    problems: list[str] = []

    def report(index: int | None, message: str) -> None:
        where = f" cell {index}" if index is not None else ""
        problems.append(f"{path}{where}: {message}")

    seen_ids: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code":
            if is_checked(cell) and cell.get("execution_count") is None:
                report(index, "checked cell without execution_count: nbval skips it (--refresh)")
            if not is_checked(cell):
                if cell.get("outputs"):
                    report(index, f"outputs on a cell without {CHECK_MARKER} (run --fix)")
                if cell.get("execution_count") is not None:
                    report(index, "execution_count is not null (run --fix)")
        source = cell.source
        if "### BEGIN SOLUTION" in source and not meta.get("solution"):
            report(index, "has ### BEGIN SOLUTION but no nbgrader solution metadata")
        if "### BEGIN HIDDEN TESTS" in source and not meta.get("grade"):
            report(index, "has ### BEGIN HIDDEN TESTS but no nbgrader grade metadata")
        if source.count("### BEGIN SOLUTION") != source.count("### END SOLUTION"):
            report(index, "unbalanced ### BEGIN/END SOLUTION markers")
        if source.count("### BEGIN HIDDEN TESTS") != source.count("### END HIDDEN TESTS"):
            report(index, "unbalanced ### BEGIN/END HIDDEN TESTS markers")
        if not meta:
            continue
        grade_id = meta.get("grade_id")
        if not grade_id:
            report(index, "nbgrader metadata without grade_id")
        elif grade_id in seen_ids:
            report(index, f"grade_id {grade_id!r} already used by cell {seen_ids[grade_id]}")
        else:
            seen_ids[grade_id] = index
        if meta.get("schema_version") != 3:
            report(index, "nbgrader metadata without schema_version 3")
        if meta.get("grade") and not meta.get("points"):
            report(index, f"graded cell {grade_id!r} has no points")
        if meta.get("grade") and not meta.get("solution") and not meta.get("locked"):
            report(index, f"test cell {grade_id!r} is not locked")

    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if not code_cells:
        report(None, "no code cell (expected the setup cell first)")
    else:
        index, setup = code_cells[0]
        expected = setup_cell_text(version)
        pin = PIN_PATTERN.search(setup.source)
        if pin is None:
            report(index, "first code cell is not the setup cell (no Colab pin)")
        elif pin.group(1) != f"v{version}":
            report(index, f"Colab pin {pin.group(1)} != v{version} (helpers.__version__)")
        if setup.source.rstrip() != expected:
            report(index, "first code cell differs from the setup cell text (see the contract)")
        meta = nbgrader_meta(setup)
        if meta.get("grade_id") != "setup" or not meta.get("locked"):
            report(index, 'setup cell must be locked with nbgrader grade_id "setup"')
        for other, cell in code_cells[1:]:
            if PIN_PATTERN.search(cell.source):
                report(other, "a second setup cell (only the first code cell installs helpers)")
    return problems


def merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name (stdout/stderr) into one.

    How a kernel splits printed text into messages depends on timing; merged, the committed
    outputs stay the same from one refresh to the next (nbval compares them merged too).
    """
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def fix_notebook(path: Path) -> bool:
    """Clear outputs and execution counts of unchecked cells, merge split stream outputs of
    checked ones; True when the file changed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            merged = merge_streams(cell.get("outputs", []))
            if len(merged) != len(cell.get("outputs", [])):
                cell.outputs = merged
                changed = True
            continue
        if cell.get("outputs"):
            cell.outputs = []
            changed = True
        if cell.get("execution_count") is not None:
            cell.execution_count = None
            changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def refresh_notebook(path: Path, timeout: int = 600) -> int:
    """Execute in fast mode; keep outputs only on checked cells. Returns the number kept."""
    import nbformat
    from nbclient import NotebookClient

    original = nbformat.read(path, as_version=4)
    executed = nbformat.read(path, as_version=4)
    os.environ["NN_TRICKS_FAST"] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    client = NotebookClient(
        executed,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    kept = 0
    for cell, ran in zip(original.cells, executed.cells, strict=True):
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            # nbval treats a reference cell without an execution count as unrun: keep it.
            cell.execution_count = ran.execution_count
            cell.outputs = merge_streams(ran.outputs)
            kept += 1
        else:
            cell.execution_count = None
            cell.outputs = []
    nbformat.write(original, path)
    return kept


def default_notebooks() -> list[Path]:
    return sorted((REPO / "solutions").glob("*/*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: solutions/*/*.ipynb")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--fix", action="store_true", help="strip unchecked outputs, then check")
    mode.add_argument(
        "--refresh", action="store_true", help="execute (fast mode), keep checked outputs"
    )
    args = parser.parse_args(argv)
    paths = [p for p in args.notebooks if p.suffix == ".ipynb"] or default_notebooks()
    if args.refresh:
        if not args.notebooks:
            parser.error("--refresh needs the notebook(s) to execute")
        for path in paths:
            kept = refresh_notebook(path)
            print(f"{path}: refreshed, outputs kept on {kept} checked cell(s)")
    if args.fix:
        for path in paths:
            if fix_notebook(path):
                print(f"{path}: tidied outputs (unchecked cleared, streams merged)")
    version = package_version()
    problems = [problem for path in paths for problem in check_notebook(path, version)]
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {len(paths)} notebook(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
