"""tools/stage: the stage timer of `make test` and .ci/run, run as a command and sourced."""

import re
import subprocess
from pathlib import Path

STAGE = Path(__file__).resolve().parents[2] / "tools" / "stage"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


def test_a_stage_prints_its_start_and_its_time_and_keeps_the_status():
    done = run(str(STAGE), "the name", "bash", "-c", "echo inside; exit 3")
    lines = done.stdout.splitlines()
    assert lines[:2] == ["== stage 'the name' starts", "inside"]
    assert re.fullmatch(r"== stage 'the name' took \d+ s \(exit status 3\)", lines[2]), lines
    assert done.returncode == 3


def test_a_passing_stage_exits_0():
    done = run(str(STAGE), "ok", "true")
    assert re.fullmatch(r"== stage 'ok' starts\n== stage 'ok' took \d+ s\n", done.stdout)
    assert done.returncode == 0


def test_sourced_it_runs_a_shell_function_and_returns_its_status():
    script = f"set -euo pipefail; source {STAGE}; f() {{ echo f ran; return 4; }}; stage fn f"
    done = run("bash", "-c", script)
    assert "f ran" in done.stdout and "took" in done.stdout
    assert done.returncode == 4


def test_without_a_command_it_prints_its_usage():
    done = run(str(STAGE), "name only")
    assert done.returncode == 2 and "usage: tools/stage NAME COMMAND" in done.stderr
