"""Fixtures of the benchmark tests: tiny MNIST-format directories and the shared copies."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from helpers.data import IDX_FILE_NAMES

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SUBSET_DIR = SHARED_DATA / "mnist-10k"
FULL_DIR = SHARED_DATA / "mnist-full"


def write_idx_dir(directory: Path, n_train: int = 30, n_test: int = 20, seed: int = 0) -> Path:
    """Four gzipped IDX files of random uint8 'MNIST' (a subset, as far as the loader goes)."""
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(n_test) % 10).astype(np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for key, name in IDX_FILE_NAMES.items():
        array = arrays[key]
        header = struct.pack(f">{1 + array.ndim}I", 0x00000800 + array.ndim, *array.shape)
        (directory / name).write_bytes(gzip.compress(header + array.tobytes(), compresslevel=1))
    return directory


@pytest.fixture
def tiny_mnist_dir(tmp_path: Path) -> Path:
    """A directory with 30 training and 20 test images in the official file layout."""
    return write_idx_dir(tmp_path / "tiny-mnist")


needs_subset = pytest.mark.skipif(
    not (SUBSET_DIR / IDX_FILE_NAMES["x_test"]).is_file(),
    reason=f"the shared 10k MNIST subset is not at {SUBSET_DIR}",
)
