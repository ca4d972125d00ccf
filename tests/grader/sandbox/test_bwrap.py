"""The sandbox of one submission (grader.sandbox.bwrap): its command line, and what a hostile
notebook cannot do inside it (each run is a real bubblewrap sandbox; skipped when bubblewrap is
unusable).
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from grader.run.jobs import GradeResult, Limits
from grader.run.worker import execute_job
from grader.sandbox import bwrap as sandbox
from grader.sandbox.cgroups import Cgroups
from tests.grader.sandbox_jobs import (
    REPO_ROOT,
    code_cells,
    describe,
    errors_of,
    make_job,
    needs_bwrap,
    processes_with,
    text_of,
)

SECRET_VARIABLE = "NN_TRICKS_TEST_SECRET"


# --- the command line (pure) ----------------------------------------------------------------------


def _spec(tmp_path: Path, mode: sandbox.BwrapMode = "privileged") -> sandbox.SandboxSpec:
    env = sandbox.sandbox_env({"OMP_NUM_THREADS": "1"}, python_bin=str(Path(sys.executable).parent))
    return sandbox.SandboxSpec(
        scratch=str(tmp_path / "scratch"),
        etc_dir=str(tmp_path / "etc"),
        packages_dir=str(tmp_path / "packages"),
        interpreter_roots=sandbox.interpreter_roots(),
        env=tuple(sorted(env.items())),
        mode=mode,
        data_dir=str(tmp_path / "data"),
        cpu_counter=str(tmp_path / "cpuacct.usage"),
    )


def mount_sources(argv: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    """``(option, source, destination)`` of every bind mount in a bwrap command line."""
    options = {"--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try"}
    index = 0
    while index < len(argv):
        if argv[index] == "--":
            return
        if argv[index] in options:
            yield argv[index], argv[index + 1], argv[index + 2]
            index += 3
        else:
            index += 1


def _command() -> list[str]:
    return sandbox.executor_command(sys.executable, Limits())


@pytest.mark.parametrize("mode", ["privileged", "userns"])
def test_the_course_root_is_never_mounted(tmp_path: Path, mode: sandbox.BwrapMode) -> None:
    argv = sandbox.build_bwrap_argv(_spec(tmp_path, mode), _command())
    mounts = list(mount_sources(argv))
    sources = [source for _, source, _ in mounts]
    repo = str(REPO_ROOT)
    assert repo not in sources
    for source in sources:  # only the venv inside the repository, nothing else of it
        if source.startswith(repo + "/"):
            assert source == str(Path(sys.prefix).resolve()), source
    for name in ("solutions", "submitted", "autograded", "helpers", "grader", "gradebook.db"):
        assert not any(s.startswith(f"{repo}/{name}") for s in sources)
    writable = [(source, dest) for option, source, dest in mounts if option == "--bind"]
    assert writable == [(str(tmp_path / "scratch"), sandbox.SANDBOX_SCRATCH)]


def test_the_interpreter_is_mounted_read_only_at_its_own_paths(tmp_path: Path) -> None:
    argv = sandbox.build_bwrap_argv(_spec(tmp_path), _command())
    ro = {source: dest for option, source, dest in mount_sources(argv) if option == "--ro-bind"}
    prefix = str(Path(sys.prefix).resolve())
    assert ro[prefix] == prefix
    base = str(Path(sys.base_prefix).resolve())
    if not base.startswith("/usr"):
        assert ro[base] == base
    assert ro[str(tmp_path / "packages")] == sandbox.SANDBOX_PACKAGES
    assert ro[str(tmp_path / "data")] == sandbox.SANDBOX_DATA
    assert "/usr" in ro


def test_interpreter_roots_cover_prefixes_without_system_or_nested_dirs() -> None:
    roots = sandbox.interpreter_roots(
        prefix="/course/.venv",
        base_prefix="/opt/py/3.11",
        executable="/usr/bin/python3",
        paths={
            "stdlib": "/opt/py/3.11/lib/python3.11",
            "purelib": "/course/.venv/lib/python3.11/site-packages",
            "platlib": "/usr/lib/python3/dist-packages",
        },
    )
    assert roots == ("/course/.venv", "/opt/py/3.11")


@pytest.mark.parametrize("mode", ["privileged", "userns"])
def test_namespaces_privileges_and_a_clear_environment(
    tmp_path: Path, mode: sandbox.BwrapMode
) -> None:
    argv = sandbox.build_bwrap_argv(_spec(tmp_path, mode), _command())
    head = argv[: argv.index("--")]
    for flag in (
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--proc",
        "--dev",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
    ):
        assert flag in head or (flag.startswith("--unshare-") and "--unshare-all" in head), flag
    assert head[head.index("--cap-drop") + 1] == "ALL"
    if mode == "userns":
        assert "--unshare-all" in head and "--disable-userns" in head
    else:  # as root: every namespace but the user one, then setpriv drops uid and all caps
        tail = argv[argv.index("--") + 1 :]
        assert Path(tail[0]).name == "setpriv"
        assert "--bounding-set=-all" in tail and "--inh-caps=-all" in tail
        assert any(arg.startswith("--reuid=") and arg != "--reuid=0" for arg in tail)
    assert head.index("--clearenv") < head.index("--setenv")
    assert head.index("--remount-ro") > max(i for i, a in enumerate(head) if a == "--ro-bind")


def test_the_environment_is_an_allowlist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SECRET_VARIABLE, "hunter2")
    argv = sandbox.build_bwrap_argv(_spec(tmp_path), _command())
    head = argv[: argv.index("--")]
    names = [head[i + 1] for i, arg in enumerate(head) if arg == "--setenv"]
    assert SECRET_VARIABLE not in names and "hunter2" not in argv
    assert set(names) == {
        "HOME",
        "PATH",
        "PYTHONPATH",
        "LANG",
        "MPLBACKEND",
        "TMPDIR",
        "PYTHONDONTWRITEBYTECODE",
        "MNIST_DATA_DIR",
        "NN_TRICKS_GRADING",
        "OMP_NUM_THREADS",
    }
    values = {head[i + 1]: head[i + 2] for i, arg in enumerate(head) if arg == "--setenv"}
    assert values["HOME"] == "/scratch" and values["PYTHONPATH"] == "/opt/nn-tricks"
    assert values["MNIST_DATA_DIR"] == "/data" and values["NN_TRICKS_GRADING"] == "1"
    assert values["PATH"].endswith(":/usr/bin:/bin")


@pytest.mark.parametrize("name", ["PYTHONPATH", "HOME", "MNIST_DATA_DIR", "NN_TRICKS_GRADING"])
def test_a_job_may_not_set_the_fixed_variables(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        sandbox.sandbox_env({name: "x"}, python_bin="/bin")


def test_rlimits_leave_the_address_space_alone() -> None:
    limits = Limits(memory_mb=2048, cpu_seconds=100, file_bytes=10_000, processes=32)
    got = {res: (soft, hard) for res, soft, hard in sandbox.resource_limits(limits)}
    assert resource.RLIMIT_AS not in got  # TensorFlow reserves far more than it uses
    assert got[resource.RLIMIT_DATA] == (2048 << 20, 2048 << 20)
    assert got[resource.RLIMIT_CORE] == (0, 0)
    assert got[resource.RLIMIT_FSIZE] == (10_000, 10_000)
    assert got[resource.RLIMIT_CPU][0] >= 100
    assert got[resource.RLIMIT_NPROC][0] == 32 + sandbox.PROCESS_OVERHEAD


def test_missing_bubblewrap_is_reported_and_require_refuses(tmp_path: Path) -> None:
    probe = sandbox._probe(None, "/usr/bin/setpriv", os.geteuid())
    assert not probe.usable and probe.reason == sandbox.MISSING_REASON
    run = sandbox.run_sandboxed(
        python=sys.executable,
        stdin=b"{}",
        job_dir=tmp_path,
        packages_dir=tmp_path,
        limits=Limits(),
        env={},
        sandbox="require",
        probe=probe,
    )
    assert run.returncode is None and run.refused == sandbox.MISSING_REASON
    assert list(tmp_path.iterdir()) == []  # nothing was made, nothing ran


def test_a_bwrap_that_cannot_make_namespaces_is_unusable() -> None:
    probe = sandbox._probe("/bin/false", "/usr/bin/setpriv", os.geteuid())
    assert not probe.usable
    assert "cannot make a sandbox here" in probe.reason and "--sandbox=auto" in probe.reason


# --- what a notebook sees and may do inside (one sandbox run for several checks) ------------------


@pytest.fixture(scope="module")
def isolation() -> Iterator[dict[str, Any]]:
    """One sandboxed run whose cells probe the network, files, environment and executor."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    with (
        tempfile.TemporaryDirectory(prefix="nn-tricks-test-course-") as course,
        tempfile.TemporaryDirectory(prefix="nn-tricks-job-other-") as other,
    ):
        secret = Path(course) / "gradebook-secret.txt"
        secret.write_text("secret")
        (Path(other) / "scratch").mkdir()
        other_secret = Path(other) / "scratch" / "answers.txt"
        other_secret.write_text("someone else's")
        os.environ[SECRET_VARIABLE] = "hunter2"
        hidden = [
            str(secret),
            str(other_secret),
            str(REPO_ROOT / "pyproject.toml"),
            str(REPO_ROOT / "grader" / "batch" / "verdicts.py"),
            str(REPO_ROOT / ".git" / "HEAD"),
            str(REPO_ROOT / "helpers" / "__init__.py"),
            "/root/.bash_history",
            "/etc/shadow",
            "/work/shared/secret-nowhere",
        ]
        cells = [
            # 1 network
            f"import socket\n"
            f"for address in [('127.0.0.1', {port}), ('1.1.1.1', 53)]:\n"
            f"    try:\n"
            f"        socket.create_connection(address, timeout=5)\n"
            f"        print('CONNECTED', address)\n"
            f"    except OSError as exc:\n"
            f"        print('blocked', type(exc).__name__)\n",
            # 2 reading outside
            f"import os\n"
            f"for path in {hidden!r}:\n"
            f"    try:\n"
            f"        open(path).read()\n"
            f"        print('READ', path)\n"
            f"    except OSError as exc:\n"
            f"        print('hidden', type(exc).__name__)\n"
            f"print('LIST', sorted(os.listdir({str(REPO_ROOT)!r})), sorted(os.listdir('/tmp')))\n",
            # 3 writing outside
            "import os\n"
            "targets = ['/work/main/.venv/evil', '/opt/nn-tricks/helpers/evil.py',\n"
            "           '/opt/nn-tricks/helpers/__init__.py', '/data/evil', '/usr/evil',\n"
            "           '/evil', '/etc/passwd', " + repr(str(Path(sys.prefix) / "evil")) + "]\n"
            "for path in targets:\n"
            "    try:\n"
            "        with open(path, 'a') as f:\n"
            "            f.write('x')\n"
            "        print('WROTE', path)\n"
            "    except OSError as exc:\n"
            "        print('denied', type(exc).__name__)\n"
            "open('/scratch/ok.txt', 'w').write('ok')\n"
            "open('/tmp/ok.txt', 'w').write('ok')\n"
            "print('scratch and tmp writable')\n",
            # 4 environment and identity
            "import json, os\n"
            "caps = [s for s in open('/proc/self/status') if s.startswith('CapEff')][0]\n"
            "print(json.dumps({'env': dict(os.environ), 'uid': os.getuid(), 'euid': os.geteuid(),\n"
            "                  'caps': caps}))\n",
            # 5 the executor's memory and descriptors
            "import os\n"
            "ppid = os.getppid()\n"
            "for what in ['mem', 'fd', 'environ']:\n"
            "    try:\n"
            "        path = f'/proc/{ppid}/{what}'\n"
            "        os.listdir(path) if what == 'fd' else open(path, 'rb').read(10)\n"
            "        print('OPENED', what)\n"
            "    except OSError as exc:\n"
            "        print('closed', what, type(exc).__name__)\n",
            # 6 disk fill
            "import errno\n"
            "written = 0\n"
            "chunk = b'x' * (1 << 20)\n"
            "try:\n"
            "    with open('/scratch/big', 'wb') as f:\n"
            "        for _ in range(1024):\n"
            "            f.write(chunk)\n"
            "            f.flush()\n"
            "            written += len(chunk)\n"
            "    print('WROTE 1 GB')\n"
            "except OSError as exc:\n"
            "    print('stopped', errno.errorcode.get(exc.errno), written)\n",
            # 7 helpers comes from the read-only copy, not through the editable install
            "import helpers, helpers.grading\nprint(helpers.__file__, helpers.grading.__file__)",
            "print('the end')",
        ]
        job = make_job(*cells, limits=Limits(file_bytes=20 << 20))
        try:
            result = execute_job(job)
        finally:
            del os.environ[SECRET_VARIABLE]
        try:
            connection, _ = listener.accept()
            connection.close()
            accepted = True
        except OSError:
            accepted = False
        listener.close()
        yield {
            "result": result,
            "cells": code_cells(result.notebook) if result.notebook else [],
            "accepted": accepted,
        }


