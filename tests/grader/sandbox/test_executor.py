"""The executor inside the sandbox (grader.sandbox.executor): its stdout protocol, exit codes, CPU
watchdog and output cap. Run here without bubblewrap (``python -m grader.sandbox.executor`` as a
subprocess), so these tests need no sandbox; the sandboxed behaviour is in test_bwrap.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from nbformat.v4 import new_output

from grader.sandbox import executor as execute
from tests.grader.sandbox_jobs import REPO_ROOT, code_cells, errors_of, notebook, text_of


def run_executor(data: bytes, *args: str, tmp_path: Path) -> tuple[int, list[bytes], Any]:
    """``python -m grader.sandbox.executor`` on ``data``: (exit status, stdout lines, report)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO_ROOT),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
    }
    done = subprocess.run(
        [sys.executable, "-m", "grader.sandbox.executor", "--kernel-cwd", str(tmp_path), *args],
        input=data,
        capture_output=True,
        env=env,
        cwd=str(tmp_path),
        timeout=300,
        check=False,
    )
    lines = done.stdout.splitlines()
    report = json.loads(lines[-1]) if lines and lines[-1].startswith(b"{") else None
    return done.returncode, lines, report


def test_stdout_is_one_json_line_and_the_kernel_cannot_write_to_it(tmp_path: Path) -> None:
    nb = notebook(
        "print(1 + 1)",
        "import os, sys\nos.write(1, b'FORGED-FD1\\n')\nos.write(2, b'FORGED-FD2\\n')\n"
        "sys.__stdout__.write('FORGED-SYS\\n'); sys.__stdout__.flush()",
        "raise ValueError('a failing cell')",
        "print('later cells still run')",
    )
    code, lines, report = run_executor(nb.encode(), tmp_path=tmp_path)
    assert code == execute.EXIT_EXECUTED
    assert len(lines) == 1 and not any(line.startswith(b"FORGED") for line in lines)
    assert set(report) == {
        "protocol",
        "status",
        "reason",
        "notes",
        "notebook",
        "cpu_seconds",
        "cells_executed",
        "cells_total",
    }
    assert report["protocol"] == 1 and report["status"] == "executed"
    assert report["cells_executed"] == report["cells_total"] == 4
    cells = code_cells(report["notebook"])
    assert text_of(cells[0]).strip() == "2"
    assert errors_of(cells[2]) == [("ValueError", "a failing cell")]
    assert text_of(cells[3]).strip() == "later cells still run"
    assert list(tmp_path.glob("*.ipynb")) == []  # the notebook never lands in a file


def test_unreadable_input_exits_2_with_a_reason(tmp_path: Path) -> None:
    code, lines, report = run_executor(b"this is not a notebook", tmp_path=tmp_path)
    assert code == execute.EXIT_BAD_INPUT and len(lines) == 1
    assert report["status"] == "failed" and report["notebook"] is None
    assert report["reason"].startswith("unreadable notebook: ")


def test_bad_options_exit_2(tmp_path: Path) -> None:
    code, lines, _ = run_executor(b"{}", "--cell-cpu-seconds", "0", tmp_path=tmp_path)
    assert code == 2 and lines == []


def test_a_dead_kernel_is_reported_and_later_cells_stay_unexecuted(tmp_path: Path) -> None:
    nb = notebook(
        "print('before')",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
        "print('never')",
    )
    code, _, report = run_executor(nb.encode(), tmp_path=tmp_path)
    assert code == execute.EXIT_FAILED
    assert report["status"] == "failed"
    assert report["reason"] == "the kernel died while running cell 3 (exit signal 9)"
    cells = code_cells(report["notebook"])
    assert text_of(cells[0]).strip() == "before"
    assert errors_of(cells[1])[0][0] == "DeadKernelError"
    assert cells[2]["outputs"] == [] and cells[2]["execution_count"] is None


def test_over_the_whole_cpu_budget_the_notebook_stops(tmp_path: Path) -> None:
    nb = notebook("print('first')", "while True: pass", "print('never')")
    code, _, report = run_executor(
        nb.encode(), "--cpu-seconds", "3", "--cell-cpu-seconds", "100", tmp_path=tmp_path
    )
    assert code == execute.EXIT_FAILED and report["status"] == "failed"
    assert report["reason"] == (
        "cell 3 interrupted: the notebook is over its CPU budget of "
        "3 s; the cells after it did not run"
    )
    cells = code_cells(report["notebook"])
    assert text_of(cells[0]).strip() == "first"
    assert (
        "CellInterrupted",
        "cell interrupted: the notebook is over its CPU budget of 3 s",
    ) in errors_of(cells[1])
    assert cells[2]["execution_count"] is None and cells[2]["outputs"] == []
    assert report["cpu_seconds"] >= 3


# --- the watchdog (no kernel: a fake CPU counter) -------------------------------------------------


class FakeCounter:
    """A CPU counter the test advances by hand."""

    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self) -> float:
        return self.value


def _watchdog(counter: FakeCounter, **options: float) -> tuple[execute.Watchdog, list[str]]:
    sent: list[str] = []
    dog = execute.Watchdog(
        counter,
        execute.ExecuteOptions(**options),  # type: ignore[arg-type]  # bad values on purpose
        interrupt=lambda: sent.append("INT"),
        kill=lambda: sent.append("KILL"),
        grace_seconds=0.8,
    )
    dog.start()
    return dog, sent


