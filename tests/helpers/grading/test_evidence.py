"""helpers.grading.record: evidence for the grader, only while grading, always plain JSON."""

from __future__ import annotations

import json
import math

import IPython.display
import numpy as np
import pytest

from helpers import grading

MIME = "application/vnd.nn-tricks.evidence+json"


@pytest.fixture
def shown(monkeypatch):
    """What record() displays (IPython.display.display replaced by a recorder)."""
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setenv("NN_TRICKS_GRADING", "1")
    return calls


def payload(calls):
    (args, kwargs) = calls[-1]
    assert kwargs == {"raw": True} and len(args) == 1 and list(args[0]) == [MIME]
    return args[0][MIME]


def test_does_record_emit_one_raw_evidence_output_while_grading(shown):
    grading.record("params of build_cnn(3)", 27_210)
    grading.record("fraction", 0.5, tol=1e-9)
    assert len(shown) == 2
    assert payload(shown[:1]) == {"name": "params of build_cnn(3)", "value": 27_210, "tol": 0.0}
    assert payload(shown) == {"name": "fraction", "value": 0.5, "tol": 1e-9}


@pytest.mark.parametrize("setting", [None, "0", "", "true"])
def test_is_record_silent_unless_grading_is_exactly_on(monkeypatch, setting):
    calls = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: calls.append(a))
    if setting is None:
        monkeypatch.delenv("NN_TRICKS_GRADING", raising=False)
    else:
        monkeypatch.setenv("NN_TRICKS_GRADING", setting)
    assert grading.record("x", 1) is None
    assert calls == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.int64(7), 7),
        (np.float32(0.5), 0.5),
        (np.bool_(True), True),
        (True, True),
        (None, None),
        ((24, 24, 16), [24, 24, 16]),
        (np.arange(4).reshape(2, 2), [[0, 1], [2, 3]]),
        (np.array([True, False]), [True, False]),
        ({"kernel": np.int32(3), "shape": (1, 2)}, {"kernel": 3, "shape": [1, 2]}),
        ([np.float64(1.5), "L1", None], [1.5, "L1", None]),
        (float("nan"), "NaN"),
        ([np.inf, -np.inf], ["Infinity", "-Infinity"]),
        (np.str_("relu"), "relu"),
    ],
)
def test_are_values_normalised_to_plain_json(shown, value, expected):
    grading.record("v", value)
    recorded = payload(shown)["value"]
    assert recorded == expected
    assert json.loads(json.dumps(recorded, allow_nan=False)) == expected
    assert type(recorded) is type(expected)


def test_does_a_number_subclass_lose_its_own_comparison(shown):
    class Always(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

        def __int__(self):
            return 42

    grading.record("v", Always(3))
    value = payload(shown)["value"]
    assert value == 3 and type(value) is int and value != 4


@pytest.mark.parametrize(
    "value",
    [{1, 2}, b"bytes", 1 + 2j, object(), {1: "a"}, np.array([1 + 1j]), print],
    ids=["set", "bytes", "complex", "object", "int-keys", "complex-array", "function"],
)
def test_does_a_value_that_cannot_be_json_raise_a_clear_type_error(shown, value):
    with pytest.raises(TypeError, match=r"grading.record\('v', \.\.\.\): .*record numbers"):
        grading.record("v", value)
    assert shown == []


def test_does_a_list_that_contains_itself_raise_a_type_error(shown):
    loop: list = []
    loop.append(loop)
    with pytest.raises(TypeError, match="nested"):
        grading.record("v", loop)


def test_are_bad_values_caught_even_outside_grading(monkeypatch):
    monkeypatch.delenv("NN_TRICKS_GRADING", raising=False)
    with pytest.raises(TypeError):
        grading.record("v", {1, 2})


@pytest.mark.parametrize(
    ("name", "tol", "error"),
    [
        ("", 0.0, TypeError),
        (3, 0.0, TypeError),
        ("v", -1e-9, ValueError),
        ("v", math.nan, ValueError),
        ("v", math.inf, ValueError),
        ("v", "0.1", TypeError),
        ("v", True, TypeError),
    ],
)
def test_are_bad_names_and_tolerances_rejected(shown, name, tol, error):
    with pytest.raises(error):
        grading.record(name, 1, tol=tol)


def test_is_record_exported():
    assert "record" in grading.__all__
