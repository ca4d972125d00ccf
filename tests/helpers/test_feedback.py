"""helpers.feedback: a blank task and a failed plain assert show as one line in IPython."""

import pytest

from helpers import feedback
from helpers.grading import CheckFailed


@pytest.fixture
def shell():
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    saved = shell.custom_exceptions, shell.CustomTB
    assert feedback.install(lambda: shell)
    yield shell
    shell.custom_exceptions, shell.CustomTB = saved


def run(shell, code, capsys):
    result = shell.run_cell(code)
    captured = capsys.readouterr()
    return result, captured.out + captured.err


STUB = 'def build_cnn(k):\n    """doc"""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n'


def test_a_stub_shows_one_line_and_the_cell_still_fails(shell, capsys):
    result, text = run(shell, STUB + "build_cnn(3)", capsys)
    assert isinstance(result.error_in_exec, NotImplementedError)
    line = feedback.not_answered_message("build_cnn")
    assert line == (
        "`build_cnn` is not answered yet: replace `raise NotImplementedError()` with your code"
    )
    expected = "\x1b[0;31m`build_cnn` is not answered yet\x1b[0m: " + line.split(": ", 1)[1]
    assert text.strip() == expected, text


def test_a_stub_at_a_cells_top_level_is_this_task(shell, capsys):
    result, text = run(shell, "x = 1\nraise NotImplementedError()", capsys)
    assert isinstance(result.error_in_exec, NotImplementedError)
    assert "This task is not answered yet" in text and "Traceback" not in text, text


def test_a_plain_assert_shows_its_message_or_its_line(shell, capsys):
    result, text = run(shell, "assert 1 == 2, 'expected shape (3, 4)'", capsys)
    assert isinstance(result.error_in_exec, AssertionError)
    assert text.strip() == "\x1b[0;31mCheck failed\x1b[0m: expected shape (3, 4)", text
    _, text = run(shell, "value = 1\nassert value == 2", capsys)
    assert "Check failed\x1b[0m: `assert value == 2`" in text and "Traceback" not in text, text


def test_check_failed_keeps_its_own_line(shell, capsys):
    shell.user_ns["CheckFailed"] = CheckFailed
    result, text = run(shell, "raise CheckFailed('x: expected 1, found 2.')", capsys)
    assert isinstance(result.error_in_exec, CheckFailed)
    assert "CheckFailed\x1b[0m: x: expected 1, found 2." in text and "Traceback" not in text


def test_other_not_implemented_errors_keep_their_traceback(shell, capsys):
    result, text = run(shell, "def f():\n    raise NotImplementedError('later')\nf()", capsys)
    assert isinstance(result.error_in_exec, NotImplementedError)
    assert "later" in text and "f()" in text and "not answered" not in text, text


def test_install_is_idempotent_and_leaves_a_foreign_handler_alone(shell):
    assert feedback.install(lambda: shell)
    shell.set_custom_exc((KeyError,), lambda *args, **kwargs: None)
    assert not feedback.install(lambda: shell)
    assert not feedback.install(lambda: None)  # not inside IPython


def test_is_stub():
    def stub(x):
        """Doc."""
        raise NotImplementedError()

    def answered(x):
        return x + 1

    def partial(x):
        x = abs(x)
        raise NotImplementedError()

    assert feedback.is_stub(stub)
    assert not feedback.is_stub(answered)
    assert not feedback.is_stub(partial)
    assert not feedback.is_stub(len)  # no Python code: not a stub


def test_a_name_left_undefined_by_a_cell_above_says_what_to_do(shell, capsys):
    result, text = run(shell, "rows = len(comparison_never_defined)", capsys)
    assert isinstance(result.error_in_exec, NameError)
    assert "`comparison_never_defined` is not defined yet\x1b[0m: run the cells above" in text
    assert "Traceback" not in text, text