def _cell(isolation: dict[str, Any], number: int) -> str:
    result: GradeResult = isolation["result"]
    assert result.status == "executed", describe(result, isolation["cells"])
    cell = isolation["cells"][number - 1]
    assert not errors_of(cell), describe(result, isolation["cells"])
    return text_of(cell)


@needs_bwrap
def test_no_network_and_the_listener_gets_no_connection(isolation: dict[str, Any]) -> None:
    text = _cell(isolation, 1)
    assert "CONNECTED" not in text and text.count("blocked") == 2
    assert not isolation["accepted"]


@needs_bwrap
def test_files_outside_the_sandbox_are_invisible(isolation: dict[str, Any]) -> None:
    text = _cell(isolation, 2)
    assert "READ" not in text and text.count("hidden") == 9
    listing = next(line for line in text.splitlines() if line.startswith("LIST"))
    assert listing.startswith("LIST ['.venv'] [")  # of the repository only the venv
    host_tmp = set(os.listdir(tempfile.gettempdir()))
    # a checkout under /tmp (a CI clone) puts the skeleton of its venv's path into the sandbox's
    # /tmp: that folder holds only the read-only venv mount, nothing of the host's /tmp
    tmp = Path(tempfile.gettempdir())
    skeletons = (
        {Path(sys.prefix).relative_to(tmp).parts[0]} if tmp in Path(sys.prefix).parents else set()
    )
    seen = set(eval(listing.split("] ", 1)[1])) - skeletons
    assert "nn-tricks-" not in listing and not host_tmp & seen


