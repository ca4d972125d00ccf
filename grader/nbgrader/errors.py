"""The error every nbgrader call raises, and the one line of an nbgrader log a TA is shown."""

from __future__ import annotations

from grader.errors import GraderError


class NbgraderError(GraderError):
    """nbgrader refused or failed; ``str()`` is one line for the TA, ``log`` its full log."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


def one_line(log: str, fallback: str = "nbgrader failed") -> str:
    """The most useful single line of an nbgrader log: its first specific error.

    Args:
        log: nbgrader's log (``[LEVEL] message`` lines, maybe with a traceback).
        fallback: what to return when the log holds no error at all.

    Returns:
        The first ``[ERROR]``/``[CRITICAL]`` message that is not one of nbgrader's generic
        wrappers, else the last line of a traceback, else the first generic error, else
        ``fallback``; at most 300 characters.
    """
    errors = []
    for line in log.splitlines():
        for level in ("[ERROR] ", "[CRITICAL] "):
            if line.startswith(level):
                errors.append(line[len(level) :].strip())
    errors = [e for e in errors if e and not e.startswith("Please see the")]
    specific = [e for e in errors if not e.startswith("There was an error processing")]
    traceback_tail = [
        line.strip()
        for line in log.splitlines()
        if line.strip() and not line.startswith(("[", " ", "Traceback"))
    ]
    for candidates in (specific, traceback_tail[-1:], errors):
        if candidates:
            return candidates[0][:300]
    return fallback
