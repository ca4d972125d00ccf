"""What the student side (``helpers``) and the grader side (``grader``) must agree on.

The grading sandbox runs a student's notebook with environment variables that switch
``helpers`` into grading and fast mode, and reads back the outputs that ``helpers.grading.record``
emits (evidence) and the seal lines that ``grader.batch.verdicts`` appends to test cells; both
sides take those names from here, so they cannot drift apart (docs/grading.md, "Evidence
protocol"). This module imports only the standard library and nothing else of ``helpers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "DATA_VARIABLE",
    "EVIDENCE_MIME",
    "FAST_MODE_VARIABLE",
    "GRADING_ON",
    "GRADING_VARIABLE",
    "MIME_PREFIX",
    "MIME_VENDOR",
    "SEAL_MIME",
    "TRUE_VALUES",
    "is_grading",
    "is_true",
]

# --------------------------------------------------------------------------- outputs

#: Vendor tree of every grading output's MIME type; a student's cell that spells it is suspect.
MIME_VENDOR: Final = "vnd.nn-tricks"
#: Prefix of the MIME types of grading outputs (evidence and seals), e.g. kept when the sandbox
#: cuts a notebook's outputs.
MIME_PREFIX: Final = f"application/{MIME_VENDOR}."
#: MIME type of one piece of evidence (``display_data``, raw): ``{"name": str, "value": <JSON>,
#: "tol": float}``.
EVIDENCE_MIME: Final = f"{MIME_PREFIX}evidence+json"
#: MIME type of a test cell's seal (``display_data``, raw): ``{"grade_id": str, "nonce": str}``.
SEAL_MIME: Final = f"{MIME_PREFIX}seal+json"

# --------------------------------------------------------------------------- environment

#: Set to :data:`GRADING_ON` by the grading sandbox: ``helpers.grading.record`` emits evidence
#: and a blank answer fails its cell. Any other value (or none) is the student's own session.
GRADING_VARIABLE: Final = "NN_TRICKS_GRADING"
#: The one value of :data:`GRADING_VARIABLE` that means grading.
GRADING_ON: Final = "1"
#: A true value (:func:`is_true`) for fast mode: a data subset and few epochs, about a minute
#: per notebook (CI, autograding); unset or false for the lecture's settings.
FAST_MODE_VARIABLE: Final = "NN_TRICKS_FAST"
#: Directory holding the offline MNIST files (IDX files or a Keras ``mnist.npz``), read by
#: ``helpers.data`` and set by the grader inside the sandbox.
DATA_VARIABLE: Final = "MNIST_DATA_DIR"
#: The spellings of *on* for switch variables such as :data:`FAST_MODE_VARIABLE`, compared
#: after stripping blanks and lower-casing.
TRUE_VALUES: Final = frozenset({"1", "true", "yes", "on"})


def is_true(value: str | None) -> bool:
    """Whether an environment value means *on*: one of :data:`TRUE_VALUES`, ignoring case and
    surrounding blanks (``None`` and ``""`` are off)."""
    return (value or "").strip().lower() in TRUE_VALUES


def is_grading(environ: Mapping[str, str]) -> bool:
    """Whether ``environ`` (e.g. ``os.environ``) is a grading sandbox's: :data:`GRADING_VARIABLE`
    is exactly :data:`GRADING_ON`."""
    return environ.get(GRADING_VARIABLE) == GRADING_ON
