"""``nbgrader validate`` in-process: :class:`nbgrader.validator.Validator` returns its findings
as data, reduced here to one :class:`Validation` per notebook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nbgrader.validator import Validator

from grader.nbgrader.config import course_config
from grader.nbgrader.errors import one_line
from grader.nbgrader.runtime import captured_log, environment, kernel_stderr


@dataclass(frozen=True)
class Validation:
    """What ``nbgrader validate`` found in one notebook.

    Attributes:
        notebook: the validated file.
        ok: whether it is what was expected (all tests pass; with ``invert``, none passes).
        message: one line for the TA.
        log: nbgrader's log.
    """

    notebook: Path
    ok: bool
    message: str
    log: str = ""


def validate(
    root: Path, notebook: Path, *, invert: bool, environ: Mapping[str, str | None] | None = None
) -> Validation:
    """Execute ``notebook`` as ``nbgrader validate`` does (``--invert``: as a blank release).

    A notebook that cannot be executed (kernel, file or metadata) is a failed
    :class:`Validation`, never an exception.

    Args:
        root: the course root (its nbgrader_config.py sets timeouts and the stderr filter).
        notebook: the notebook to validate.
        invert: expect that no test passes (a blank release) instead of that all pass.
        environ: environment changes for the kernel (``None`` values remove a variable), e.g.
            ``{"NN_TRICKS_FAST": "1"}``.

    Raises:
        NbgraderError: ``root`` is not a course (no loadable ``nbgrader_config.py``).
    """
    config = course_config(root)
    config.Validator.invert = invert
    with (
        environment(environ),
        captured_log() as (logger, buffer),
        kernel_stderr() as kernel_log,
    ):
        try:
            results = Validator(config=config, log=logger).validate(str(notebook))
        except Exception as exc:  # the kernel, the file or the metadata: one line, log kept
            log = buffer.getvalue() + kernel_log.read()
            return Validation(notebook, False, one_line(f"{log}\n{type(exc).__name__}: {exc}"), log)
        log = buffer.getvalue() + kernel_log.read()
    if results.get("type_changed"):
        return Validation(notebook, False, "a graded cell's type was changed", log)
    if results.get("changed"):
        return Validation(notebook, False, f"{len(results['changed'])} locked cell(s) changed", log)
    if invert:
        passed = results.get("passed", [])
        if passed:
            return Validation(notebook, False, f"{len(passed)} test(s) pass on the blank", log)
        return Validation(notebook, True, "no test passes on the blank release", log)
    failed = results.get("failed", [])
    if failed:
        error = (failed[0].get("raw_error") or "").strip().splitlines()
        detail = f": {error[-1][:200]}" if error else ""
        return Validation(notebook, False, f"{len(failed)} test cell(s) fail{detail}", log)
    return Validation(notebook, True, "all tests pass", log)
