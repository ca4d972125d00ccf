"""One job's cgroups (v1): a memory limit, a process limit and a CPU counter for a sandbox.

Made where the v1 hierarchies are writable (root on a cgroup-v1 machine, as in CI), under this
process's own cgroup of each hierarchy; elsewhere :class:`Cgroups` holds none and says so in its
notes (the sandbox then relies on rlimits); so does a machine with cgroup v2 only.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CgroupFiles:
    """What a sandbox's command line needs of its cgroups (see :attr:`Cgroups.files`).

    Attributes:
        procs: the ``cgroup.procs`` files the launched process writes its pid to.
        cpu_counter: the ``cpuacct.usage`` file (nanoseconds), or ``None`` without one.
        notes: one-line notes for the TA (controllers that could not be made).
    """

    procs: tuple[str, ...] = ()
    cpu_counter: str | None = None
    notes: tuple[str, ...] = ()


class Cgroups:
    """One job's cgroups (v1): memory (limit), pids (max), cpuacct (usage), where writable.

    Made under this process's own cgroup of each hierarchy, so the limits of whatever contains
    this process still apply. Use as a context manager: on exit every process left in them is
    killed and the cgroups are removed.

    Args:
        memory_bytes: ``memory.limit_in_bytes`` (and ``memsw``), in bytes.
        pids_max: ``pids.max``, in processes and threads.
        root: where the v1 hierarchies are mounted. Defaults to ``/sys/fs/cgroup``.
    """

    def __init__(self, memory_bytes: int, pids_max: int, *, root: str = "/sys/fs/cgroup") -> None:
        self.dirs: dict[str, Path] = {}
        self.notes: list[str] = []
        name = f"nn-tricks-{uuid.uuid4().hex[:12]}"
        for controller in ("memory", "pids", "cpuacct"):
            parent = _own_cgroup_dir(Path(root), controller)
            if parent is None:
                continue
            try:
                path = parent / name
                path.mkdir()
            except OSError:
                continue
            self.dirs[controller] = path
        try:
            if "memory" in self.dirs:
                limit = str(memory_bytes)
                (self.dirs["memory"] / "memory.limit_in_bytes").write_text(limit)
                memsw = self.dirs["memory"] / "memory.memsw.limit_in_bytes"
                if memsw.exists():
                    memsw.write_text(limit)
            if "pids" in self.dirs:
                (self.dirs["pids"] / "pids.max").write_text(str(pids_max))
        except OSError as exc:
            self.notes.append(f"cgroup limits could not be set ({exc}): rlimits only")
            self.close()
        missing = [c for c in ("memory", "pids", "cpuacct") if c not in self.dirs]
        if missing:
            self.notes.append(f"no writable cgroup v1 for {', '.join(missing)}: rlimits only")

    def __enter__(self) -> Cgroups:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a new process writes its pid to, to join them all."""
        return [str(path / "cgroup.procs") for path in self.dirs.values()]

    @property
    def cpu_counter(self) -> str | None:
        """The ``cpuacct.usage`` file (nanoseconds), or ``None`` without a cpuacct cgroup."""
        return str(self.dirs["cpuacct"] / "cpuacct.usage") if "cpuacct" in self.dirs else None

    @property
    def files(self) -> CgroupFiles:
        """The files a sandbox joins and reads, and the notes, as plain data."""
        return CgroupFiles(tuple(self.procs_files), self.cpu_counter, tuple(self.notes))

    def cpu_seconds(self) -> float | None:
        """CPU time used in the cgroup so far, in CPU seconds, or ``None`` without one."""
        counter = self.cpu_counter
        try:
            return int(Path(counter).read_text()) / 1e9 if counter else None
        except (OSError, ValueError):
            return None

    def oom_kills(self) -> int:
        """How many processes the memory cgroup's OOM killer killed (0 without one)."""
        if "memory" not in self.dirs:
            return 0
        try:
            text = (self.dirs["memory"] / "memory.oom_control").read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def pids(self) -> set[int]:
        """Pids of the processes in any of the cgroups."""
        found: set[int] = set()
        for path in self.dirs.values():
            try:
                found.update(int(p) for p in (path / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                continue
        return found

    def kill_all(self, *, timeout_seconds: float = 10.0) -> None:
        """SIGKILL every process in the cgroups until none is left (or the timeout, in s)."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)

    def close(self) -> None:
        """Kill what is left and remove the cgroups (idempotent)."""
        self.kill_all()
        for controller, path in list(self.dirs.items()):
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)
            del self.dirs[controller]


def _own_cgroup_dir(root: Path, controller: str) -> Path | None:
    """This process's cgroup directory in the v1 hierarchy of ``controller``, if writable."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller not in controllers.split(","):
            continue
        for mount in [root / controller, *sorted(root.glob(f"*{controller}*"))]:
            if controller in mount.name.split(",") and mount.is_dir():
                directory = mount / path.lstrip("/")
                if directory.is_dir() and os.access(directory, os.W_OK):
                    return directory
    return None
