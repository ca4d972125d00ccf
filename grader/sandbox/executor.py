"""Step 4 of a batch, *Execute*, inside the sandbox: ``python -m grader.sandbox.executor [limits]``.

Reads the job's prepared notebook (nbformat-4 JSON) from stdin, executes it with nbclient on a
``python3`` kernel of this interpreter (the notebook's own kernelspec is ignored), and writes one
JSON object on one line to stdout::

    {"protocol": 1,
     "status": "executed" | "failed",
     "reason": "<one line, empty when nothing happened>",
     "notes": ["<one line>", ...],
     "notebook": "<the executed notebook, nbformat-4 JSON text>" | null,
     "cpu_seconds": <CPU seconds of the kernel and everything it started>,
     "cells_executed": <code cells run>, "cells_total": <code cells>}

``"executed"``: every code cell ran (some may have raised or been interrupted: the verdict's
business). ``"failed"``: the notebook did not run to its end (unreadable input, the kernel did not
start or died, the whole CPU budget ran out); ``notebook`` then holds what ran, the cells that did
not run having no outputs and no execution count. The exit status is 0 for ``"executed"``, 2 for
unreadable input or options, 3 for any other ``"failed"``.

Isolation from the kernel (same uid): stdin is read to its end before the kernel starts, stdout is
kept on a private (close-on-exec) descriptor and fds 0-2 point at /dev/null, the process is made
non-dumpable (so ``/proc/<pid>/mem`` and ``/proc/<pid>/fd`` are closed to the kernel), and the
kernel's own stdio is /dev/null. Nothing of the kernel reaches stdout except through the
messages nbclient receives.

Limits: a watchdog thread interrupts (SIGINT) a cell over its CPU-time budget (the CPU time of the
kernel and its children: the cgroup's ``cpuacct.usage`` when given, else ``/proc``), or over its
wall-clock backstop, and the rest of the notebook still runs; a cell that ignores the interrupt is
killed with the kernel after a grace period. Over the whole CPU budget the running cell is
interrupted and no further cell runs. Outputs are capped in bytes over the whole notebook.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import inspect
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Version of the stdout protocol.
PROTOCOL = 1
EXIT_EXECUTED = 0
EXIT_BAD_INPUT = 2
EXIT_FAILED = 3

#: MIME types of the grading outputs (seals, evidence) kept even when ordinary outputs are cut
#: (helpers.protocol.MIME_PREFIX; tests/helpers/test_protocol.py pins them equal).
GRADING_MIME_PREFIX = "application/vnd.nn-tricks."
#: Share of the output cap kept for error and grading outputs, and its largest size, in bytes.
RESERVE_FRACTION = 0.2
RESERVE_BYTES = 1_000_000
#: Longest kept error message and traceback of one error output, in characters.
ERROR_VALUE_CHARS = 4_000
TRACEBACK_CHARS = 32_000
#: Wall seconds a cell gets to stop after the interrupt before the kernel is killed.
INTERRUPT_GRACE_SECONDS = 20.0
#: How often the watchdog reads the CPU counter, in seconds.
POLL_SECONDS = 0.1

PR_SET_DUMPABLE = 4


@dataclass(frozen=True)
class ExecuteOptions:
    """Limits and settings of one execution.

    Attributes:
        cell_cpu_seconds: CPU-time budget of one cell, in CPU seconds. Defaults to 600.
        cell_wall_seconds: wall-clock backstop of one cell, in seconds. Defaults to 1800.
        cpu_seconds: CPU-time budget of the whole notebook, in CPU seconds. Defaults to 1800.
        output_bytes: cap on all outputs of the notebook, in bytes. Defaults to 5_000_000.
        kernel_cwd: the kernel's working directory. Defaults to the current one.
        cpu_counter: a file holding the sandbox's CPU time in nanoseconds (cgroup
            ``cpuacct.usage``), or ``None`` to sum ``/proc``. Defaults to ``None``.
        all_processes: with ``/proc``: count every visible process (own PID namespace) instead
            of the kernel's descendants only. Defaults to False.
        startup_seconds: how long the kernel may take to start, in seconds. Defaults to 120.
    """

    cell_cpu_seconds: float = 600
    cell_wall_seconds: float = 1800
    cpu_seconds: float = 1800
    output_bytes: int = 5_000_000
    kernel_cwd: str = "."
    cpu_counter: str | None = None
    all_processes: bool = False
    startup_seconds: float = 120


@dataclass
class Report:
    """What one execution gives back (the stdout object, see the module docstring)."""

    status: str = "executed"
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    notebook: str | None = None
    cpu_seconds: float = 0.0
    cells_executed: int = 0
    cells_total: int = 0

    def to_json(self) -> str:
        """The one stdout line (without its newline)."""
        return json.dumps({"protocol": PROTOCOL, **self.__dict__})

    @property
    def exit_code(self) -> int:
        """0 when executed, else 3 (2 is set by :func:`main` for unreadable input)."""
        return EXIT_EXECUTED if self.status == "executed" else EXIT_FAILED

    def cut(self, line: str) -> None:
        """Record something that was cut: the first one is the reason, every one a note."""
        self.notes.append(line)
        if not self.reason:
            self.reason = line

    def fail(self, line: str) -> None:
        """The notebook did not run to its end: this line is the reason."""
        self.status = "failed"
        self.reason = line
        if line not in self.notes:
            self.notes.append(line)


# --- process isolation ----------------------------------------------------------------------------


def take_stdout() -> int:
    """Keep stdout on a private descriptor and point fds 0, 1 and 2 at /dev/null.

    Returns:
        The private descriptor (not inherited by children).
    """
    private = os.dup(1)  # non-inheritable (close-on-exec) by default
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    return private


def make_non_dumpable() -> bool:
    """``prctl(PR_SET_DUMPABLE, 0)``: no core dumps, ptrace or ``/proc/<pid>/{mem,fd}`` access
    by processes of the same uid. Returns False where it is unavailable (not Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# --- CPU time -------------------------------------------------------------------------------------


class CpuCounter:
    """CPU seconds used by the kernel and everything it started (never decreasing).

    Args:
        counter_file: cgroup ``cpuacct.usage`` (nanoseconds of the whole sandbox; this
            process's own CPU time is subtracted), or ``None`` to sum ``/proc/<pid>/stat``.
        all_processes: with ``/proc``: every process but this one (own PID namespace), else
            only the descendants of :attr:`root_pid`.
    """

    def __init__(self, counter_file: str | None, *, all_processes: bool) -> None:
        self.counter_file = counter_file
        self.all_processes = all_processes
        self.root_pid: int | None = None
        self._ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._highest = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        """The CPU seconds used so far."""
        value = self._from_file() if self.counter_file else self._from_proc()
        with self._lock:
            self._highest = max(self._highest, value)
            return self._highest

    def _from_file(self) -> float:
        try:
            total = int(Path(self.counter_file or "").read_text()) / 1e9
        except (OSError, ValueError):
            return self._from_proc()
        own = os.times()
        return max(0.0, total - own.user - own.system)

    def _from_proc(self) -> float:
        stats: dict[int, tuple[int, int]] = {}  # pid: (ppid, ticks incl. waited children)
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
            stats[int(entry.name)] = (int(fields[1]), ticks)
        me = os.getpid()
        own = os.times()
        total = own.children_user + own.children_system  # a dead kernel, reaped
        if self.all_processes:
            return total + sum(t for pid, (_, t) in stats.items() if pid != me) / self._ticks
        if self.root_pid is None:
            return total
        chosen = {self.root_pid}
        for _ in range(64):  # descendants, level by level
            more = {pid for pid, (ppid, _) in stats.items() if ppid in chosen} - chosen
            if not more:
                break
            chosen |= more
        return total + sum(stats[pid][1] for pid in chosen if pid in stats) / self._ticks


class Watchdog:
    """Interrupts the running cell over its CPU budget or wall backstop (a thread).

    Args:
        counter: CPU seconds so far (:class:`CpuCounter`).
        options: the budgets.
        interrupt: sends SIGINT to the kernel.
        kill: kills the kernel.
        grace_seconds: wall seconds between the interrupt and the kill. Defaults to
            :data:`INTERRUPT_GRACE_SECONDS`.
    """

    def __init__(
        self,
        counter: Callable[[], float],
        options: ExecuteOptions,
        interrupt: Callable[[], None],
        kill: Callable[[], None],
        *,
        grace_seconds: float = INTERRUPT_GRACE_SECONDS,
    ) -> None:
        self._counter = counter
        self._options = options
        self._interrupt = interrupt
        self._kill = kill
        self._grace = grace_seconds
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._armed = False
        self._cell_cpu = 0.0
        self._cell_wall = 0.0
        self._fired: str | None = None
        self._fired_at = 0.0
        self._resent = False
        self.killed = False
        self._thread = threading.Thread(target=self._run, name="cell-watchdog", daemon=True)

    def start(self) -> None:
        """Start watching (no cell is armed yet)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread."""
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=5)

    def arm(self) -> None:
        """A cell starts now."""
        with self._lock:
            self._cell_cpu = self._counter()
            self._cell_wall = time.monotonic()
            self._fired = None
            self._resent = False
            self.killed = False
            self._armed = True

    def disarm(self) -> str | None:
        """The cell ended. Returns why it was interrupted (``"cpu"``, ``"wall"`` or ``"budget"``)
        or ``None``."""
        with self._lock:
            self._armed = False
            return self._fired

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            with self._lock:
                if self._armed:
                    self._check()

    def _check(self) -> None:
        now = time.monotonic()
        if self._fired is None:
            cpu = self._counter()
            if cpu > self._options.cpu_seconds:
                self._fire("budget", now)
            elif cpu - self._cell_cpu > self._options.cell_cpu_seconds:
                self._fire("cpu", now)
            elif now - self._cell_wall > self._options.cell_wall_seconds:
                self._fire("wall", now)
        elif not self.killed and now - self._fired_at > self._grace:
            self.killed = True
            self._kill()
        elif not self._resent and now - self._fired_at > self._grace / 4:
            self._resent = True
            self._interrupt()

    def _fire(self, why: str, now: float) -> None:
        self._fired = why
        self._fired_at = now
        self._interrupt()


