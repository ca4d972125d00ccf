"""What a grading worker is given and gives back: :class:`GradeJob` and :class:`GradeResult`;
:data:`Execute` is the type of what turns one into the other.

A job is self-contained (cluster workers share no filesystem with the coordinator): it carries the
prepared notebook as JSON text (hidden tests restored, seal lines added by the coordinator), the
allowlisted environment for the kernel, the limits, and a *reference* to the data (a directory
that must exist on the worker), never a copy of the data and never a secret.

A result carries the executed notebook back as JSON text (or ``None`` when nothing could be run)
and what happened, so that the coordinator alone decides the verdict and writes the gradebook.
Both serialise to and from plain JSON (``to_json`` / ``from_json``) and pickle cleanly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from grader.sandbox.modes import SandboxMode

#: ``executed``: the notebook ran to its end (cells may have failed; that is for the verdict);
#: ``failed``: the worker could not produce an executed notebook (sandbox refused to start,
#: kernel died, budget exhausted before the end, output cap, worker lost ...): see ``reason``.
ExecutionStatus = Literal["executed", "failed"]


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's sandbox.

    Attributes:
        memory_mb: address-space / cgroup memory limit of the sandbox, in MiB. Defaults to 4096.
        cpu_seconds: CPU-time budget of the whole submission (all cells, all threads), in CPU
            seconds. Defaults to 1800.
        cell_cpu_seconds: CPU-time budget of one cell; a cell over it is interrupted, scores 0,
            and the rest of the notebook still runs. Defaults to 600.
        cell_wall_seconds: wall-clock ceiling of one cell, only a backstop for cells that sleep
            (generous, so a busy machine never trips it). Defaults to 1800.
        output_bytes: cap on the total size of all outputs of the executed notebook, in bytes.
            Defaults to 5_000_000.
        file_bytes: largest file the sandbox may write, in bytes. Defaults to 200_000_000.
        processes: most processes/threads the sandbox may hold at once. Defaults to 512.
    """

    memory_mb: int = 4096
    cpu_seconds: int = 1800
    cell_cpu_seconds: int = 600
    cell_wall_seconds: int = 1800
    output_bytes: int = 5_000_000
    file_bytes: int = 200_000_000
    processes: int = 512


@dataclass(frozen=True)
class GradeJob:
    """One submission to execute.

    Attributes:
        job_id: unique within the batch, ``"<assignment>/<student>"``.
        assignment: assignment name, e.g. ``"practice-1b-kernel-sizes"``.
        student: student id as in ``submitted/<student>/``.
        notebook_name: notebook file stem, e.g. ``"kernel_sizes"``.
        notebook: the prepared notebook, nbformat-4 JSON text.
        env: environment variables for the kernel (already allowlisted by the coordinator:
            fast-mode flag, thread counts ...); the worker adds ``HOME``, ``PATH`` and the data
            variable itself.
        data_dir: directory holding MNIST on the worker (``MNIST_DATA_DIR`` inside the sandbox
            points at its read-only mount), or ``None`` for none.
        limits: resource limits of the sandbox.
        sandbox: ``"require"`` (refuse without bubblewrap), ``"auto"`` (bubblewrap when present,
            else Python rlimits only) or ``"off"`` (tests of the plumbing only).
    """

    job_id: str
    assignment: str
    student: str
    notebook_name: str
    notebook: str
    env: dict[str, str] = field(default_factory=dict)
    data_dir: str | None = None
    limits: Limits = field(default_factory=Limits)
    sandbox: SandboxMode = "auto"

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> GradeJob:
        raw: dict[str, Any] = json.loads(text)
        raw["limits"] = Limits(**raw.get("limits", {}))
        return cls(**raw)


@dataclass(frozen=True)
class GradeResult:
    """What a worker gives back for one :class:`GradeJob`.

    Attributes:
        job_id: the job's id.
        status: ``"executed"`` or ``"failed"`` (see :data:`ExecutionStatus`).
        notebook: the executed notebook as JSON text, or ``None`` when none came back.
        reason: one line for the TA when ``status == "failed"`` or when something was cut
            (e.g. ``"cell 7 interrupted: over its CPU budget of 600 s"``); empty otherwise.
        notes: further one-line notes (interrupted cells, output truncated, sandbox mode).
        sandboxed: whether the kernel ran inside bubblewrap.
        worker: where it ran (``"host:pid"``), for the TA's log.
        wall_seconds: wall time of the execution, in seconds.
        cpu_seconds: CPU time the sandbox used, in CPU seconds.
        attempts: how many workers tried this job (a lost worker is retried once).
    """

    job_id: str
    status: ExecutionStatus
    notebook: str | None = None
    reason: str = ""
    notes: tuple[str, ...] = ()
    sandboxed: bool = False
    worker: str = ""
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    attempts: int = 1

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> GradeResult:
        raw: dict[str, Any] = json.loads(text)
        raw["notes"] = tuple(raw.get("notes", ()))
        return cls(**raw)


#: What executes one job and says what happened (``grader.run.worker.execute_job`` in
#: production; the runners call it, the batch passes it on).
Execute = Callable[[GradeJob], GradeResult]
