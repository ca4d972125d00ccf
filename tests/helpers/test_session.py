"""helpers.session.BriefError: the course's own errors show briefly in IPython."""

import pytest

from helpers.data import MnistDataError
from helpers.grading import CheckFailed


@pytest.fixture
def shell():
    from IPython.testing.globalipapp import get_ipython

    return get_ipython()


def run(shell, code: str, capsys):
    result = shell.run_cell(code)
    captured = capsys.readouterr()
    return result, captured.out + captured.err


@pytest.mark.parametrize("error", [MnistDataError, CheckFailed])
def test_course_errors_show_as_one_message(shell, capsys, error):
    shell.user_ns["CourseError"] = error
    result, text = run(
        shell, "def f():\n    raise CourseError('set X to a directory')\nf()", capsys
    )
    assert isinstance(result.error_in_exec, error)  # the cell still fails
    assert f"{error.__name__}\x1b[0m: set X to a directory" in text
    assert "Traceback" not in text and "f()" not in text, text


def test_other_errors_keep_their_traceback(shell, capsys):
    result, text = run(shell, "def g():\n    raise ValueError('deep')\ng()", capsys)
    assert isinstance(result.error_in_exec, ValueError)
    assert "deep" in text and "g()" in text, text


def test_course_errors_are_still_the_exceptions_callers_catch():
    assert issubclass(MnistDataError, RuntimeError)
    assert issubclass(CheckFailed, AssertionError)
