"""benchmarks.results_files: the report and its JSON, written side by side."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.results_files import without_machine_paths, write_report_and_json


def test_writes_the_rendered_report_and_sorted_json_into_a_new_directory(tmp_path: Path):
    results = {"b": 2, "a": [1.5, "x"]}
    md, js = write_report_and_json(
        results, tmp_path / "new", ("r.md", "r.json"), lambda r: f"# {len(r)} keys\n"
    )
    assert (md, js) == (tmp_path / "new" / "r.md", tmp_path / "new" / "r.json")
    assert md.read_text(encoding="utf-8") == "# 2 keys\n"
    text = js.read_text(encoding="utf-8")
    assert json.loads(text) == results
    assert text.index('"a"') < text.index('"b"') and text.endswith("}\n")


def test_results_name_no_machine_paths(tmp_path: Path):
    root = tmp_path / "checkout"
    text = f"MNIST from MNIST_DATA_DIR={tmp_path}/shared/data/mnist-full (IDX files)"
    assert without_machine_paths(text, root) == (
        "MNIST from MNIST_DATA_DIR=../shared/data/mnist-full (IDX files)"
    )
    assert without_machine_paths("no path here", root) == "no path here"