@needs_bwrap
def test_writing_outside_scratch_fails_and_the_packages_are_read_only(
    isolation: dict[str, Any],
) -> None:
    text = _cell(isolation, 3)
    assert "WROTE" not in text and text.count("denied") == 8
    assert "scratch and tmp writable" in text
    assert not (Path(sys.prefix) / "evil").exists()


@needs_bwrap
def test_the_kernel_gets_only_the_allowlisted_environment(isolation: dict[str, Any]) -> None:
    seen = json.loads(_cell(isolation, 4))
    env = seen["env"]
    assert SECRET_VARIABLE not in env and "hunter2" not in json.dumps(env)
    assert env["HOME"] == "/scratch" and env["NN_TRICKS_GRADING"] == "1"
    assert env["PYTHONPATH"] == "/opt/nn-tricks" and env["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert env.get("MNIST_DATA_DIR") in (None, "/data")
    assert seen["uid"] != 0 and seen["euid"] != 0
    assert seen["caps"].split()[1] == "0000000000000000"


@needs_bwrap
def test_the_kernel_cannot_read_the_executor(isolation: dict[str, Any]) -> None:
    text = _cell(isolation, 5)
    assert "OPENED" not in text and text.count("closed") == 3


@needs_bwrap
def test_a_disk_fill_stops_at_the_file_size_limit(isolation: dict[str, Any]) -> None:
    text = _cell(isolation, 6)
    assert "WROTE 1 GB" not in text
    assert text.startswith("stopped EFBIG") and int(text.split()[-1]) <= 20 << 20
    assert _cell(isolation, 8).strip() == "the end"


@needs_bwrap
def test_helpers_come_from_the_read_only_copy(isolation: dict[str, Any]) -> None:
    assert _cell(isolation, 7).split() == [
        "/opt/nn-tricks/helpers/__init__.py",
        "/opt/nn-tricks/helpers/grading/__init__.py",
    ]


# --- processes ------------------------------------------------------------------------------------


@needs_bwrap
def test_new_sessions_and_double_forks_do_not_survive_the_job() -> None:
    marker = f"nn-tricks-survivor-{uuid.uuid4().hex}"
    result = execute_job(
        make_job(
            "import os, subprocess, sys\n"
            "code = 'import time; time.sleep(1000)'\n"
            f"p = subprocess.Popen([sys.executable, '-c', code, '{marker}'],\n"
            "                     start_new_session=True)\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            f"        os.execv(sys.executable, [sys.executable, '-c', code, '{marker}-double'])\n"
            "    os._exit(0)\n"
            "os.waitpid(pid, 0)\n"
            "print('started', p.pid)",
            "import os, time\n"
            "time.sleep(1)\n"
            f"alive = [d for d in os.listdir('/proc') if d.isdigit() and "
            f"b'{marker}' in open(f'/proc/{{d}}/cmdline', 'rb').read()]\n"
            "print('alive', len(alive))",
        )
    )
    cells = code_cells(result.notebook)
    assert result.status == "executed", describe(result, cells)
    assert text_of(cells[0]).startswith("started")
    assert text_of(cells[1]).strip() == "alive 2"  # both ran during the job ...
    assert processes_with(marker) == []  # ... and none outlived it


@needs_bwrap
def test_a_fork_bomb_stops_at_the_process_limit() -> None:
    marker = f"nn-tricks-bomb-{uuid.uuid4().hex}"
    result = execute_job(
        make_job(
            "import os, subprocess\n"
            "started = []\n"
            "try:\n"
            "    for _ in range(2000):\n"
            f"        env = {{'M': '{marker}'}}\n"
            "        started.append(subprocess.Popen(['sleep', '1000'], env=env))\n"
            "    print('started all', len(started))\n"
            "except OSError as exc:\n"
            "    print('stopped at', len(started), type(exc).__name__)",
            "print('still alive')",
            limits=Limits(processes=64),
        )
    )
    cells = code_cells(result.notebook)
    assert result.status == "executed", describe(result, cells)
    text = text_of(cells[0])
    assert text.startswith("stopped at"), text
    assert int(text.split()[2]) <= 64 + sandbox.PROCESS_OVERHEAD
    assert text_of(cells[1]).strip() == "still alive"
    assert processes_with(marker) == []
    assert subprocess.run(["true"], check=False).returncode == 0  # the host can still fork


@needs_bwrap
@pytest.mark.parametrize("cell", ["os.kill(os.getppid(), 9)", "os.kill(-1, 9)"])
def test_killing_the_parent_or_everything_fails_the_job_only(cell: str) -> None:
    bystander = subprocess.Popen(["sleep", "120"])
    try:
        result = execute_job(make_job(f"import os, time\n{cell}\ntime.sleep(5)", "print(2)"))
        assert result.status == "failed" and result.reason, describe(result)
        assert "killed by signal 9" in result.reason or "kernel died" in result.reason
        assert bystander.poll() is None  # nothing outside the sandbox was hit
    finally:
        bystander.kill()
        bystander.wait()


# --- memory, CPU, output --------------------------------------------------------------------------


def _memory_cgroup() -> bool:
    with Cgroups(1 << 30, 100) as cgroups:
        return "memory" in cgroups.dirs


@needs_bwrap
def test_memory_far_above_the_limit_fails_and_the_job_returns() -> None:
    children = (
        "import subprocess, sys\n"
        "code = 'b = b\"x\" * (700 << 20); import time; time.sleep(2)'\n"
        "ps = [subprocess.Popen([sys.executable, '-c', code]) for _ in range(2)]\n"
        "print('exit', sorted(p.wait() for p in ps))"
    )
    result = execute_job(
        make_job("b = b'x' * (3 << 30)", children, "print('after')", limits=Limits(memory_mb=1024))
    )
    cells = code_cells(result.notebook)
    assert result.status == "executed", describe(result, cells)
    assert [name for name, _ in errors_of(cells[0])] == ["MemoryError"]
    if _memory_cgroup():  # two processes under RLIMIT_DATA each, together over the cgroup
        assert text_of(cells[1]).strip() == "exit [-9, 0]"
        assert any("over the memory limit of 1024 MiB" in note for note in result.notes)
    assert text_of(cells[2]).strip() == "after"


@needs_bwrap
def test_a_cell_over_its_cpu_budget_is_interrupted_and_the_rest_runs() -> None:
    result = execute_job(
        make_job(
            "while True: pass",
            "print('still runs')",
            "import time\ntime.sleep(4)\nprint('slept')",  # 4 s of wall time, ~0 s of CPU time
            limits=Limits(cell_cpu_seconds=2),
        )
    )
    cells = code_cells(result.notebook)
    assert result.status == "executed", describe(result, cells)
    assert ("CellInterrupted", "cell interrupted: over its CPU budget of 2 s") in errors_of(
        cells[0]
    )
    assert result.reason == "cell 2 interrupted: over its CPU budget of 2 s"
    assert text_of(cells[1]).strip() == "still runs"
    assert text_of(cells[2]).strip() == "slept" and not errors_of(cells[2])


@needs_bwrap
def test_printing_50_mb_is_cut_at_the_output_cap() -> None:
    cap = 1_000_000
    result = execute_job(
        make_job(
            "import sys\nline = 'x' * 999 + '\\n'\n"
            "for _ in range(50_000):\n    sys.stdout.write(line)",
            "1/0",
            "print('small')",
            limits=Limits(output_bytes=cap),
        )
    )
    cells = code_cells(result.notebook)
    assert result.status == "executed", describe(result, cells)
    outputs = [out for cell in cells for out in cell["outputs"]]
    assert len(json.dumps(outputs)) <= cap + 2_000
    marker = f"[output truncated: the notebook printed more than {cap} bytes]"
    assert marker in text_of(cells[0])
    assert "output truncated from cell 2 on" in result.reason
    assert errors_of(cells[1])[0][0] == "ZeroDivisionError"  # errors survive the cut
    assert text_of(cells[2]) == ""


@needs_bwrap
def test_tensorflow_imports_under_the_default_memory_limit() -> None:
    result = execute_job(
        make_job("import tensorflow as tf\nprint(float(tf.reduce_sum(tf.ones((2, 2)))))")
    )
    cells = code_cells(result.notebook)
    assert result.status == "executed", describe(result, cells)
    assert not errors_of(cells[0]), describe(result, cells)
    assert text_of(cells[0], "stdout").strip().splitlines()[-1] == "4.0"


def test_data_must_be_readable_by_the_sandbox_uid(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "train.gz").write_bytes(b"x")
    (data / "train.gz").chmod(0o644)
    data.chmod(0o755)
    assert sandbox.readable_by_others(data, parents=False)
    (data / "train.gz").chmod(0o600)
    assert not sandbox.readable_by_others(data, parents=False)
    (data / "train.gz").chmod(0o644)
    data.chmod(0o700)
    assert not sandbox.readable_by_others(data, parents=False)