# --- outputs --------------------------------------------------------------------------------------


class OutputCap:
    """Byte budget of all outputs of a notebook.

    Ordinary outputs may use the cap minus a reserve; error outputs (shortened) and the grading
    outputs (seals, evidence) may use the whole cap, so that a cell that prints too much does not
    hide later cells' errors and seals. Past the budget, outputs are dropped and one stream
    output says so.

    Args:
        limit: the cap, in bytes.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.ordinary_limit = limit - min(int(limit * RESERVE_FRACTION), RESERVE_BYTES)
        self.used = 0
        self.truncated_at: int | None = None  # index of the cell where outputs were first cut

    @property
    def marker_text(self) -> str:
        """The text of the stream output that replaces what was dropped."""
        return f"[output truncated: the notebook printed more than {self.limit} bytes]\n"

    def admit(self, outs: list[Any], out: Any, cell_index: int) -> bool:
        """Keep (possibly shortened) or drop ``out``, the last item of ``outs``.

        Returns:
            Whether it was kept.
        """
        priority = _is_priority(out)
        if out.get("output_type") == "error":
            _shorten_error(out)
        size = _size(out)
        limit = self.limit if priority else self.ordinary_limit
        if self.used + size <= limit:
            self.used += size
            return True
        kept = False
        if out.get("output_type") == "stream" and self.truncated_at is None:
            room = limit - self.used - 64
            text = out.get("text", "")
            prefix = text.encode()[: max(0, room)].decode(errors="ignore")
            if prefix:
                out["text"] = prefix
                self.used += _size(out)
                kept = True
        if not kept:
            outs.pop()
        if self.truncated_at is None:
            self.truncated_at = cell_index
            outs.append(_new_output("stream", name="stdout", text=self.marker_text))
        return kept

    def admit_update(self, msg: dict[str, Any], copies: int = 1) -> bool:
        """Whether an update of a display id may replace the data of its ``copies`` outputs."""
        size = len(json.dumps(msg.get("content", {}).get("data", {}))) * max(1, copies)
        if self.used + size <= self.ordinary_limit:
            self.used += size
            return True
        return False


def _is_priority(out: Any) -> bool:
    kind = out.get("output_type")
    if kind == "error":
        return True
    data = out.get("data") or {}
    return (
        kind in ("display_data", "execute_result")
        and bool(data)
        and all(key.startswith(GRADING_MIME_PREFIX) for key in data)
    )


def _shorten_error(out: Any) -> None:
    out["ename"] = str(out.get("ename", ""))[:200]
    out["evalue"] = str(out.get("evalue", ""))[:ERROR_VALUE_CHARS]
    lines = [str(line) for line in out.get("traceback", [])]
    if sum(len(line) for line in lines) > TRACEBACK_CHARS:
        kept: list[str] = []
        total = 0
        for line in reversed(lines):
            line = line[: TRACEBACK_CHARS // 4]
            if total + len(line) > TRACEBACK_CHARS:
                break
            kept.insert(0, line)
            total += len(line)
        lines = ["[traceback shortened]", *kept]
    out["traceback"] = lines


def _size(out: Any) -> int:
    return len(json.dumps(out, ensure_ascii=False).encode())


def _new_output(kind: str, **fields: Any) -> Any:
    from nbformat.v4 import new_output

    return new_output(kind, **fields)


# --- execution ------------------------------------------------------------------------------------


def _client_classes() -> tuple[type, type]:
    """The kernel manager and notebook client classes (imported here: nbclient is heavy)."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    class FixedKernelManager(AsyncKernelManager):
        """A python3 kernel of this interpreter, whatever the notebook's kernelspec says."""

        @property
        def kernel_spec(self) -> KernelSpec:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[
                        sys.executable,
                        "-s",
                        "-m",
                        "ipykernel_launcher",
                        "-f",
                        "{connection_file}",
                    ],
                    display_name="Python 3",
                    language="python",
                    metadata={},
                )
            return self._kernel_spec

    class CappedClient(NotebookClient):
        """nbclient with the output cap; widget (comm) messages are ignored."""

        def __init__(self, nb: Any, *, cap: OutputCap, **kw: Any) -> None:
            super().__init__(nb, **kw)
            self.cap = cap

        def output(
            self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int
        ) -> Any:
            out = super().output(outs, msg, display_id, cell_index)
            if out is None or not outs or outs[-1] is not out:
                return out
            if self.cap.admit(outs, out, cell_index):
                return out
            if display_id:  # its index was recorded before it was dropped
                indices = self._display_id_map.get(display_id, {}).get(cell_index, [])
                if indices:
                    indices.pop()
            return None

        def _update_display_id(self, display_id: str, msg: dict[str, Any]) -> None:
            places = self._display_id_map.get(display_id)
            if not places:
                return
            copies = sum(len(indices) for indices in places.values())
            if self.cap.admit_update(msg, copies):
                try:
                    super()._update_display_id(display_id, msg)
                except (IndexError, KeyError, TypeError):
                    pass

        def handle_comm_msg(self, outs: list[Any], msg: dict[str, Any], cell_index: int) -> None:
            return None

    return FixedKernelManager, CappedClient


