"""grader.settings (the one settings module) and the nbgrader_config.py that reads it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import settings

REPO = Path(__file__).resolve().parents[2]


def load_config(monkeypatch, root: Path = REPO, **env):
    from traitlets.config.loader import PyFileConfigLoader

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


# ---------------------------------------------------------------------------------------------
# settings
# ---------------------------------------------------------------------------------------------


def test_names_and_defaults():
    assert settings.COURSE_ID == "nn-tricks"
    assert (settings.SOURCE_DIR, settings.RELEASE_DIR) == ("solutions", "notebooks")
    assert settings.SUBMITTED_DIR == "submitted" and settings.AUTOGRADED_DIR == "autograded"
    assert settings.FAST_MODE_VARIABLE == "NN_TRICKS_FAST"
    assert settings.GRADING_VARIABLE == "NN_TRICKS_GRADING"
    assert settings.DATA_VARIABLE == "MNIST_DATA_DIR"


def test_gradebook_url_defaults_to_sqlite_in_the_root(tmp_path):
    assert settings.gradebook_url(tmp_path, {}) == f"sqlite:///{tmp_path / 'gradebook.db'}"
    url = "postgresql+psycopg://grader@db/nn"
    assert settings.gradebook_url(tmp_path, {"NN_TRICKS_GRADEBOOK_URL": url}) == url


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), ("20", 20), ("0", None), ("x", None), (" 45 ", 45)]
)
def test_cell_timeout_reads_only_positive_integers(value, expected):
    assert settings.cell_timeout({"NN_TRICKS_CELL_TIMEOUT": value}) == expected
    assert settings.validate_timeout({"NN_TRICKS_CELL_TIMEOUT": value}) == (expected or 300)


def test_lms_pattern_splits_the_file_name():
    match = re.fullmatch(settings.LMS_FILE_PATTERN, "s1234567_practice-1a-l1-vs-l2_l1_vs_l2.ipynb")
    assert match is not None
    assert match["student_id"] == "s1234567"
    assert match["assignment"] == "practice-1a-l1-vs-l2"
    assert match["file_id"] == "l1_vs_l2.ipynb"


def test_settings_reads_nothing_at_import():
    """Constants only: importing settings (and jobs) imports no third-party package."""
    heavy = "{'nbgrader', 'nbformat', 'tensorflow', 'traitlets'}"
    code = (
        "import sys, grader.settings; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# nbgrader_config.py takes its values from grader.settings
# ---------------------------------------------------------------------------------------------


def test_config_defaults_and_overrides(monkeypatch):
    monkeypatch.delenv("NN_TRICKS_GRADEBOOK_URL", raising=False)
    monkeypatch.delenv("NN_TRICKS_CELL_TIMEOUT", raising=False)
    config = load_config(monkeypatch)
    assert config.CourseDirectory.course_id == "nn-tricks"
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "notebooks"
    assert config.CourseDirectory.db_url == f"sqlite:///{REPO / 'gradebook.db'}"
    assert config.Execute.timeout == 300
    assert config.OverwriteCells.add_missing_cells is True
    assert config.IgnorePattern.enabled is True
    assert config.IgnorePattern.pattern == settings.STDERR_NOISE_PATTERN
    config = load_config(
        monkeypatch, NN_TRICKS_GRADEBOOK_URL="sqlite:////tmp/x.db", NN_TRICKS_CELL_TIMEOUT="20"
    )
    assert config.CourseDirectory.db_url == "sqlite:////tmp/x.db"
    assert config.Execute.timeout == 20


def test_config_in_a_course_copy_uses_the_copy_as_root(monkeypatch, tmp_path):
    monkeypatch.delenv("NN_TRICKS_GRADEBOOK_URL", raising=False)
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    config = load_config(monkeypatch, tmp_path)
    assert config.CourseDirectory.db_url == f"sqlite:///{tmp_path.resolve() / 'gradebook.db'}"


NOISE = [
    "/usr/lib/python3/site-packages/keras/layer.py:12: UserWarning: Do not pass `input_shape`\n"
    "  super().__init__(**kwargs)\n",
    "W0000 00:00:1700000000.123456   12345 cuda_executor.cc:1234] could not find cuda drivers\n",
    "2024-01-01 12:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations\n",
    "WARNING:absl:Compiled the loaded model, but the compiled metrics have yet to be built.\n",
    "DeprecationWarning: datetime.utcnow() is deprecated\n",
]
REAL = [
    "Traceback (most recent call last):\n  File 'x', line 1\nValueError: bad\n",
    "something the student printed to stderr\n",
    "/x.py:1: UserWarning: fine\n  code\nbut then a real message\n",
    "Invalid value [x] blah\n",
]


@pytest.mark.parametrize("text", NOISE)
def test_ignore_pattern_drops_library_noise(text):
    assert re.search(settings.STDERR_NOISE_PATTERN, text)


@pytest.mark.parametrize("text", REAL)
def test_ignore_pattern_keeps_real_stderr(text):
    assert not re.search(settings.STDERR_NOISE_PATTERN, text)
