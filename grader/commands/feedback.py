"""``python -m grader feedback <assignment>``: feedback HTML for every autograded submission,
through nbgrader's generate_feedback (``feedback/<student>/<assignment>/*.html``).

Submissions that were not graded have no autograded copy and therefore no feedback page.
"""

from __future__ import annotations

from pathlib import Path

from grader import settings
from grader.errors import GraderError
from grader.layout import require_assignment


def feedback(root: Path, assignment: str) -> list[Path]:
    """Generate the feedback pages of ``assignment``; the pages written, sorted.

    Raises:
        GraderError: unknown assignment, nothing autograded yet, or nbgrader failed.
    """
    from grader.nbgrader.conversions import generate_feedback
    from grader.nbgrader.errors import NbgraderError

    require_assignment(root, assignment)
    graded = sorted((root / settings.AUTOGRADED_DIR).glob(f"*/{assignment}"))
    if not graded:
        raise GraderError(
            f"nothing autograded for {assignment}: run "
            f"`python -m grader autograde {assignment}` first"
        )
    try:
        log = generate_feedback(root, assignment)
    except NbgraderError as exc:
        _write_log(root, assignment, exc.log)
        raise GraderError(str(exc)) from None
    _write_log(root, assignment, log)
    return sorted((root / settings.FEEDBACK_DIR).glob(f"*/{assignment}/*.html"))


def _write_log(root: Path, assignment: str, log: str) -> None:
    path = root / settings.LOG_DIR / f"feedback-{assignment}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(log, encoding="utf-8")
    except OSError:
        pass  # a log that cannot be written does not make the feedback fail
