"""helpers.grading.checks: each check of a plain value passes on right answers and fails with a
helpful message."""

import numpy as np
import pytest

from helpers import grading
from helpers.grading import CheckFailed


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


# ----------------------------------------------------------------------------- generic values


def test_check_close_accepts_values_within_tolerance():
    grading.check_close(0.30000001, 0.3, what="x")
    grading.check_close(np.float32(0.5), 0.5, what="x")
    grading.check_close([1.0, 2.0], np.array([1.0, 2.0 + 1e-9]), what="x")
    grading.check_close(0.52, 0.5, what="x", tol=0.05)
    grading.check_close(float("nan"), float("nan"), what="x")


def test_check_close_message_names_expected_found_and_hint():
    with pytest.raises(CheckFailed) as info:
        grading.check_close(
            0.4, 0.75, what="fraction_near_zero([0, 1e-4, 2, 0])", hint="count |w| <= tol"
        )
    message = str(info.value)
    assert "fraction_near_zero([0, 1e-4, 2, 0])" in message
    assert "expected 0.75" in message
    assert "found 0.4" in message
    assert "Hint: count |w| <= tol" in message


@pytest.mark.parametrize(
    ("actual", "found"),
    [(None, "None"), ("0.5", "'0.5'"), (float("nan"), "nan"), ([0.5, 0.5], "shape (2,)")],
)
def test_check_close_rejects_non_numbers_and_wrong_shapes(actual, found):
    with pytest.raises(CheckFailed, match="found") as info:
        grading.check_close(actual, 0.5, what="value")
    assert found in str(info.value)


def test_check_close_on_arrays_reports_first_wrong_entry():
    with pytest.raises(CheckFailed) as info:
        grading.check_close(
            np.array([[1.0, 2.0], [3.0, 5.0]]),
            np.array([[1.0, 2.0], [3.0, 4.0]]),
            what="rotated image",
        )
    assert "1 of 4 entries off" in str(info.value)
    assert "(1, 1)" in str(info.value)


def test_check_equal():
    grading.check_equal((24, 24, 16), (24, 24, 16), what="shape")
    with pytest.raises(CheckFailed, match="expected 2,410, found 2,400"):
        grading.check_equal(2400, 2410, what="parameters")
    with pytest.raises(CheckFailed):
        grading.check_equal(np.zeros(3), np.zeros(4), what="arrays")


def test_check_in_range():
    grading.check_in_range([5.0, -25.0, 12.5], -25, 25, what="angles")
    with pytest.raises(CheckFailed, match=r"1 of 3 outside, e.g. 30"):
        grading.check_in_range([5.0, 30.0, 12.5], -25, 25, what="angles")
    with pytest.raises(CheckFailed):
        grading.check_in_range([float("nan")], 0, 1, what="fraction")
    with pytest.raises(CheckFailed, match="None"):
        grading.check_in_range(None, 0, 1, what="fraction")


def test_check_shape_and_dtype():
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    grading.check_shape(images, (3, 28, 28), what="images")
    grading.check_shape(images, (None, 28, 28), what="images")
    grading.check_dtype(images, np.uint8, what="images")
    with pytest.raises(
        CheckFailed, match=r"expected shape \(3, 28, 28, 1\), found shape \(3, 28, 28\)"
    ):
        grading.check_shape(images, (3, 28, 28, 1), what="images")
    with pytest.raises(CheckFailed, match="found list"):
        grading.check_shape([1, 2], (2,), what="images")
    with pytest.raises(CheckFailed, match="expected dtype uint8, found dtype float32"):
        grading.check_dtype(images.astype(np.float32), np.uint8, what="images")


def test_check_and_check_raises():
    grading.check(True, "never shown")
    with pytest.raises(CheckFailed, match="the L1 model is sparser\n  Hint: look"):
        grading.check(False, "the L1 model is sparser", hint="look")

    def divide(a, b):
        if b == 0:
            raise ValueError("no drop")
        return a / b

    grading.check_raises(ValueError, divide, 1, 0, what="divide(1, 0)")
    with pytest.raises(
        CheckFailed, match=r"expected ValueError to be raised, found it returned 1\.0"
    ):
        grading.check_raises(ValueError, divide, 1, 1, what="divide(1, 1)")
    with pytest.raises(CheckFailed, match="found ZeroDivisionError"):
        grading.check_raises(ValueError, lambda: 1 / 0, what="lambda")


def test_check_raises_lets_not_implemented_through():
    def blank():
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        grading.check_raises(ValueError, blank, what="blank")
