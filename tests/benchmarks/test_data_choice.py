"""benchmarks.data_choice: full MNIST when the machine has it, else the subset, and say so."""

from __future__ import annotations

from pathlib import Path

from benchmarks.data_choice import (
    choose_data,
    environment_with_data_dir,
    fast_mode_directory,
    has_idx_files,
)
from helpers.data import IDX_FILE_NAMES

from .conftest import write_idx_dir


def _layout(tmp_path: Path, full: bool, subset: bool) -> Path:
    """A repository folder beside shared/data/{mnist-full,mnist-10k}, as on the machines."""
    root = tmp_path / "main"
    root.mkdir(parents=True)
    data = tmp_path / "shared" / "data"
    if full:
        write_idx_dir(data / "mnist-full")
    if subset:
        write_idx_dir(data / "mnist-10k")
    return root


def test_full_set_beside_the_repository_wins(tmp_path):
    root = _layout(tmp_path, full=True, subset=True)
    choice = choose_data(root, {})
    assert choice.kind == "full"
    assert choice.directory == str((tmp_path / "shared/data/mnist-full").resolve())
    assert "full MNIST" in choice.description


def test_subset_when_the_full_set_is_missing_and_the_results_say_so(tmp_path):
    root = _layout(tmp_path, full=False, subset=True)
    choice = choose_data(root, {})
    assert choice.kind == "subset"
    assert choice.directory.endswith("mnist-10k")
    assert "SUBSET" in choice.description and "mnist-full" in choice.description


def test_an_incomplete_full_directory_does_not_count(tmp_path):
    root = _layout(tmp_path, full=True, subset=True)
    (tmp_path / "shared/data/mnist-full" / IDX_FILE_NAMES["y_test"]).unlink()
    assert not has_idx_files(tmp_path / "shared/data/mnist-full")
    assert choose_data(root, {}).kind == "subset"


def test_explicit_mnist_data_dir_is_honoured(tmp_path):
    root = _layout(tmp_path, full=True, subset=True)
    elsewhere = write_idx_dir(tmp_path / "elsewhere")
    choice = choose_data(root, {"MNIST_DATA_DIR": str(elsewhere)})
    assert choice.kind == "explicit"
    assert choice.directory == str(elsewhere.resolve())
    # an empty value is "unset"
    assert choose_data(root, {"MNIST_DATA_DIR": "  "}).kind == "full"


def test_nothing_there_falls_back_to_the_loaders_default(tmp_path):
    root = _layout(tmp_path, full=False, subset=False)
    choice = choose_data(root, {})
    assert choice.kind == "loader-default"
    assert choice.directory is None
    assert choice.environment({"A": "1"}) == {"A": "1"}


def test_fast_mode_reads_the_subset_as_ci_does(tmp_path):
    root = _layout(tmp_path, full=True, subset=True)
    choice = choose_data(root, {})
    assert fast_mode_directory(root, choice).endswith("mnist-10k")
    explicit = choose_data(root, {"MNIST_DATA_DIR": str(tmp_path / "x")})
    assert fast_mode_directory(root, explicit) == explicit.directory
    only_full = _layout(tmp_path / "b", full=True, subset=False)
    assert fast_mode_directory(only_full, choose_data(only_full, {})).endswith("mnist-full")


def test_environment_points_runs_at_the_choice():
    environment = environment_with_data_dir({"MNIST_DATA_DIR": "/old", "B": "2"}, "/new")
    assert environment == {"MNIST_DATA_DIR": "/new", "B": "2"}
