"""A generated corpus of hostile and broken submissions for the grading pipeline.

The entries, their expected outcome and the builders live in :mod:`.make_corpus` (see README.md);
its public names are re-exported here, imported on first use so that
``python -m tests.grader.corpus.make_corpus`` runs the module only once.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CLASSES",
    "FAMILIES",
    "LISTENER_PORT",
    "TEST_SECRET",
    "TEST_SECRET_VARIABLE",
    "Entry",
    "Expect",
    "Materials",
    "entries",
    "load_materials",
    "write_corpus",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module(f"{__name__}.make_corpus"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
