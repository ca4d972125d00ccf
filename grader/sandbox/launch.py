"""Start one sandbox's process tree and supervise it: stdin in, stdout out, backstops enforced.

The process is started through a small launcher program (:data:`LAUNCHER`, run as
``python -I -S -c``) that joins the job's cgroups, sets the rlimits, drops to the sandbox uid and
then execs bwrap (or the executor): a separate program instead of a ``preexec_fn``, which is
unsafe in a process with threads (the runners run jobs in threads).
"""

from __future__ import annotations

import io
import os
import resource
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import IO, cast

from grader.sandbox.cgroups import Cgroups

#: Largest stderr kept from a sandbox, in bytes.
STDERR_BYTES = 64 * 1024
#: How often the supervisor checks the backstops, in seconds.
POLL_SECONDS = 0.2

#: The launcher: argv[1] is a JSON object {cgroups, rlimits, uid, gid, argv, env}.
LAUNCHER = """
import json, os, resource, sys
spec = json.loads(sys.argv[1])
try:
    for path in spec["cgroups"]:
        with open(path, "w") as handle:
            handle.write(str(os.getpid()))
    for res, soft, hard in spec["rlimits"]:
        old_soft, old_hard = resource.getrlimit(res)
        if old_hard != resource.RLIM_INFINITY:
            hard = min(hard, old_hard)
        resource.setrlimit(res, (min(soft, hard), hard))
    if spec["uid"] is not None:
        os.setgroups([])
        os.setresgid(spec["gid"], spec["gid"], spec["gid"])
        os.setresuid(spec["uid"], spec["uid"], spec["uid"])
    os.execve(spec["argv"][0], spec["argv"], spec["env"])
except OSError as exc:
    sys.stderr.write("sandbox launcher: %s\\n" % exc)
    sys.exit(126)
"""


@dataclass(frozen=True)
class Supervised:
    """What :func:`supervise` saw: exit status (negative: signal), stdout, stderr tail, wall
    time (s), CPU time of the waited process tree (CPU s), and why it killed the tree
    (``"wall"``, ``"cpu"`` or ``""``)."""

    returncode: int
    stdout: bytes
    stderr: str
    wall_seconds: float
    cpu_seconds: float
    killed: str


def supervise(
    argv: list[str],
    *,
    stdin: bytes,
    cgroups: Cgroups,
    cpu_seconds: float,
    wall_seconds: float,
    cwd: str,
    stdout_bytes: int,
) -> Supervised:
    """Run ``argv`` (the launcher) with ``stdin`` fed and stdout/stderr collected, until it ends.

    Args:
        argv: the command (an empty environment; the launcher sets the sandbox's own).
        stdin: all of the process's stdin (then closed).
        cgroups: the job's cgroups: their CPU counter is watched, their processes killed at the
            end.
        cpu_seconds: CPU seconds of the whole cgroup beyond which the tree is killed.
        wall_seconds: wall seconds beyond which the tree is killed.
        cwd: the working directory.
        stdout_bytes: most stdout kept, in bytes (the rest is read and dropped).
    """
    start = time.monotonic()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        cwd=cwd,
        env={},
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    threads = [
        threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True),
        threading.Thread(target=_drain, args=(proc.stdout, out_chunks, stdout_bytes), daemon=True),
        threading.Thread(
            target=_drain, args=(proc.stderr, err_chunks, STDERR_BYTES, True), daemon=True
        ),
    ]
    for thread in threads:
        thread.start()
    killed = ""
    status, usage = _wait4(proc.pid, block=False)
    while status is None:
        if time.monotonic() - start > wall_seconds:
            killed = "wall"
        else:
            used = cgroups.cpu_seconds()
            if used is not None and used > cpu_seconds:
                killed = "cpu"
        if killed:
            _kill_group(proc.pid)
            cgroups.kill_all()
            status, usage = _wait4(proc.pid, block=True)
            break
        time.sleep(POLL_SECONDS)
        status, usage = _wait4(proc.pid, block=False)
    assert status is not None
    proc.returncode = os.waitstatus_to_exitcode(status)
    _kill_group(proc.pid)  # anything of the launcher's session outside bwrap (no-bwrap mode)
    cgroups.kill_all()
    for thread in threads[1:]:
        thread.join(timeout=30)
    cpu = usage.ru_utime + usage.ru_stime if usage is not None else 0.0
    return Supervised(
        proc.returncode,
        b"".join(out_chunks),
        b"".join(err_chunks).decode(errors="replace"),
        time.monotonic() - start,
        cpu,
        killed,
    )


def _wait4(pid: int, *, block: bool) -> tuple[int | None, resource.struct_rusage | None]:
    """``os.wait4`` of this one child: its status and the rusage of its whole waited tree."""
    try:
        got, status, usage = os.wait4(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return 0, None
    return (status, usage) if got == pid else (None, None)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
    except (BrokenPipeError, OSError):
        pass
    finally:
        try:
            pipe.close()
        except OSError:
            pass


def _drain(pipe: IO[bytes], chunks: list[bytes], limit: int, keep_tail: bool = False) -> None:
    """Read ``pipe`` to its end, keeping at most ``limit`` bytes (the first, or the last)."""
    kept = 0
    while True:
        chunk = cast(io.BufferedReader, pipe).read1(65536)  # Popen pipes are buffered readers
        if not chunk:
            break
        if keep_tail:
            chunks.append(chunk)
            kept += len(chunk)
            while kept - len(chunks[0]) >= limit:
                kept -= len(chunks.pop(0))
        elif kept < limit:
            chunks.append(chunk[: limit - kept])
            kept += len(chunks[-1])
    pipe.close()
