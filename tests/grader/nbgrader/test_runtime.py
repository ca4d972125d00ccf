"""grader.nbgrader.runtime: the environment nbgrader's calls run in."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from grader.nbgrader.runtime import environment


def test_nbgrader_finds_alembic_and_the_environment_is_restored(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("NN_TRICKS_FAST", "1")
    with environment({"NN_TRICKS_FAST": None, "EXTRA": "x"}):
        first = os.environ["PATH"].split(os.pathsep)[0]
        assert Path(first) == Path(sys.executable).parent
        assert shutil.which("alembic"), "alembic must be next to this python"
        assert "NN_TRICKS_FAST" not in os.environ and os.environ["EXTRA"] == "x"
    assert os.environ["PATH"] == "/usr/bin:/bin"
    assert os.environ["NN_TRICKS_FAST"] == "1" and "EXTRA" not in os.environ
