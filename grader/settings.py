"""The one settings module of the grading tools: names, directories, variables, defaults.

Everything here is a constant (strings, numbers, frozen dataclasses) or a pure function of its
arguments; nothing is read from the environment at import time. ``nbgrader_config.py`` at the
course root imports this module instead of restating values, and every ``grader`` module takes
its names from here.

Course layout (relative to the course root, the folder holding ``nbgrader_config.py``)::

    solutions/<assignment>/<notebook>.ipynb    source: solutions and hidden tests
    notebooks/<assignment>/<notebook>.ipynb    release (what students get)
    submitted/<student>/<assignment>/          collected submissions
    autograded/<student>/<assignment>/         nbgrader's autograded copies
    feedback/<student>/<assignment>/           feedback HTML
    logs/                                      logs of the grading tools
    gradebook.db                               SQLite gradebook (default)
    grading-status.json                        status of every submission (grader.batch.status)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

COURSE_ID = "nn-tricks"

# --- directories (relative to the course root) ---------------------------------------------
SOURCE_DIR = "solutions"
RELEASE_DIR = "notebooks"
SUBMITTED_DIR = "submitted"
AUTOGRADED_DIR = "autograded"
FEEDBACK_DIR = "feedback"
LOG_DIR = "logs"
CONFIG_FILE = "nbgrader_config.py"
GRADEBOOK_FILE = "gradebook.db"
#: JSON file (course root) with the status of every autograded submission: see grader.batch.status
STATUS_FILE = "grading-status.json"

# --- environment variables -------------------------------------------------------------------
#: a true value for fast mode (a data subset, few epochs): notebooks run in about a minute
#: (these three names are helpers.protocol's: tests/helpers/test_protocol.py pins them equal)
FAST_MODE_VARIABLE = "NN_TRICKS_FAST"
#: per-cell execution timeout of ``nbgrader validate`` and of the autograde wall backstop, in s
TIMEOUT_VARIABLE = "NN_TRICKS_CELL_TIMEOUT"
#: SQLAlchemy URL of the gradebook (default: ``sqlite:///<root>/gradebook.db``)
GRADEBOOK_VARIABLE = "NN_TRICKS_GRADEBOOK_URL"
#: directory holding the offline MNIST files (read by helpers.data)
DATA_VARIABLE = "MNIST_DATA_DIR"
#: ``1`` inside a grading sandbox: helpers.grading.record emits evidence
GRADING_VARIABLE = "NN_TRICKS_GRADING"
#: TensorFlow's native log level (3: errors only), passed to every grading kernel
TF_LOG_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"

# --- timeouts and limits ---------------------------------------------------------------------
#: per-cell timeout of ``nbgrader validate`` (``make check``), in seconds: training cells are slow
DEFAULT_CELL_TIMEOUT = 300

# --- notebook markers --------------------------------------------------------------------------
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TEST_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")

# --- LMS download --------------------------------------------------------------------------------
#: One file per submission: ``<student_id>_<assignment>_<notebook>.ipynb`` (student ids and
#: assignment names contain no underscore), e.g. ``s1234567_practice-1a-l1-vs-l2_l1_vs_l2.ipynb``.
LMS_FILE_PATTERN = r"(?P<student_id>[^/_]+)_(?P<assignment>[^/_]+)_(?P<file_id>[^/]+\.ipynb)"

# --- stderr noise --------------------------------------------------------------------------------
# nbgrader gives 0 to a test cell with ANY stderr output. Harmless library noise is removed
# before grading: an stderr output is dropped only when EVERY line of it is noise (TensorFlow /
# absl C++ log lines, Python warnings and their indented source-line echo, Keras/TF deprecation
# notes), so a real message mixed into the same output still counts.
_NOISE_LINE = (
    r"(?:"
    r"\s*"  # blank lines and the indented source line that warnings.warn echoes
    r"|[ \t].*"
    r"|\S*:\d+: \w*(?:Warning|Deprecation)\w*: .*"  # /path/file.py:12: UserWarning: ...
    r"|[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^\n]*\] .*"  # absl: W0000 00:00:1.2 123 x.cc:45] ...
    r"|WARNING:(?:absl|tensorflow|root):.*"  # Python absl/tf logging
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] .*"  # 2024-01-01 12:00:00.1: I tensorflow/...
    r"|(?:\w+\.)*\w*Warning: .*"  # bare "UserWarning: ..." lines
    r"|To enable the following instructions: .*"
    r"|oneDNN custom operations are on.*"
    r")"
)
#: nbgrader's ``IgnorePattern.pattern``: matches an stderr text made of noise lines only
STDERR_NOISE_PATTERN = rf"\A(?:{_NOISE_LINE}(?:\n|\Z))+\Z"


def gradebook_url(root: Path, environ: Mapping[str, str] | None = None) -> str:
    """The gradebook's SQLAlchemy URL: ``$NN_TRICKS_GRADEBOOK_URL``, else SQLite in ``root``.

    Args:
        root: the course root.
        environ: the environment to read (default: ``os.environ``).
    """
    env = os.environ if environ is None else environ
    return env.get(GRADEBOOK_VARIABLE) or f"sqlite:///{Path(root).resolve() / GRADEBOOK_FILE}"


def cell_timeout(environ: Mapping[str, str] | None = None) -> int | None:
    """``$NN_TRICKS_CELL_TIMEOUT`` in seconds, or ``None`` when unset or not a positive integer.

    Args:
        environ: the environment to read (default: ``os.environ``).
    """
    env = os.environ if environ is None else environ
    text = env.get(TIMEOUT_VARIABLE, "").strip()
    if not text.isdigit() or int(text) <= 0:
        return None
    return int(text)


def validate_timeout(environ: Mapping[str, str] | None = None) -> int:
    """Per-cell timeout of ``nbgrader validate`` in seconds: ``$NN_TRICKS_CELL_TIMEOUT``, or 300."""
    return cell_timeout(environ) or DEFAULT_CELL_TIMEOUT