def _cell_name(cell: Any, index: int) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"cell {index + 1} ({grade_id})" if grade_id else f"cell {index + 1}"


def _interruption(why: str, options: ExecuteOptions) -> str:
    if why == "cpu":
        return f"over its CPU budget of {options.cell_cpu_seconds:g} s"
    if why == "wall":
        return f"over its wall-clock limit of {options.cell_wall_seconds:g} s"
    return f"the notebook is over its CPU budget of {options.cpu_seconds:g} s"


def _signal_pgid(pgid: int | None, signum: int) -> None:
    if pgid is None:
        return
    try:
        os.killpg(pgid, signum)
    except OSError:
        pass


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _is_code(cell: Any) -> bool:
    return cell.get("cell_type") == "code" and bool(str(cell.get("source", "")).strip())


async def _execute(nb: Any, options: ExecuteOptions, report: Report) -> None:
    """Run every code cell of ``nb`` (changed in place), recording what happened in ``report``."""
    from nbclient.exceptions import DeadKernelError

    manager_class, client_class = _client_classes()
    cap = OutputCap(options.output_bytes)
    client = client_class(
        nb,
        cap=cap,
        kernel_manager_class=manager_class,
        kernel_name="python3",
        allow_errors=True,
        timeout=None,
        startup_timeout=int(options.startup_seconds),
        shutdown_kernel="immediate",
        store_widget_state=False,
        record_timing=False,
        interrupt_on_timeout=False,
        raise_on_iopub_timeout=False,
    )
    counter = CpuCounter(options.cpu_counter, all_processes=options.all_processes)
    cells = list(nb.cells)
    report.cells_total = sum(1 for cell in cells if _is_code(cell))
    pgid: dict[str, int | None] = {"kernel": None}
    watchdog = Watchdog(
        counter,
        options,
        interrupt=lambda: _signal_pgid(pgid["kernel"], signal.SIGINT),
        kill=lambda: _signal_pgid(pgid["kernel"], signal.SIGKILL),
    )
    stopped = False
    try:
        setup = client.async_setup_kernel(
            cwd=options.kernel_cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await setup.__aenter__()
        except Exception as exc:  # the kernel did not start
            report.fail(f"the kernel did not start: {_one_line(exc)}")
            _mark_unexecuted(cells, 0)
            return
        try:
            process = getattr(client.km.provisioner, "process", None)
            if process is not None:
                pgid["kernel"] = getattr(client.km.provisioner, "pgid", None) or process.pid
                counter.root_pid = process.pid
                _raise_oom_score(process.pid)
            info = await client.async_wait_for_reply(await _maybe_await(client.kc.kernel_info()))
            if info is not None and "language_info" in info.get("content", {}):
                nb.metadata["language_info"] = info["content"]["language_info"]
            watchdog.start()
            for index, cell in enumerate(cells):
                if not _is_code(cell):
                    continue
                if stopped:
                    _mark_unexecuted(cells, index)
                    break
                watchdog.arm()
                died: BaseException | None = None
                try:
                    await client.async_execute_cell(
                        cell, index, execution_count=client.code_cells_executed + 1
                    )
                except DeadKernelError as exc:
                    died = exc
                finally:
                    why = watchdog.disarm()
                report.cells_executed += 1
                name = _cell_name(cell, index)
                if why is not None:
                    text = f"cell interrupted: {_interruption(why, options)}"
                    cell.outputs.append(
                        _new_output("error", ename="CellInterrupted", evalue=text, traceback=[text])
                    )
                if died is not None:
                    detail = _kernel_exit(process)
                    if why is not None and watchdog.killed:
                        line = (
                            f"{name} interrupted: {_interruption(why, options)}; it ignored "
                            f"the interrupt and the kernel was killed"
                        )
                    else:
                        line = f"the kernel died while running {name}{detail}"
                    cell.outputs.append(
                        _new_output("error", ename="DeadKernelError", evalue=line, traceback=[line])
                    )
                    report.fail(line)
                    _mark_unexecuted(cells, index + 1)
                    break
                if why == "budget":
                    report.fail(
                        f"{name} interrupted: {_interruption(why, options)}; the cells "
                        f"after it did not run"
                    )
                    stopped = True
                elif why is not None:
                    report.cut(f"{name} interrupted: {_interruption(why, options)}")
        finally:
            watchdog.stop()
            report.cpu_seconds = round(counter(), 3)
            try:
                await setup.__aexit__(None, None, None)
            except Exception:  # a dead or stuck kernel: it is killed with the sandbox anyway
                pass
    finally:
        if cap.truncated_at is not None:
            line = (
                f"output truncated from {_cell_name(cells[cap.truncated_at], cap.truncated_at)}"
                f" on: the notebook printed more than {options.output_bytes} bytes"
            )
            if report.status == "executed":
                report.cut(line)
            else:
                report.notes.append(line)


def _mark_unexecuted(cells: Sequence[Any], start: int) -> None:
    for cell in cells[start:]:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None


def _kernel_exit(process: Any) -> str:
    try:
        code = process.poll() if process is not None else None
    except OSError:
        code = None
    if code is None:
        return ""
    return f" (exit signal {-code})" if code < 0 else f" (exit status {code})"


def _raise_oom_score(pid: int) -> None:
    """Make the kernel the OOM killer's first choice in the sandbox (raising needs no right)."""
    try:
        Path(f"/proc/{pid}/oom_score_adj").write_text("1000")
    except OSError:
        pass


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text[:300]


def execute_notebook(data: bytes, options: ExecuteOptions) -> Report:
    """Execute the notebook given as JSON bytes; never raises.

    Args:
        data: the prepared notebook (nbformat-4 JSON, UTF-8).
        options: limits and settings.

    Returns:
        The report; ``notebook`` is ``None`` only when the input could not be read.
    """
    import nbformat

    report = Report()
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as exc:  # anything unreadable is the job's problem, reported in one line
        report.fail(f"unreadable notebook: {_one_line(exc)}")
        return report
    try:
        asyncio.run(_execute(nb, options, report))
    except Exception as exc:
        report.fail(f"the executor failed: {_one_line(exc)}")
    try:
        report.notebook = nbformat.writes(nb)
    except Exception as exc:
        report.fail(f"the executed notebook could not be written: {_one_line(exc)}")
    return report


def parse_options(argv: Sequence[str] | None = None) -> ExecuteOptions:
    """The options of ``python -m grader.sandbox.executor`` (see :class:`ExecuteOptions`).

    Raises:
        SystemExit: with status 2 on bad options (argparse's message on stderr).
    """
    parser = argparse.ArgumentParser(
        prog="python -m grader.sandbox.executor",
        description="Execute the notebook on stdin (see docstring).",
    )
    parser.add_argument("--cell-cpu-seconds", type=float, default=600)
    parser.add_argument("--cell-wall-seconds", type=float, default=1800)
    parser.add_argument("--cpu-seconds", type=float, default=1800)
    parser.add_argument("--output-bytes", type=int, default=5_000_000)
    parser.add_argument("--kernel-cwd", default=".")
    parser.add_argument("--cpu-counter", default=None)
    parser.add_argument("--all-processes", action="store_true")
    parser.add_argument("--startup-seconds", type=float, default=120)
    args = parser.parse_args(argv)
    for name in (
        "cell_cpu_seconds",
        "cell_wall_seconds",
        "cpu_seconds",
        "output_bytes",
        "startup_seconds",
    ):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    return ExecuteOptions(**vars(args))


def main(argv: Sequence[str] | None = None) -> int:
    """Read the notebook on stdin, execute it, write the report line on stdout."""
    options = parse_options(argv)
    data = sys.stdin.buffer.read()
    private = take_stdout()
    notes = [] if make_non_dumpable() else ["the executor could not be made non-dumpable"]
    report = execute_notebook(data, options)
    report.notes[:0] = notes
    write_all(private, (report.to_json() + "\n").encode())
    os.close(private)
    if report.notebook is None:
        return EXIT_BAD_INPUT
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
