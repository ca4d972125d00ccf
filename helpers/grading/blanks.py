"""Blank answers: a release's stub (``raise NotImplementedError()``) is not an error to a student.

:func:`knowledge_check` lets a lecture notebook's Run All carry on past an unanswered exercise
(one line on stderr) while grading scores it 0; :func:`require_answers` stops a cell that needs
answers before it trains anything, in one line. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from helpers.grading.checks import CheckFailed
from helpers.protocol import is_grading
from helpers.session import BriefError

__all__ = ["NotAnswered", "grading_mode", "is_answered", "knowledge_check", "require_answers"]


class NotAnswered(BriefError):
    """A cell needs an exercise that is still the release's stub; the message names it."""


def grading_mode() -> bool:
    """True while grading (``NN_TRICKS_GRADING=1``, :func:`helpers.protocol.is_grading`): every
    check raises as nbgrader expects."""
    return is_grading(os.environ)


def is_answered(function: Callable[..., Any]) -> bool:
    """False while ``function`` is still the release's stub (``raise NotImplementedError()``)."""
    from helpers.feedback import is_stub

    return not is_stub(function)


def _exercise(label: str) -> str:
    return label if label.lower().startswith("exercise") else f"Exercise {label}"


@contextlib.contextmanager
def knowledge_check(label: str) -> Iterator[None]:
    """Wrap a lecture notebook's test cell: a blank answer does not stop Run All.

    Outside grading mode a stub's ``NotImplementedError`` prints one line to stderr
    ("Exercise 1.3 is not answered yet: replace `raise NotImplementedError()` with your code")
    and the cell carries on, so the experiments below it run; in grading mode it is raised
    (nbgrader scores the cell 0, and the stderr line would score it 0 too). A wrong answer (a
    failed ``assert`` or check) fails the cell in both modes with one line,
    ``CheckFailed: Exercise 1.3: <what was wrong>``.
    """
    from helpers.feedback import STUB_HINT, check_failed_message

    try:
        yield
    except NotImplementedError as error:
        if grading_mode() or error.args:
            raise
        del error
        sys.stderr.write(f"{_exercise(label)} is not answered yet: {STUB_HINT}\n")
        sys.stderr.flush()
        return
    except CheckFailed as error:
        raise CheckFailed(f"{_exercise(label)}: {error}") from None
    except AssertionError as error:
        message = check_failed_message(error, error.__traceback__) or f"Check failed: {error}"
        raise CheckFailed(f"{_exercise(label)}: {message[0].lower()}{message[1:]}") from None


def require_answers(
    *answers: Callable[..., Any] | str | Mapping[str, Callable[..., Any] | str],
) -> None:
    """Stop a cell that needs the student's answers before it trains or computes anything.

    Give the answer functions, or a mapping ``{"P1b.1": build_cnn, ...}`` from exercise
    labels to them; an answer that is a variable (a task answered by top-level code) is given
    by its name, e.g. ``{"P2.3": "model_aug"}``, and looked up in the calling cell's globals.
    When one is still the release's stub (or the variable does not exist yet) this raises
    :class:`NotAnswered` in one line: "Exercise P1b.1 (`build_cnn`) is not answered yet:
    answer it, then run this cell again".
    """
    caller = sys._getframe(1).f_globals
    for answer in answers:
        items = answer.items() if isinstance(answer, Mapping) else [(None, answer)]
        for label, item in items:
            if isinstance(item, str):
                name, missing = item, item not in caller
            else:
                name = getattr(item, "__name__", "this answer")
                missing = not is_answered(item)
            if not missing:
                continue
            what = f"{_exercise(label)} (`{name}`)" if label else f"`{name}`"
            raise NotAnswered(f"{what} is not answered yet: answer it, then run this cell again")