def _wait_for(condition: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_the_watchdog_interrupts_on_cpu_time_not_on_wall_time() -> None:
    counter = FakeCounter()
    dog, sent = _watchdog(counter, cell_cpu_seconds=5, cell_wall_seconds=1000, cpu_seconds=1000)
    try:
        dog.arm()
        time.sleep(0.6)  # wall time passes, no CPU time: nothing happens
        assert sent == [] and dog.disarm() is None
        dog.arm()
        counter.value += 6  # six CPU seconds in this cell
        assert _wait_for(lambda: sent == ["INT"])
        assert dog.disarm() == "cpu"
    finally:
        dog.stop()


def test_a_cell_that_ignores_the_interrupt_is_killed_after_the_grace() -> None:
    counter = FakeCounter()
    dog, sent = _watchdog(counter, cell_cpu_seconds=1, cell_wall_seconds=1000, cpu_seconds=1000)
    try:
        dog.arm()
        counter.value += 2
        assert _wait_for(lambda: "KILL" in sent)
        assert sent == ["INT", "INT", "KILL"] and dog.killed
    finally:
        dog.stop()


def test_the_wall_backstop_and_the_whole_budget() -> None:
    counter = FakeCounter()
    dog, sent = _watchdog(counter, cell_cpu_seconds=100, cell_wall_seconds=0.3, cpu_seconds=10)
    try:
        dog.arm()
        assert _wait_for(lambda: sent == ["INT"])
        assert dog.disarm() == "wall"
        counter.value = 11
        dog.arm()
        assert _wait_for(lambda: len(sent) == 2)
        assert dog.disarm() == "budget"
    finally:
        dog.stop()


def test_the_cpu_counter_reads_the_cgroup_file(tmp_path: Path) -> None:
    usage = tmp_path / "cpuacct.usage"
    usage.write_text(str(10**12))  # 1000 s of the sandbox
    counter = execute.CpuCounter(str(usage), all_processes=True)
    own = os.times()
    own_seconds = own.user + own.system  # the counter subtracts this process's own CPU time
    assert 1000 - own_seconds - 5 < counter() <= 1000 - own_seconds + 1e-6  # float rounding
    usage.write_text("0")
    assert counter() > 1000 - own_seconds - 5  # never decreasing


def test_the_cpu_counter_sums_a_process_tree() -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nt = time.process_time()\n"
            "while time.process_time() - t < 1: pass\ntime.sleep(30)",
        ]
    )
    try:
        counter = execute.CpuCounter(None, all_processes=False)
        counter.root_pid = child.pid
        assert _wait_for(lambda: counter() >= 0.9, seconds=30)
    finally:
        child.kill()
        child.wait()


# --- the output cap (no kernel) -------------------------------------------------------------------


def _stream(text: str) -> Any:
    return new_output("stream", name="stdout", text=text)


def test_the_output_cap_cuts_streams_and_says_so_once() -> None:
    cap = execute.OutputCap(1000)
    outs: list[Any] = []
    for _ in range(3):
        outs.append(_stream("x" * 500))
        cap.admit(outs, outs[-1], 0)
    texts = [out["text"] for out in outs]
    assert texts[0] == "x" * 500 and set(texts[1]) == {"x"} and len(texts[1]) < 500
    assert texts[2] == cap.marker_text and len(outs) == 3
    outs.append(_stream("more"))
    assert not cap.admit(outs, outs[-1], 1) and len(outs) == 3  # dropped, no second marker
    assert cap.truncated_at == 0


def test_errors_and_seals_use_the_reserve_past_the_ordinary_cap() -> None:
    cap = execute.OutputCap(100_000)  # ordinary outputs: up to 80_000 bytes
    outs: list[Any] = [_stream("x" * 79_000)]
    assert cap.admit(outs, outs[-1], 0)
    error = new_output(
        "error", ename="AssertionError", evalue="y" * 100_000, traceback=["z" * 1_000] * 10
    )
    outs.append(error)
    assert cap.admit(outs, error, 1)  # shortened, then kept in the reserve
    assert len(error["evalue"]) == execute.ERROR_VALUE_CHARS
    seal = new_output(
        "display_data", data={"application/vnd.nn-tricks.seal+json": {"nonce": "abc"}}
    )
    outs.append(seal)
    assert cap.admit(outs, seal, 2)
    plain = new_output("display_data", data={"text/plain": "p" * 10})
    outs.append(plain)
    assert not cap.admit(outs, plain, 3)
    assert outs[-1]["text"] == cap.marker_text and cap.truncated_at == 3
    assert cap.used <= cap.limit


def test_a_long_traceback_is_shortened_from_the_top() -> None:
    error = new_output(
        "error", ename="E", evalue="v", traceback=[f"frame {i} " + "t" * 1000 for i in range(100)]
    )
    execute._shorten_error(error)
    assert error["traceback"][0] == "[traceback shortened]"
    assert error["traceback"][-1].startswith("frame 99")
    assert sum(map(len, error["traceback"])) <= execute.TRACEBACK_CHARS + 100


@pytest.mark.parametrize(
    "why, text",
    [
        ("cpu", "over its CPU budget of 600 s"),
        ("wall", "over its wall-clock limit of 1800 s"),
        ("budget", "the notebook is over its CPU budget of 1800 s"),
    ],
)
def test_interruption_lines(why: str, text: str) -> None:
    assert execute._interruption(why, execute.ExecuteOptions()) == text
