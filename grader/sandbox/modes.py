"""The names of the sandbox's modes, for every module that spells them (no imports beyond typing).

- :data:`SandboxMode`: what a job asks for (``GradeJob.sandbox``, ``--sandbox``): ``"auto"``
  (bubblewrap when it can make a sandbox here, else Python rlimits only), ``"require"`` (refuse
  the job without bubblewrap) or ``"off"`` (never bubblewrap: tests of the plumbing only).
- :data:`BwrapMode`: how bubblewrap is started on this machine (``grader.sandbox.bwrap``):
  ``"privileged"`` (this process is root; ``setpriv`` drops the executor to a uid of its own) or
  ``"userns"`` (a normal user, in a user namespace).
"""

from __future__ import annotations

from typing import Literal, get_args

SandboxMode = Literal["auto", "require", "off"]
#: Every :data:`SandboxMode`, in the order the command line lists them.
SANDBOX_MODES: tuple[SandboxMode, ...] = get_args(SandboxMode)

BwrapMode = Literal["privileged", "userns"]
