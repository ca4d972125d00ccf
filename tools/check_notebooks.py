"""Notebook hygiene for solutions/ (run by pre-commit, CI and tests/tools/test_check_notebooks.py).

    python tools/check_notebooks.py                      # check every solutions/**/*.ipynb
    python tools/check_notebooks.py solutions/08-cnn-models/cnn_models.ipynb
    python tools/check_notebooks.py --fix                # strip outputs that must not be there
    python tools/check_notebooks.py --refresh solutions/08-cnn-models/cnn_models.ipynb
                                                         # re-run (fast mode), keep checked outputs

Rules checked in every notebook:
- only cells whose first line is ``# NBVAL_CHECK_OUTPUT`` carry outputs, and execution counts
  are null in every other cell (``--fix`` clears them; it never touches nbgrader metadata or
  checked outputs);
- every cell with ``### BEGIN SOLUTION`` / ``### BEGIN HIDDEN TESTS`` has nbgrader metadata
  (solution / grade), every nbgrader cell has a grade_id, schema_version 3, and grade_ids are
  unique within the notebook; graded cells have points;
- the first code cell is the course's setup cell, character for character, locked with
  grade_id "setup", and its Colab pin is ``v`` + the package version (helpers/__init__.py);
- shape (CONTRIBUTING.md): no code cell over 25 lines (graded test cells are exempt: their
  hidden tests stay with them); one ``# Title`` in the first cell and sections
  ``## N.M Title`` numbered 1, 2, ... (N: the notebook's number, ``P1a`` for a practice);
  every graded cell is claimed by a label ``**Exercise N.M (k points).**`` (or a ``###``
  heading ``Exercise N.M (k points): title``) above it whose
  k is the sum of the points of the graded cells up to the next label, labels numbered
  N.1, N.2, ... and no other spelling of "Exercise" or "Knowledge check";
- across notebooks: the same top-level ``def``/``class`` name in the code cells of two
  notebooks (solution and graded test cells excluded) is code to move into ``helpers``.

``--refresh`` executes the notebook with nbclient in fast mode (NN_TRICKS_FAST=1) in its own
folder and keeps the new outputs only on checked cells: use it after changing a checked cell.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parent.parent
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
try:  # imported as tools.check_notebooks, or run as a script (pre-commit)
    from grader import cells
    from tools.setup_cell import SETUP_CELL_TEMPLATE as SETUP_TEMPLATE
    from tools.setup_cell import package_version
except ModuleNotFoundError:  # run as a script: the repository's packages made importable
    sys.path.insert(0, str(REPO))
    from grader import cells
    from tools.setup_cell import SETUP_CELL_TEMPLATE as SETUP_TEMPLATE
    from tools.setup_cell import package_version

if TYPE_CHECKING:
    from nbformat import NotebookNode

#: the kernelspec every notebook names: the course kernel `make setup` registers
KERNELSPEC = {"name": "nn-tricks", "display_name": "Python (nn-tricks)", "language": "python"}
PIN_PATTERN = re.compile(r"github\.com/nn-tricks/nn-tricks@(v[^\"'\s]+)")


def setup_cell_text(version: str | None = None) -> str:
    return SETUP_TEMPLATE.format(version=version or package_version())


def is_checked(cell: NotebookNode) -> bool:
    """Whether the cell is a code cell whose first line is :data:`CHECK_MARKER`."""
    return cell.cell_type == "code" and str(cell.source).lstrip().startswith(CHECK_MARKER)


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
        meta = cells.nbgrader_metadata(cell)
        if cell.cell_type == "code":
            if is_checked(cell) and cell.get("execution_count") is None:
                report(index, "checked cell without execution_count: nbval skips it (--refresh)")
            if not is_checked(cell):
                if cell.get("outputs"):
                    report(index, f"outputs on a cell without {CHECK_MARKER} (run --fix)")
                if cell.get("execution_count") is not None:
                    report(index, "execution_count is not null (run --fix)")
        source = cell.source
        if "### BEGIN SOLUTION" in source and not cells.is_solution(cell):
            report(index, "has ### BEGIN SOLUTION but no nbgrader solution metadata")
        if "### BEGIN HIDDEN TESTS" in source and not cells.is_graded(cell):
            report(index, "has ### BEGIN HIDDEN TESTS but no nbgrader grade metadata")
        if source.count("### BEGIN SOLUTION") != source.count("### END SOLUTION"):
            report(index, "unbalanced ### BEGIN/END SOLUTION markers")
        if source.count("### BEGIN HIDDEN TESTS") != source.count("### END HIDDEN TESTS"):
            report(index, "unbalanced ### BEGIN/END HIDDEN TESTS markers")
        if not meta:
            continue
        grade_id = cells.grade_id(cell)
        if grade_id is None:
            report(index, "nbgrader metadata without grade_id")
        elif grade_id in seen_ids:
            report(index, f"grade_id {grade_id!r} already used by cell {seen_ids[grade_id]}")
        else:
            seen_ids[grade_id] = index
        if meta.get("schema_version") != 3:
            report(index, "nbgrader metadata without schema_version 3")
        if cells.is_graded(cell) and not cells.max_points(cell):
            report(index, f"graded cell {grade_id!r} has no points")
        if (
            cells.is_graded(cell)
            and not cells.is_solution(cell)
            and not cells.is_marked_locked(cell)
        ):
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
            report(index, f"Colab pin {pin.group(1)} != v{version} (pyproject.toml's version)")
        if setup.source.rstrip() != expected:
            report(index, "first code cell differs from the setup cell text (see the contract)")
        locked = cells.is_marked_locked(setup) and cells.is_locked(setup)
        if cells.grade_id(setup) != "setup" or not locked:
            report(index, 'setup cell must be locked with nbgrader grade_id "setup"')
        for other, cell in code_cells[1:]:
            if PIN_PATTERN.search(cell.source):
                report(other, "a second setup cell (only the first code cell installs helpers)")
    kernelspec = dict(nb.metadata.get("kernelspec", {}))
    if kernelspec != KERNELSPEC:
        report(None, f"kernelspec {kernelspec} is not the course kernel {KERNELSPEC} (run --fix)")
    for where, message in shape_problems(nb, notebook_prefix(path)):
        report(where, message)
    return problems


MAX_CODE_LINES = 25
LABEL_PATTERN = re.compile(r"(?:\*\*|^### )Exercise (P?\d+[a-z]?)\.(\d+) \((\d+) points?\)")
LOOSE_LABEL = re.compile(r"(?:\*\*?|^### )(?:Exercise|Knowledge check)|Knowledge check", re.I)
SECTION_PATTERN = re.compile(r"^## (P?\d+[a-z]?)\.(\d+) \S")
DEF_PATTERN = re.compile(r"^(?:def|class) (\w+)\b", re.MULTILINE)


def notebook_prefix(path: Path) -> str:
    """ "3" for solutions/03-overfitting/..., "P1a" for solutions/practice-1a-.../..."""
    folder = path.parent.name
    practice = re.match(r"practice-(\d+[a-z]?)\b", folder)
    if practice:
        return "P" + practice.group(1)
    number = re.match(r"(\d+)-", folder)
    return str(int(number.group(1))) if number else folder


def shape_problems(nb: NotebookNode, prefix: str) -> list[tuple[int | None, str]]:
    """Cell length, heading scheme and exercise labels (see the module docstring)."""
    problems: list[tuple[int | None, str]] = []
    for index, cell in enumerate(nb.cells):
        lines = len(cell.source.splitlines())
        if cell.cell_type == "code" and lines > MAX_CODE_LINES and not cells.is_graded_test(cell):
            problems.append(
                (
                    index,
                    f"code cell of {lines} lines (at most {MAX_CODE_LINES}: split "
                    "it, or move support code to helpers)",
                )
            )
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "markdown" or not first.source.startswith("# "):
        problems.append((0, "the first cell is not the markdown title (# Title)"))
    section = 0
    label_number = 0
    claim: tuple[int, str, int] | None = None  # (cell, label, points announced)
    claimed = 0.0

    def close_claim() -> None:
        if claim is not None and claimed != claim[2]:
            problems.append(
                (
                    claim[0],
                    f"Exercise {claim[1]} announces {claim[2]} point(s), its "
                    f"graded cells carry {claimed:g}",
                )
            )

    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# ") and index != 0:
                    problems.append((index, "a second # title (sections are ## N.M)"))
                if line.startswith("## "):
                    section += 1
                    match = SECTION_PATTERN.match(line)
                    expected = f"## {prefix}.{section} "
                    if match is None or not line.startswith(expected):
                        problems.append((index, f"heading {line!r}: expected {expected}Title"))
            if cells.is_graded(cell):  # a written answer is graded, not a label
                pass
            else:
                for line in cell.source.splitlines():
                    found = list(LABEL_PATTERN.finditer(line))
                    loose = len(LOOSE_LABEL.findall(line))
                    if loose > len(found):
                        problems.append(
                            (
                                index,
                                f"exercise label not in the form 'Exercise "
                                f"{prefix}.M (k points)': {line.strip()[:60]!r}",
                            )
                        )
                    for match in found:
                        close_claim()
                        label_number += 1
                        label = f"{match.group(1)}.{match.group(2)}"
                        if label != f"{prefix}.{label_number}":
                            problems.append(
                                (
                                    index,
                                    f"Exercise {label}: expected Exercise {prefix}.{label_number}",
                                )
                            )
                        claim, claimed = (index, label, int(match.group(3))), 0.0
        if cells.is_graded(cell):
            if claim is None:
                grade_id = cells.grade_id(cell)
                problems.append(
                    (
                        index,
                        f"graded cell {grade_id!r} has no 'Exercise {prefix}.M "
                        "(k points)' label above it",
                    )
                )
            else:
                claimed += cells.max_points(cell) or 0.0
    close_claim()
    return problems


def top_level_defs(path: Path) -> dict[str, int]:
    """{name: cell index} of the top-level def/class statements of a notebook's code cells,
    solution cells and graded test cells excluded."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    found: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cells.is_solution(cell) or cells.is_graded_test(cell):
            continue
        for name in DEF_PATTERN.findall(cell.source):
            found.setdefault(name, index)
    return found


