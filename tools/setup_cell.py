"""The course's setup cell: the first code cell of every notebook (solutions/ and notebooks/).

In Colab (``google.colab`` imported) the cell installs the course package with ``%pip`` from
the spec in ``NN_TRICKS_INSTALL_SPEC`` when that is set and not empty, else from the published
repository at the pinned tag; anywhere else it installs nothing (``make setup`` did). IPython
expands ``{spec}`` in the magic's line before the shell sees it. Then the same imports everywhere.

``SETUP_CELL_TEMPLATE`` has ``{version}`` for the pin (``str.format``, so the cell's own braces
are doubled); ``SETUP_CELL_SOURCE`` is the cell for the package's current version.
tests/packaging/test_colab_bootstrap.py runs it in a fresh Colab-like venv against a local wheel.
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the dev extra installs tomli
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
INSTALL_SPEC_VARIABLE = "NN_TRICKS_INSTALL_SPEC"
DEFAULT_SPEC_TEMPLATE = "nn-tricks @ git+https://github.com/nn-tricks/nn-tricks@v{version}"

SETUP_CELL_TEMPLATE = """\
# Setup: in Colab, install the course helpers (pinned); elsewhere they are already installed.
import os, sys
if "google.colab" in sys.modules:
    spec = os.environ.get("NN_TRICKS_INSTALL_SPEC") or "nn-tricks @ git+https://github.com/nn-tricks/nn-tricks@v{version}"
    %pip install -q "{{spec}}"

import helpers  # first: it makes the TensorFlow and Keras imports below quiet
import keras
import numpy as np

helpers.set_seed(42)
print(helpers.run_mode_summary())"""


def package_version() -> str:
    """The package's version: ``[project] version`` of pyproject.toml, its one source (the
    installed package reports it through ``importlib.metadata.version("nn-tricks")``)."""
    with open(REPO / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def setup_cell_source(version: str | None = None) -> str:
    return SETUP_CELL_TEMPLATE.format(version=version or package_version())


def default_install_spec(version: str | None = None) -> str:
    return DEFAULT_SPEC_TEMPLATE.format(version=version or package_version())


SETUP_CELL_SOURCE = setup_cell_source()
