"""Which MNIST the benchmarks train on: the full set when the machine has it, else the subset.

Order (the first that applies wins):

1. ``MNIST_DATA_DIR`` set explicitly: that directory, whatever it holds;
2. ``<repository>/../shared/data/mnist-full`` holding the four IDX files: the full set;
3. ``<repository>/../shared/data/mnist-10k`` holding them: the offline 10k subset;
4. neither: ``helpers.data``'s own order (the Keras cache, then the Keras download).

Nothing is copied: runs read the chosen directory in place. The choice only names a
directory; ``helpers.data`` still validates what it reads and reports full or subset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from helpers.data import DATA_DIR_VARIABLE, IDX_FILE_NAMES

FULL_DIR_NAME = "mnist-full"
SUBSET_DIR_NAME = "mnist-10k"


@dataclass(frozen=True)
class DataChoice:
    """The data directory the benchmark runs read, and why.

    Attributes:
        directory: absolute path handed to every run, or ``None`` for the loader's default.
        kind: ``"explicit"`` (MNIST_DATA_DIR), ``"full"``, ``"subset"`` or ``"loader-default"``.
        description: one line for the results, e.g. "full MNIST from ../shared/...".
    """

    directory: str | None
    kind: str
    description: str

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` with ``MNIST_DATA_DIR`` pointing at the choice (for notebook runs)."""
        return environment_with_data_dir(base, self.directory)


def environment_with_data_dir(base: Mapping[str, str], directory: str | None) -> dict[str, str]:
    """A copy of ``base`` with ``MNIST_DATA_DIR=directory`` (unchanged when ``None``)."""
    environment = dict(base)
    if directory is not None:
        environment[DATA_DIR_VARIABLE] = directory
    return environment


def shared_data_dir(root: Path) -> Path:
    """``shared/data`` beside the repository root ``root``."""
    return root.resolve().parent / "shared" / "data"


def has_idx_files(directory: Path) -> bool:
    """True when ``directory`` holds the four MNIST IDX ``.gz`` files."""
    return all((directory / name).is_file() for name in IDX_FILE_NAMES.values())


def choose_data(root: Path, environ: Mapping[str, str]) -> DataChoice:
    """Pick the benchmark data for the repository at ``root`` (see the module docstring)."""
    explicit = environ.get(DATA_DIR_VARIABLE, "").strip()
    if explicit:
        return DataChoice(
            directory=str(Path(explicit).expanduser().resolve()),
            kind="explicit",
            description=f"{DATA_DIR_VARIABLE}={explicit} (set explicitly)",
        )
    shared = shared_data_dir(root)
    full, subset = shared / FULL_DIR_NAME, shared / SUBSET_DIR_NAME
    if has_idx_files(full):
        return DataChoice(str(full), "full", f"full MNIST (60,000/10,000) from {full}")
    if has_idx_files(subset):
        return DataChoice(
            str(subset),
            "subset",
            f"the offline SUBSET (first 10,000 training images) from {subset}: "
            f"{full} was not found, so rows that the lecture ran on 60,000 images are "
            "not like-for-like",
        )
    return DataChoice(
        None,
        "loader-default",
        f"neither {full} nor {subset} exists and {DATA_DIR_VARIABLE} is unset: "
        "helpers.data's default (the Keras cache, else the Keras download)",
    )


def fast_mode_directory(root: Path, choice: DataChoice) -> str | None:
    """The data of fast-mode runs: the 10k subset when it exists (as CI), else ``choice``."""
    if choice.kind == "explicit":
        return choice.directory
    subset = shared_data_dir(root) / SUBSET_DIR_NAME
    return str(subset) if has_idx_files(subset) else choice.directory