def duplicate_defs(paths: list[Path], others: list[Path] | None = None) -> list[str]:
    """'path cell i: def name also in other.ipynb' for names defined in two notebooks."""
    pool = {p.resolve(): p for p in [*paths, *(others or [])]}
    defs = {key: top_level_defs(path) for key, path in pool.items()}
    problems = []
    for path in paths:
        for name, index in defs[path.resolve()].items():
            twins = [pool[k].name for k in defs if k != path.resolve() and name in defs[k]]
            if twins:
                problems.append(
                    f"{path} cell {index}: `{name}` is also defined in "
                    f"{', '.join(sorted(twins))}: move it to helpers"
                )
    return problems


def merge_streams(outputs: list[Any]) -> list[Any]:
    """Join consecutive stream outputs of the same name (stdout/stderr) into one.

    How a kernel splits printed text into messages depends on timing; merged, the committed
    outputs stay the same from one refresh to the next (nbval compares them merged too).
    """
    merged: list[Any] = []
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
    """Name the course kernelspec, clear outputs and execution counts of unchecked cells, merge
    split stream outputs of checked ones; True when the file changed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    changed = False
    if dict(nb.metadata.get("kernelspec", {})) != KERNELSPEC:
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        changed = True
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
    problems += duplicate_defs(paths, default_notebooks())
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {len(paths)} notebook(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
