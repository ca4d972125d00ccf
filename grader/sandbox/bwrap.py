"""Step 4 of a batch, *Execute*, outside part: the bubblewrap command line of one job, and its run.

The pieces, pure where they can be (unit-tested without running anything):

- :func:`probe_bubblewrap`: is ``bwrap`` installed and able to make a sandbox here, and how;
- :func:`interpreter_roots`, :func:`sandbox_env`, :func:`build_bwrap_argv`,
  :func:`executor_command`, :func:`resource_limits`: the command line;
- :func:`run_sandboxed`: runs ``python -m grader.sandbox.executor`` for one job in its sandbox, the
  prepared notebook on stdin, and returns what came back (:class:`SandboxRun`), with the job's
  cgroups (:mod:`grader.sandbox.cgroups`) and through the launcher (:mod:`grader.sandbox.launch`).
  It is a plan and two launch paths: choose bubblewrap (or why not, or refuse), prepare the job's
  directories and user on this machine, then the command line inside bubblewrap or without it.

Inside the sandbox (see docs/grading.md) only these exist: ``/usr`` and the ``/lib*`` links, a few
``/etc`` files (generated ``passwd``, ``group`` and ``hosts``; the loader cache; ``localtime``), the
interpreter and its packages at their own paths (the venv directory only, never the course tree
around it), a read-only copy of the course packages at ``/opt/nn-tricks``, the data read-only at
``/data``, and the job's scratch directory at ``/scratch`` (the only writable place besides a
size-capped ``/tmp`` and ``/dev/shm``). No network, own PID namespace, no capabilities, an
environment built from an allowlist.

Two ways to start bubblewrap, chosen by :func:`probe_bubblewrap`:

- ``"privileged"`` (this process is root): ``bwrap`` runs as root without a user namespace (so it
  can bind the interpreter under ``/root``), then ``setpriv`` drops the executor to an unprivileged
  uid of its own (:func:`sandbox_uid`), with no capabilities at all. A real non-zero uid is what
  makes ``RLIMIT_NPROC`` count (the kernel never enforces it for uid 0).
- ``"userns"`` (a normal user): ``bwrap --unshare-all --unshare-user`` as that user.

Memory: a cgroup ``memory.limit_in_bytes`` of ``Limits.memory_mb`` where the memory hierarchy is
writable, plus ``RLIMIT_DATA`` of the same size for every process. Not ``RLIMIT_AS``: TensorFlow
reserves far more address space than it uses (measured on this course's 2-core machine: a small
Keras ``fit`` peaks at 2.7 GiB virtual for 0.7 GiB resident and aborts under a 2.5 GiB
``RLIMIT_AS``), and the reservation grows with the core count. ``RLIMIT_DATA`` counts only
committed writable mappings (0.5 GiB for the same ``fit``), so a large allocation ends in a
``MemoryError`` inside the cell, while the cgroup bounds the whole sandbox (an OOM kill of the
kernel is reported as "over the memory limit").

Processes: ``RLIMIT_NPROC`` under the job's own uid, and a pids cgroup (``pids.max``) where
writable. CPU: ``RLIMIT_CPU`` per process as a backstop, the cgroup's ``cpuacct.usage`` as the
whole-sandbox counter (also bound read-only into the sandbox for the executor's per-cell budget),
and :func:`run_sandboxed` kills the sandbox beyond the whole-submission budget.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader import settings
from grader.run.jobs import Limits
from grader.sandbox.cgroups import Cgroups
from grader.sandbox.launch import LAUNCHER, supervise
from grader.sandbox.modes import BwrapMode, SandboxMode

#: Where things are inside the sandbox.
SANDBOX_SCRATCH = "/scratch"
SANDBOX_PACKAGES = "/opt/nn-tricks"
SANDBOX_DATA = "/data"
SANDBOX_CPU_COUNTER = "/run/nn-tricks/cpuacct.usage"

#: Reason of a refused ``sandbox="require"`` job when bubblewrap is missing.
MISSING_REASON = "bubblewrap is not installed: apt-get install bubblewrap, or pass --sandbox=auto"

#: Unprivileged uids of sandboxes started by root: one per job (see :func:`sandbox_uid`).
UID_BASE = 2_000_000_000
UID_SPAN = 1_000_000

#: Extra processes/threads allowed besides ``Limits.processes`` for bwrap's own two processes,
#: the executor and its threads.
PROCESS_OVERHEAD = 16
#: CPU seconds the sandbox may run past ``Limits.cpu_seconds`` before it is killed from outside
#: (the executor stops the notebook at the budget itself; this is the backstop).
CPU_GRACE_SECONDS = 60

#: Files of the host's /etc the sandbox sees (when they exist): dynamic loader and time zone.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "fonts")
#: Top-level system directories mounted read-only (or recreated as the same symlinks).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: The only variables of the sandbox that job.env may not set (the sandbox sets them itself).
RESERVED_VARIABLES = frozenset(
    {
        "HOME",
        "PATH",
        "PYTHONPATH",
        "LANG",
        "MPLBACKEND",
        "TMPDIR",
        "PYTHONDONTWRITEBYTECODE",
        settings.DATA_VARIABLE,
        settings.GRADING_VARIABLE,
    }
)


@dataclass(frozen=True)
class BwrapProbe:
    """Whether bubblewrap can make a sandbox on this machine, and how.

    Attributes:
        path: the ``bwrap`` executable, or ``None`` when it is not installed.
        mode: ``"privileged"`` (root: bwrap as root, then ``setpriv``), ``"userns"`` (bwrap as
            this user in a user namespace), or ``None`` when it cannot make a sandbox.
        reason: why it cannot (one line for the TA); empty when it can.
        setpriv: the ``setpriv`` executable used in ``"privileged"`` mode, else ``None``.
    """

    path: str | None
    mode: BwrapMode | None
    reason: str = ""
    setpriv: str | None = None

    @property
    def usable(self) -> bool:
        """True when a sandbox can be made."""
        return self.mode is not None


@dataclass(frozen=True)
class SandboxSpec:
    """Everything :func:`build_bwrap_argv` needs (host paths, absolute).

    Attributes:
        scratch: the job's scratch directory (the only writable mount, ``/scratch`` inside).
        etc_dir: directory holding the generated ``passwd``, ``group`` and ``hosts``.
        packages_dir: the read-only copy of the course packages (``/opt/nn-tricks`` inside).
        interpreter_roots: directories of the interpreter and its packages, mounted read-only at
            the same paths (see :func:`interpreter_roots`).
        env: the sandbox's whole environment (see :func:`sandbox_env`).
        mode: how bwrap is started (see :class:`BwrapProbe`).
        data_dir: the data directory (``/data`` inside), or ``None``.
        cpu_counter: the cgroup's ``cpuacct.usage`` file (read-only inside), or ``None``.
        tmp_bytes: size cap of the sandbox's ``/tmp`` and ``/dev/shm`` tmpfs, in bytes.
            Defaults to 200_000_000.
    """

    scratch: str
    etc_dir: str
    packages_dir: str
    interpreter_roots: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    mode: BwrapMode
    data_dir: str | None = None
    cpu_counter: str | None = None
    tmp_bytes: int = 200_000_000


@dataclass(frozen=True)
class SandboxRun:
    """What one run of :func:`run_sandboxed` gave back.

    Attributes:
        returncode: the sandbox's exit status (negative: killed by that signal); ``None`` when it
            was refused before starting.
        stdout: everything the executor wrote on its private stdout.
        stderr: the last part of the sandbox's stderr (bwrap's messages), decoded.
        refused: why the job was not run at all (one line); empty when it ran.
        sandboxed: whether it ran inside bubblewrap.
        wall_seconds: wall time of the run, in seconds.
        cpu_seconds: CPU time of the whole sandbox, in CPU seconds (cgroup ``cpuacct`` when
            available, else the rusage of the sandbox's process tree).
        killed: why this side killed the sandbox (``"wall"`` or ``"cpu"``), empty if it did not.
        oom_kills: processes the cgroup's OOM killer killed (0 without a memory cgroup).
        notes: one-line notes for the TA (sandbox mode, missing mechanisms).
    """

    returncode: int | None
    stdout: bytes = b""
    stderr: str = ""
    refused: str = ""
    sandboxed: bool = False
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    killed: str = ""
    oom_kills: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


# --- probing ------------------------------------------------------------------------------------


def probe_bubblewrap() -> BwrapProbe:
    """Find ``bwrap`` and check (once per process and user) that it can make a sandbox here.

    Returns:
        The probe; ``reason`` says what is wrong when it is not usable (not installed, user
        namespaces disabled, ``setpriv`` missing).
    """
    return _probe(shutil.which("bwrap"), shutil.which("setpriv"), os.geteuid())


@functools.lru_cache(maxsize=8)
def _probe(bwrap: str | None, setpriv: str | None, euid: int) -> BwrapProbe:
    if bwrap is None:
        return BwrapProbe(None, None, MISSING_REASON)
    if euid == 0:
        if setpriv is None:
            return BwrapProbe(
                bwrap,
                None,
                "setpriv (util-linux) is not installed: it drops the "
                "sandbox to an unprivileged uid; install util-linux",
            )
        mode: BwrapMode = "privileged"
        inner = [
            setpriv,
            f"--reuid={UID_BASE}",
            f"--regid={UID_BASE}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
            "/bin/true",
        ]
    else:
        mode = "userns"
        inner = ["/bin/true"]
    argv = [
        bwrap,
        *_namespace_args(mode),
        "--ro-bind",
        "/",
        "/",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--",
        *inner,
    ]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return BwrapProbe(bwrap, None, f"bubblewrap is installed but cannot run ({exc})")
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {done.returncode}"
        hint = (
            "enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 "
            "or user.max_user_namespaces)"
            if mode == "userns"
            else "run in a container that allows namespaces"
        )
        return BwrapProbe(
            bwrap,
            None,
            f"bubblewrap is installed but cannot make a sandbox here "
            f"({detail}): {hint}, or pass --sandbox=auto",
        )
    return BwrapProbe(bwrap, mode, "", setpriv if mode == "privileged" else None)


# --- pure pieces of the command line --------------------------------------------------------------


def _namespace_args(mode: BwrapMode) -> list[str]:
    """Namespaces and privileges. As root, ``--unshare-all`` would add a user namespace mapping
    only uid 0, in which ``setpriv`` cannot switch to the sandbox uid: every other namespace is
    listed instead (the same set as ``--unshare-all`` minus the user namespace)."""
    common = ["--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if mode == "userns":
        return ["--unshare-all", "--unshare-user", "--disable-userns", *common, "--cap-drop", "ALL"]
    return [
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        *common,
        "--cap-drop",
        "ALL",
        # only for setpriv, which drops them all before exec'ing the executor
        "--cap-add",
        "CAP_SETUID",
        "--cap-add",
        "CAP_SETGID",
        "--cap-add",
        "CAP_SETPCAP",
    ]


def interpreter_roots(
    prefix: str = sys.prefix,
    base_prefix: str = sys.base_prefix,
    executable: str = sys.executable,
    paths: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """The directories to mount read-only so that this interpreter and its packages run.

    Args:
        prefix: ``sys.prefix`` (the venv). Defaults to this interpreter's.
        base_prefix: ``sys.base_prefix`` (the interpreter the venv was made from). Defaults to
            this interpreter's.
        executable: ``sys.executable``; its resolved location's directory is included. Defaults
            to this interpreter's.
        paths: ``sysconfig.get_paths()``. Defaults to this interpreter's.

    Returns:
        Absolute, resolved directories, none inside another and none under a system directory
        (``/usr`` ...), sorted. Only the venv directory itself: never the tree around it.
    """
    found = dict(sysconfig.get_paths() if paths is None else paths)
    candidates = {prefix, base_prefix, str(Path(executable).resolve().parent)}
    candidates.update(
        found[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in found
    )
    resolved = sorted({str(Path(path).resolve()) for path in candidates if path})
    roots: list[str] = []
    for path in resolved:
        if any(_inside(path, system) for system in SYSTEM_DIRS):
            continue
        if any(_inside(path, root) for root in roots):
            continue
        roots.append(path)
    return tuple(roots)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def sandbox_env(
    job_env: Mapping[str, str],
    *,
    python_bin: str,
    packages_dir: str = SANDBOX_PACKAGES,
    home: str = SANDBOX_SCRATCH,
    data_dir: str | None = SANDBOX_DATA,
    tmp_dir: str = "/tmp",
) -> dict[str, str]:
    """The whole environment of a sandbox: the job's allowlisted variables plus the fixed ones.

    Args:
        job_env: ``GradeJob.env`` (already allowlisted by the coordinator); it may not set the
            fixed variables (:data:`RESERVED_VARIABLES`).
        python_bin: directory of the interpreter's scripts (the venv's ``bin``), first on PATH.
        packages_dir: the course packages' copy, the whole PYTHONPATH. Defaults to the sandbox's
            ``/opt/nn-tricks``.
        home: HOME (and the working directory of the kernel). Defaults to ``/scratch``.
        data_dir: MNIST_DATA_DIR, or ``None`` for no data. Defaults to ``/data``.
        tmp_dir: TMPDIR. Defaults to ``/tmp`` (the sandbox's own tmpfs).

    Raises:
        ValueError: a variable of ``job_env`` is reserved or not a valid name/value.
    """
    entries: list[tuple[object, object]] = list(job_env.items())  # checked, not trusted
    for name, value in entries:
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError(f"job environment entries must be strings, got {name!r}={value!r}")
        if not name or "=" in name or "\0" in name or "\0" in value:
            raise ValueError(f"job environment variable {name!r} is not a valid name/value")
        if name in RESERVED_VARIABLES:
            raise ValueError(f"job environment may not set {name} (the sandbox sets it)")
    env = dict(job_env)
    env.update(
        {
            "HOME": home,
            "PATH": f"{python_bin}:/usr/bin:/bin",
            "PYTHONPATH": packages_dir,
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "TMPDIR": tmp_dir,
            "PYTHONDONTWRITEBYTECODE": "1",  # nothing written next to the package copy
            settings.GRADING_VARIABLE: "1",
        }
    )
    if data_dir is not None:
        env[settings.DATA_VARIABLE] = data_dir
    return env


def executor_command(
    python: str,
    limits: Limits,
    *,
    cpu_counter: str | None = None,
    all_processes: bool = True,
    kernel_cwd: str = SANDBOX_SCRATCH,
    version: tuple[int, int] = (sys.version_info.major, sys.version_info.minor),
) -> list[str]:
    """``python -m grader.sandbox.executor`` with the job's limits.

    Args:
        python: the interpreter (same path inside and outside the sandbox).
        limits: the job's limits (per-cell CPU and wall, whole CPU budget, output cap).
        cpu_counter: a file holding the sandbox's CPU time in nanoseconds (cgroup
            ``cpuacct.usage``), or ``None`` to sum ``/proc``.
        all_processes: count every process visible in ``/proc`` (true in bwrap's own PID
            namespace) rather than only the kernel's descendants. Defaults to True.
        kernel_cwd: working directory of the kernel. Defaults to ``/scratch``.
        version: the interpreter's version; ``-P`` (no script directory on ``sys.path``) from 3.11.
            Defaults to this interpreter's.
    """
    flags = ["-s", "-P"] if version >= (3, 11) else ["-s"]
    argv = [
        python,
        *flags,
        "-m",
        "grader.sandbox.executor",
        "--cell-cpu-seconds",
        str(limits.cell_cpu_seconds),
        "--cell-wall-seconds",
        str(limits.cell_wall_seconds),
        "--cpu-seconds",
        str(limits.cpu_seconds),
        "--output-bytes",
        str(limits.output_bytes),
        "--kernel-cwd",
        kernel_cwd,
    ]
    if cpu_counter is not None:
        argv += ["--cpu-counter", cpu_counter]
    if all_processes:
        argv.append("--all-processes")
    return argv


def build_bwrap_argv(
    spec: SandboxSpec,
    command: Sequence[str],
    *,
    bwrap: str = "bwrap",
    setpriv: str = "/usr/bin/setpriv",
    uid: int = UID_BASE,
) -> list[str]:
    """The bubblewrap command line that runs ``command`` in the job's sandbox.

    Args:
        spec: what to mount and the environment.
        command: the program to run inside (:func:`executor_command`).
        bwrap: the bwrap executable. Defaults to ``"bwrap"``.
        setpriv: the setpriv executable (``"privileged"`` mode). Defaults to ``/usr/bin/setpriv``.
        uid: the sandbox's uid and gid in ``"privileged"`` mode. Defaults to :data:`UID_BASE`.
    """
    argv = [bwrap, *_namespace_args(spec.mode)]
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    for name in ETC_FILES:
        if os.path.lexists(f"/etc/{name}"):
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for name in ("passwd", "group", "hosts"):
        argv += ["--ro-bind", str(Path(spec.etc_dir) / name), f"/etc/{name}"]
    # /proc, /dev and the tmpfs first: a later mount below /tmp (a checkout or venv there, as
    # in a CI clone under /tmp) must land on top of the tmpfs, not be hidden by it
    argv += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--size",
        str(spec.tmp_bytes),
        "--tmpfs",
        "/tmp",
        "--perms",
        "1777",
        "--size",
        str(spec.tmp_bytes),
        "--tmpfs",
        "/dev/shm",
    ]
    # bwrap would make the missing parents of a mount point 0700 (as root): make them 0755
    destinations = [*spec.interpreter_roots, SANDBOX_PACKAGES, SANDBOX_CPU_COUNTER]
    for parent in _parents(destinations):
        argv += ["--perms", "0755", "--dir", parent]
    for root in spec.interpreter_roots:
        argv += ["--ro-bind", root, root]
    argv += ["--ro-bind", spec.packages_dir, SANDBOX_PACKAGES]
    if spec.data_dir is not None:
        argv += ["--ro-bind", spec.data_dir, SANDBOX_DATA]
    if spec.cpu_counter is not None:
        argv += ["--ro-bind", spec.cpu_counter, SANDBOX_CPU_COUNTER]
    argv += [
        "--bind",
        spec.scratch,
        SANDBOX_SCRATCH,
        "--remount-ro",
        "/",
        "--chdir",
        SANDBOX_PACKAGES,  # read-only: nothing the kernel writes is importable
        "--clearenv",
    ]
    for name, value in spec.env:
        argv += ["--setenv", name, value]
    argv.append("--")
    if spec.mode == "privileged":
        argv += [
            setpriv,
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
    argv += list(command)
    return argv


def _parents(paths: Sequence[str]) -> list[str]:
    """The ancestors of ``paths`` (outside the system directories), parents first."""
    found: list[str] = []
    for path in paths:
        for parent in reversed(Path(path).parents):
            text = str(parent)
            if (
                text != "/"
                and text not in found
                and not any(_inside(text, system) for system in SYSTEM_DIRS)
            ):
                found.append(text)
    return found


def resource_limits(limits: Limits, *, existing_tasks: int = 0) -> list[tuple[int, int, int]]:
    """The rlimits of every process of a sandbox, as ``(resource, soft, hard)``.

    Args:
        limits: the job's limits.
        existing_tasks: tasks the sandbox's uid already runs elsewhere (``RLIMIT_NPROC`` counts
            all of them); 0 for a uid of its own. Defaults to 0.

    ``RLIMIT_AS`` is left alone on purpose (see the module docstring): memory is
    ``RLIMIT_DATA`` per process plus the memory cgroup.
    """
    memory = limits.memory_mb * 1024 * 1024
    cpu = limits.cpu_seconds + CPU_GRACE_SECONDS
    nproc = existing_tasks + limits.processes + PROCESS_OVERHEAD
    return [
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_CPU, cpu, cpu + 10),
        (resource.RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes),
        (resource.RLIMIT_DATA, memory, memory),
        (resource.RLIMIT_NPROC, nproc, nproc),
    ]


def sandbox_uid(scratch: Path) -> int:
    """An unprivileged uid (and gid) for one sandbox started by root: one per job.

    Derived from the scratch directory's inode number, unique among the directories that exist
    at once on its filesystem, so concurrent jobs get different uids (and ``RLIMIT_NPROC``
    counts each job's processes alone) unless two inodes collide modulo :data:`UID_SPAN`.
    """
    return UID_BASE + scratch.stat().st_ino % UID_SPAN


def etc_files(uid: int, gid: int) -> dict[str, str]:
    """The sandbox's ``/etc/passwd``, ``/etc/group`` and ``/etc/hosts`` (name to content)."""
    return {
        "passwd": (
            f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
            f"student:x:{uid}:{gid}:student:{SANDBOX_SCRATCH}:/bin/sh\n"
            f"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        ),
        "group": f"root:x:0:\nstudent:x:{gid}:\nnogroup:x:65534:\n",
        "hosts": "127.0.0.1 localhost\n::1 localhost\n",
    }


# --- running --------------------------------------------------------------------------------------


def user_tasks(uid: int) -> int:
    """Tasks (processes and threads) the given uid runs on this machine now (Linux; else 0)."""
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
            if int(fields["Uid"].split()[0]) == uid:
                count += int(fields.get("Threads", "1"))
        except (OSError, KeyError, ValueError):
            continue
    return count


def readable_by_others(path: Path, *, parents: bool = True) -> bool:
    """Whether a uid with no relation to the owner can read ``path``: a file, or a directory
    and the files directly in it; with ``parents``, also enter every parent directory (not
    needed when bwrap mounts it elsewhere)."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            if not (mode & stat.S_IROTH and mode & stat.S_IXOTH):
                return False
            for child in path.iterdir():
                if child.is_file() and not child.stat().st_mode & stat.S_IROTH:
                    return False
        elif not mode & stat.S_IROTH:
            return False
        if not parents:
            return True
        return all(parent.stat().st_mode & stat.S_IXOTH for parent in path.resolve().parents)
    except OSError:
        return False


def run_sandboxed(
    *,
    python: str,
    stdin: bytes,
    job_dir: Path,
    packages_dir: Path,
    limits: Limits,
    env: Mapping[str, str],
    sandbox: SandboxMode = "auto",
    data_dir: str | None = None,
    wall_seconds: float = 86_400.0,
    probe: BwrapProbe | None = None,
) -> SandboxRun:
    """Run ``python -m grader.sandbox.executor`` for one job in its sandbox and collect its stdout.

    Args:
        python: the interpreter (with nbclient and ipykernel) that runs the executor and the
            kernel, at the same path inside the sandbox.
        stdin: the prepared notebook (JSON bytes).
        job_dir: a private, empty directory of this job outside the course tree; the scratch
            directory and the generated /etc files are made in it. The caller removes it.
        packages_dir: the read-only copy of the course packages (see :mod:`grader.run.worker`).
        limits: the job's limits.
        env: the job's allowlisted kernel variables (``GradeJob.env``).
        sandbox: ``"require"``, ``"auto"`` or ``"off"`` (see :class:`grader.run.jobs.GradeJob`).
            Defaults to ``"auto"``.
        data_dir: the data directory on this machine, or ``None``.
        wall_seconds: wall-clock backstop of the whole run, in seconds; beyond it the sandbox
            is killed. Defaults to 86_400.
        probe: the bubblewrap probe. Defaults to :func:`probe_bubblewrap`'s.

    Returns:
        The run; ``refused`` is set (and nothing ran) when ``sandbox="require"`` and bubblewrap
        cannot be used, or when the data directory cannot be read by the sandbox.

    Raises:
        ValueError: ``env`` sets a reserved variable or is not strings (see :func:`sandbox_env`).
    """
    notes: list[str] = []
    bwrap = _choose_bwrap(sandbox, probe, notes)
    if isinstance(bwrap, str):
        return SandboxRun(None, refused=bwrap)
    host = _prepare_host(job_dir, python, data_dir, sandboxed=bwrap is not None, notes=notes)
    if isinstance(host, str):
        return SandboxRun(None, refused=host)

    with Cgroups(limits.memory_mb << 20, limits.processes + PROCESS_OVERHEAD) as cgroups:
        notes.extend(cgroups.notes)
        existing = 0 if host.drop else user_tasks(host.uid)
        launch = (
            _bwrap_launch(bwrap, host, python, packages_dir, limits, env, data_dir, cgroups)
            if bwrap is not None
            else _direct_launch(host, python, packages_dir, limits, env, data_dir, cgroups)
        )
        spec_json = json.dumps(
            {
                "cgroups": cgroups.procs_files,
                "rlimits": resource_limits(limits, existing_tasks=existing),
                "uid": launch.drop_to[0] if launch.drop_to else None,
                "gid": launch.drop_to[1] if launch.drop_to else None,
                "argv": launch.argv,
                "env": launch.env,
            }
        )
        launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, spec_json]
        run = supervise(
            launcher,
            stdin=stdin,
            cgroups=cgroups,
            cpu_seconds=limits.cpu_seconds + CPU_GRACE_SECONDS,
            wall_seconds=wall_seconds,
            cwd=str(packages_dir) if bwrap is None else "/",
            stdout_bytes=4 * (len(stdin) + limits.output_bytes) + (16 << 20),
        )
        oom = cgroups.oom_kills()
        cgroup_cpu = cgroups.cpu_seconds()
    return SandboxRun(
        returncode=run.returncode,
        stdout=run.stdout,
        stderr=run.stderr,
        sandboxed=bwrap is not None,
        wall_seconds=run.wall_seconds,
        cpu_seconds=cgroup_cpu if cgroup_cpu is not None else run.cpu_seconds,
        killed=run.killed,
        oom_kills=oom,
        notes=tuple(notes),
    )


def _choose_bwrap(
    sandbox: SandboxMode, probe: BwrapProbe | None, notes: list[str]
) -> BwrapProbe | str | None:
    """The usable bubblewrap for ``sandbox``, ``None`` to run without it (a note says why), or
    the reason the job is refused (``"require"`` without a usable bubblewrap)."""
    if sandbox == "off":
        notes.append("not sandboxed: sandbox off (plumbing tests only)")
        return None
    bwrap = probe or probe_bubblewrap()
    if bwrap.usable:
        return bwrap
    if sandbox == "require":
        return bwrap.reason
    notes.append(f"not sandboxed: {bwrap.reason} (Python rlimits only)")
    return None


@dataclass(frozen=True)
class _Host:
    """The job's directories on this machine and the user its sandbox runs as.

    Attributes:
        scratch: the job's writable directory (``/scratch`` inside bubblewrap).
        etc_dir: the generated ``/etc`` files (bubblewrap only).
        uid: the user the executor runs as.
        gid: its group.
        drop: whether that is a uid of its own (this process is root), not this process's.
    """

    scratch: Path
    etc_dir: Path
    uid: int
    gid: int
    drop: bool


def _prepare_host(
    job_dir: Path, python: str, data_dir: str | None, *, sandboxed: bool, notes: list[str]
) -> _Host | str:
    """Make the job's scratch and ``/etc`` directories in ``job_dir`` and choose its user; or
    the reason the job is refused (the data cannot be read by that user)."""
    scratch = job_dir / "scratch"
    scratch.mkdir(mode=0o700)
    job_dir.chmod(0o711)  # the sandbox uid may enter (not list) it to reach its scratch
    root = os.geteuid() == 0
    # as root the sandbox runs under a uid of its own; without bwrap only when that uid can
    # reach the interpreter on the host (bwrap mounts it at a path it can reach)
    drop = root and (sandboxed or readable_by_others(Path(python).resolve()))
    if root and not drop:
        notes.append(
            "runs as root: the interpreter is not readable by an unprivileged uid "
            "(RLIMIT_NPROC is not enforced for root)"
        )
    uid = sandbox_uid(scratch) if drop else os.getuid()
    gid = uid if drop else os.getgid()
    if drop:
        os.chown(scratch, uid, gid)
        if data_dir is not None and not readable_by_others(Path(data_dir), parents=not sandboxed):
            return (
                f"the data directory {data_dir} is not readable by the sandbox's "
                "unprivileged user: make it and its files readable by others (chmod -R o+rX)"
            )
    etc_dir = job_dir / "etc"
    etc_dir.mkdir()
    for name, text in etc_files(uid, gid).items():
        (etc_dir / name).write_text(text)
    return _Host(scratch=scratch, etc_dir=etc_dir, uid=uid, gid=gid, drop=drop)


@dataclass(frozen=True)
class _Launch:
    """What the launcher starts: ``argv`` with ``env``, as ``drop_to`` (uid, gid) or as itself."""

    argv: list[str]
    env: dict[str, str]
    drop_to: tuple[int, int] | None


def _bwrap_launch(
    bwrap: BwrapProbe,
    host: _Host,
    python: str,
    packages_dir: Path,
    limits: Limits,
    env: Mapping[str, str],
    data_dir: str | None,
    cgroups: Cgroups,
) -> _Launch:
    """The executor inside bubblewrap: bwrap runs as this user (userns) or drops itself to the
    job's uid (setpriv), with the environment built inside."""
    inner_env = sandbox_env(
        env, python_bin=str(Path(python).parent), data_dir=SANDBOX_DATA if data_dir else None
    )
    inner = executor_command(
        python,
        limits,
        all_processes=True,
        cpu_counter=(SANDBOX_CPU_COUNTER if cgroups.cpu_counter else None),
    )
    assert bwrap.mode is not None and bwrap.path is not None
    spec = SandboxSpec(
        scratch=str(host.scratch),
        etc_dir=str(host.etc_dir),
        packages_dir=str(packages_dir),
        interpreter_roots=interpreter_roots(executable=python),
        env=tuple(sorted(inner_env.items())),
        mode=bwrap.mode,
        data_dir=data_dir,
        cpu_counter=cgroups.cpu_counter,
        tmp_bytes=limits.file_bytes,
    )
    argv = build_bwrap_argv(
        spec, inner, bwrap=bwrap.path, setpriv=bwrap.setpriv or "/usr/bin/setpriv", uid=host.uid
    )
    return _Launch(argv=argv, env={}, drop_to=None)


def _direct_launch(
    host: _Host,
    python: str,
    packages_dir: Path,
    limits: Limits,
    env: Mapping[str, str],
    data_dir: str | None,
    cgroups: Cgroups,
) -> _Launch:
    """The executor without bubblewrap (Python rlimits and cgroups only), as the job's uid when
    this process is root and that uid can reach the interpreter."""
    launch_env = sandbox_env(
        env,
        python_bin=str(Path(python).parent),
        packages_dir=str(packages_dir),
        home=str(host.scratch),
        data_dir=data_dir,
        tmp_dir=str(host.scratch),
    )
    argv = executor_command(
        python,
        limits,
        all_processes=False,
        cpu_counter=cgroups.cpu_counter,
        kernel_cwd=str(host.scratch),
    )
    return _Launch(argv=argv, env=launch_env, drop_to=(host.uid, host.gid) if host.drop else None)
