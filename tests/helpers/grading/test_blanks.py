"""helpers.grading.knowledge_check and require_answers: a blank answer never stops Run All of a
lecture notebook, a wrong one fails in one line, and practices say what is missing."""

import pytest

from helpers import grading


def stub(x):
    """Doc."""
    # YOUR CODE HERE
    raise NotImplementedError()


def answered(x):
    return 2 * x


@pytest.fixture
def lecture_mode(monkeypatch):
    monkeypatch.delenv(grading.GRADING_ENV, raising=False)


def test_a_blank_answer_prints_one_line_and_goes_on(lecture_mode, capsys):
    with grading.knowledge_check("1.3"):
        stub(1)
        raise AssertionError("never reached")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "Exercise 1.3 is not answered yet: replace `raise NotImplementedError()` with your code\n"
    )


def test_in_grading_mode_a_blank_answer_raises(monkeypatch):
    monkeypatch.setenv(grading.GRADING_ENV, "1")
    assert grading.grading_mode()
    with pytest.raises(NotImplementedError), grading.knowledge_check("1.3"):
        stub(1)


@pytest.mark.parametrize("setting", ["0", None])
def test_a_wrong_answer_fails_in_one_line_in_both_modes(monkeypatch, setting):
    if setting is None:
        monkeypatch.delenv(grading.GRADING_ENV, raising=False)
    else:
        monkeypatch.setenv(grading.GRADING_ENV, setting)
    with pytest.raises(grading.CheckFailed) as caught, grading.knowledge_check("2.1"):
        assert answered(1) == 3, "2 * 1 is 2"
    assert str(caught.value).startswith("Exercise 2.1: ") and "2 * 1 is 2" in str(caught.value)
    assert isinstance(caught.value, AssertionError)  # nbgrader and pytest still see a failure
    with pytest.raises(grading.CheckFailed, match=r"Exercise 2\.1: x: expected 1, found 2"):
        with grading.knowledge_check("2.1"):
            grading.check_equal(2, 1, what="x")


def test_a_right_answer_passes_silently(lecture_mode, capsys):
    with grading.knowledge_check("1.1"):
        assert answered(2) == 4
    assert capsys.readouterr() == ("", "")


def test_other_not_implemented_errors_are_not_swallowed(lecture_mode):
    with pytest.raises(NotImplementedError, match="later"), grading.knowledge_check("1.1"):
        raise NotImplementedError("later")


def test_require_answers_names_the_blank_exercise():
    grading.require_answers(answered, {"P1b.1": answered})
    with pytest.raises(grading.NotAnswered) as caught:
        grading.require_answers({"P1b.1": answered, "P1b.2": stub})
    assert str(caught.value) == (
        "Exercise P1b.2 (`stub`) is not answered yet: answer it, then run this cell again"
    )
    with pytest.raises(grading.NotAnswered, match=r"^`stub` is not answered yet"):
        grading.require_answers(stub)


def test_require_answers_looks_up_top_level_answers_by_name():
    model_aug = object()  # noqa: F841  (a local is not the notebook's globals)
    globals()["answer_variable"] = 1
    try:
        grading.require_answers({"P2.3": "answer_variable"})
    finally:
        del globals()["answer_variable"]
    with pytest.raises(grading.NotAnswered, match=r"Exercise P2.3 \(`model_aug`\)"):
        grading.require_answers({"P2.3": "model_aug"})


def test_is_answered():
    assert grading.is_answered(answered) and not grading.is_answered(stub)
