"""Small hand-built jobs for the sandbox, executor and worker tests (no TensorFlow needed)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.run.jobs import GradeJob, GradeResult, Limits
from grader.sandbox import bwrap as sandbox

#: The repository (course) root: must never be visible inside a sandbox.
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Offline MNIST beside the checkout (the jobs' data directory when present).
SHARED_DATA = Path(
    os.environ.get("MNIST_DATA_DIR", REPO_ROOT.parent / "shared" / "data" / "mnist-10k")
)


def bwrap_reason() -> str:
    """Why sandbox tests must skip here, or ``""`` when bubblewrap can make a sandbox."""
    probe = sandbox.probe_bubblewrap()
    return "" if probe.usable else f"needs a usable bubblewrap: {probe.reason}"


#: Mark for tests that need a real bubblewrap sandbox.
needs_bwrap = pytest.mark.skipif(bool(bwrap_reason()), reason=bwrap_reason() or "bwrap usable")


def notebook(*sources: str, markdown_first: bool = True) -> str:
    """A notebook (JSON text) with one code cell per source (and a markdown cell first)."""
    cells: list[Any] = [new_markdown_cell("# a test notebook")] if markdown_first else []
    cells += [new_code_cell(source) for source in sources]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "no-such-kernel", "display_name": "ignored"}
    return nbformat.writes(nb)


def make_job(
    *sources: str,
    limits: Limits | None = None,
    sandbox_mode: str = "require",
    env: dict[str, str] | None = None,
    name: str = "s1",
) -> GradeJob:
    """A job for the given cells (data: the shared MNIST directory when it exists)."""
    return GradeJob(
        job_id=f"test/{name}",
        assignment="test",
        student=name,
        notebook_name="test",
        notebook=notebook(*sources),
        env=dict(env or {"TF_CPP_MIN_LOG_LEVEL": "3"}),
        data_dir=str(SHARED_DATA) if SHARED_DATA.is_dir() else None,
        limits=limits or Limits(),
        sandbox=sandbox_mode,  # type: ignore[arg-type]  # a str from parametrize
    )


def code_cells(notebook_json: str | None) -> list[dict[str, Any]]:
    """The code cells of an executed notebook (JSON text)."""
    assert notebook_json is not None, "no notebook came back"
    return [cell for cell in json.loads(notebook_json)["cells"] if cell["cell_type"] == "code"]


def text_of(cell: dict[str, Any], name: str | None = None) -> str:
    """All stream text of a cell (of one stream when ``name`` is given)."""
    return "".join(
        "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
        for out in cell["outputs"]
        if out["output_type"] == "stream" and (name is None or out["name"] == name)
    )


def errors_of(cell: dict[str, Any]) -> list[tuple[str, str]]:
    """``(ename, evalue)`` of a cell's error outputs."""
    return [
        (out["ename"], out["evalue"]) for out in cell["outputs"] if out["output_type"] == "error"
    ]


def processes_with(marker: str) -> list[int]:
    """Pids of host processes whose command line or environment contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        for name in ("cmdline", "environ"):
            try:
                if marker.encode() in (entry / name).read_bytes():
                    found.append(int(entry.name))
                    break
            except OSError:
                continue
    return found


def describe(result: GradeResult, cells: Sequence[dict[str, Any]] = ()) -> str:
    """A readable summary for assertion messages."""
    summary = {k: v for k, v in result.__dict__.items() if k != "notebook"}
    outs = [
        [
            (o["output_type"], str(o.get("text") or o.get("evalue") or "")[:200])
            for o in cell["outputs"]
        ]
        for cell in cells
    ]
    return f"{summary}\n{outs}"
