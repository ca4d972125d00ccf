"""grader.cli (`python -m grader`): fast help, one-line errors, exit statuses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader import cli

REPO = Path(__file__).resolve().parents[2]
BATCH = "practice-1b-kernel-sizes"
COMMANDS = ("release", "check", "collect", "autograde", "feedback", "export")
HEAVY = ("tensorflow", "keras", "nbgrader", "nbformat", "nbclient", "helpers", "numpy", "rich")


def test_does_help_import_nothing_heavy():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['grader', '--help']\n"
        "try:\n"
        "    runpy.run_module('grader', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = {HEAVY!r}\n"
        "print('IMPORTED', sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "usage: python -m grader" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "IMPORTED []"


def test_importing_the_cli_imports_nothing_heavy():
    heavy = set(HEAVY) - {"helpers"}
    code = (
        "import sys, grader.cli\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"Example: python -m grader {command}" in capsys.readouterr().out


def test_db_upgrade_has_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["db", "upgrade", "--help"])
    assert exit_info.value.code == 0
    assert "Example: python -m grader db upgrade" in capsys.readouterr().out


def test_autograde_flags_are_parsed():
    args = cli.build_parser().parse_args(
        [
            "autograde",
            BATCH,
            "--workers",
            "3",
            "--sandbox",
            "require",
            "--memory-mb",
            "2048",
            "--cell-cpu-seconds",
            "60",
            "--timeout",
            "90",
            "--full",
            "--student",
            "s1",
            "--student",
            "s2",
        ]
    )
    options = cli._autograde_options(args)
    assert options.runner == "processes" and options.workers == 3
    assert options.sandbox == "require" and options.full
    assert options.students == ("s1", "s2")
    assert (options.limits.memory_mb, options.limits.cell_cpu_seconds) == (2048, 60)
    assert options.limits.cell_wall_seconds == 90
    dask = cli._autograde_options(
        cli.build_parser().parse_args(["autograde", BATCH, "--scheduler", "tcp://h:8786"])
    )
    assert dask.runner == "dask" and dask.scheduler == "tcp://h:8786"
    plain = cli._autograde_options(cli.build_parser().parse_args(["autograde", BATCH]))
    assert plain.runner == "sequential" and not plain.full


@pytest.mark.parametrize(
    "argv",
    [
        ["autograde", BATCH, "--workers", "0"],
        ["autograde", BATCH, "--student", "../x"],
        ["autograde", BATCH, "--runner", "threads"],
        ["autograde"],
        ["nope"],
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def one_line_error(capsys, argv) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    return err


def test_errors_are_one_clear_line(tmp_path, capsys):
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / BATCH, root / "solutions" / BATCH)
    base = ["--course-dir", str(root)]
    assert "no assignment 'nope'" in one_line_error(capsys, [*base, "autograde", "nope"])
    assert "collect" in one_line_error(capsys, [*base, "autograde", BATCH])
    assert "autograde" in one_line_error(capsys, [*base, "feedback", BATCH])
    assert "not found" in one_line_error(capsys, [*base, "collect", str(tmp_path / "x.zip")])
    assert "no gradebook" in one_line_error(capsys, [*base, "export"])
    assert "nbgrader_config.py" in one_line_error(capsys, ["--course-dir", str(tmp_path), "check"])


def test_collect_reports_and_exits_1_on_refused_entries(tmp_path, capsys):
    root = tmp_path / "course"
    (root / "solutions" / BATCH).mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    (root / "solutions" / BATCH / "kernel_sizes.ipynb").write_text(json.dumps({"cells": []}))
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"s001_{BATCH}_kernel_sizes.ipynb", "{}")
        zf.writestr(f"s002_{BATCH}_kernel_sizes.ipynb", "{}")
    assert cli.main(["--course-dir", str(root), "collect", str(archive)]) == 0
    assert "collected 2 submission(s)" in capsys.readouterr().out
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(f"../s003_{BATCH}_kernel_sizes.ipynb", "{}")
    assert cli.main(["--course-dir", str(root), "collect", str(archive)]) == 1
    out = capsys.readouterr().out
    assert "refused" in out and "collected 2 submission(s)" in out
