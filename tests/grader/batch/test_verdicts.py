"""grader.batch.verdicts: seals, evidence and verdicts, decided outside the student's kernel.

Synthetic notebooks with hand-made outputs (no kernel, no TensorFlow), and one notebook run
through a real kernel where a submission no-ops a check.
"""

from __future__ import annotations

import copy
import itertools
import re

import IPython.display
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader.batch import verdicts
from grader.batch.scan import scan
from grader.batch.verdicts import (
    EVIDENCE_MIME,
    SEAL_MIME,
    CellEvidence,
    CellVerdict,
    Record,
    ReferenceRunFailed,
    add_seals,
    apply_verdicts,
    decide,
    extract_evidence,
    remove_seal_line,
    values_match,
)

NONCES = {"test-a": "nonce-a", "test-b": "nonce-b"}


def meta(grade_id, *, grade=False, solution=False, locked=False, points=1):
    nbgrader = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        nbgrader["points"] = points
    return {"nbgrader": nbgrader}


def evidence(name, value, tol=0.0):
    return new_output(
        "display_data", data={EVIDENCE_MIME: {"name": name, "value": value, "tol": tol}}
    )


def seal(grade_id, nonce=None):
    return new_output(
        "display_data",
        data={SEAL_MIME: {"grade_id": grade_id, "nonce": nonce or NONCES[grade_id]}},
    )


def stdout(text):
    return new_output("stream", name="stdout", text=text)


def error(ename="CheckFailed", evalue="answer: expected 1, found 2."):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def notebook(outputs_a, outputs_b=None):
    """A solution cell, a locked cell and two graded test cells with the given outputs."""
    cells = [
        new_markdown_cell("Write `answer`."),
        new_code_cell("def answer(x):\n    return x * x", metadata=meta("solve", solution=True)),
        new_code_cell("print('locked')", metadata=meta("locked", locked=True)),
        new_code_cell("check(answer(3) == 9)", metadata=meta("test-a", grade=True, locked=True)),
        new_code_cell("check(answer(0) == 0)", metadata=meta("test-b", grade=True, locked=True)),
        new_markdown_cell("Explain.", metadata=meta("written", grade=True, solution=True)),
    ]
    cells[3].outputs = list(outputs_a)
    cells[4].outputs = list(outputs_b if outputs_b is not None else [seal("test-b")])
    return new_notebook(cells=cells)


REFERENCE_A = [evidence("answer(3)", 9), evidence("answer(0.5)", 0.25, tol=1e-9), seal("test-a")]


def reference():
    return extract_evidence(notebook(REFERENCE_A))


def verdict_of(outputs_a, outputs_b=None):
    return decide(notebook(outputs_a, outputs_b), NONCES, reference())[0]


# --------------------------------------------------------------------------- sealing


def test_does_add_seals_seal_every_graded_test_cell_and_nothing_else():
    nb = notebook([])
    before = copy.deepcopy(nb)
    counter = itertools.count()
    nonces = add_seals(nb, nonce=lambda: f"n{next(counter)}")
    assert nonces == {"test-a": "n0", "test-b": "n1"}
    for index in (3, 4):
        original, sealed = before.cells[index].source, nb.cells[index].source
        assert sealed.startswith(original + "\n") and sealed.count("\n") == original.count("\n") + 1
        assert '__import__("IPython.display").display.display(' in sealed.splitlines()[-1]
        assert nonces[nb.cells[index].metadata.nbgrader.grade_id] in sealed.splitlines()[-1]
    for index in (0, 1, 2, 5):  # markdown, solution, locked, graded markdown answer
        assert nb.cells[index].source == before.cells[index].source


def test_does_the_seal_line_display_the_seal_raw_through_ipython(monkeypatch):
    nb = notebook([])
    add_seals(nb, nonce=lambda: "abc123")
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    exec(nb.cells[3].source.splitlines()[-1], {})  # the line alone, as the kernel runs it
    assert shown == [(({SEAL_MIME: {"grade_id": "test-a", "nonce": "abc123"}},), {"raw": True})]


def test_are_default_nonces_fresh_and_unguessable():
    first, second = add_seals(notebook([])), add_seals(notebook([]))
    assert all(
        re.fullmatch(r"[0-9a-f]{32}", nonce) for nonce in [*first.values(), *second.values()]
    )
    assert set(first.values()).isdisjoint(second.values())
    assert first["test-a"] != first["test-b"]


def test_does_removing_the_seal_line_give_back_the_exact_source():
    nb = notebook([])
    originals = [cell.source for cell in nb.cells]
    nb.cells[4].source += "\n"  # a trailing newline survives too
    originals[4] += "\n"
    add_seals(nb)
    assert [remove_seal_line(cell.source) for cell in nb.cells] == originals


# --------------------------------------------------------------------------- extraction


def test_does_extract_evidence_read_records_seal_and_errors_per_cell():
    nb = notebook(
        [stdout("ok\n"), evidence("a", [1, 2]), evidence("b", {"k": "v"}, 0.5), seal("test-a")],
        [stdout("x"), error()],
    )
    found = extract_evidence(nb)
    assert list(found) == ["test-a", "test-b"]  # graded test cells only, in notebook order
    a, b = found["test-a"], found["test-b"]
    assert a.records == (Record("a", [1, 2], 0.0), Record("b", {"k": "v"}, 0.5))
    assert a.sealed and a.nonce == "nonce-a" and not a.error and not a.raised
    assert b.records == () and not b.sealed and b.nonce is None
    assert b.error and b.error_summary == "CheckFailed: answer: expected 1, found 2."


def test_does_extract_evidence_notice_stderr_late_records_and_malformed_payloads():
    nb = notebook(
        [
            new_output("stream", name="stderr", text="Warning: slow\n"),
            new_output("display_data", data={EVIDENCE_MIME: {"value": 1}}),  # no name
            seal("test-a"),
            evidence("late", 1),
        ]
    )
    a = extract_evidence(nb)["test-a"]
    assert (
        a.stderr
        and a.raised
        and not a.error
        and a.error_summary == "wrote to stderr: Warning: slow"
    )
    assert [r.name for r in a.records] == ["(malformed evidence)"]
    assert a.records_after_seal == 1


def test_does_extract_evidence_count_duplicated_grade_ids():
    nb = notebook([seal("test-a")])
    nb.cells.append(copy.deepcopy(nb.cells[3]))
    assert extract_evidence(nb)["test-a"].copies == 2


# --------------------------------------------------------------------------- decide


def test_does_a_sealed_cell_with_the_reference_values_pass():
    verdict = verdict_of(REFERENCE_A)
    assert verdict == CellVerdict("test-a", True, None, "sealed; 2 record(s) match the reference")


def test_does_a_cell_that_raised_fail_without_a_flag():
    verdict = verdict_of([evidence("answer(3)", 4), error()])
    assert (verdict.passed, verdict.flag) == (False, None)
    assert verdict.detail == "the check raised: CheckFailed: answer: expected 1, found 2."


def test_does_a_cell_that_wrote_to_stderr_fail_like_nbgrader_without_a_flag():
    outputs = [new_output("stream", name="stderr", text="oops\n"), *REFERENCE_A]
    verdict = verdict_of(outputs)
    assert (verdict.passed, verdict.flag) == (False, None) and "stderr" in verdict.detail


SEAL_FLAG = (
    "cell test-a finished without its seal (its output was altered or the cell was cut short)"
)


@pytest.mark.parametrize(
    ("outputs", "detail"),
    [
        (REFERENCE_A[:2], "no seal output"),
        ([*REFERENCE_A[:2], seal("test-a", "guessed")], "a seal that is not this job's"),
        ([*REFERENCE_A[:2], seal("test-b")], "a seal that is not this job's"),
        ([*REFERENCE_A, seal("test-a")], "2 seal outputs"),
        ([REFERENCE_A[0], REFERENCE_A[2], REFERENCE_A[1]], "1 evidence output(s) after the seal"),
    ],
    ids=["missing", "wrong-nonce", "other-cells-seal", "two-seals", "evidence-after-seal"],
)
def test_does_a_cell_without_exactly_its_own_seal_fail_and_get_flagged(outputs, detail):
    verdict = verdict_of(outputs)
    assert (verdict.passed, verdict.flag, verdict.detail) == (False, SEAL_FLAG, detail)


DIFFER = "cell test-a reported success but its values differ from the reference: "


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([evidence("answer(3)", 9)], "answer(0.5): expected 0.25, got nothing"),
        (
            [*REFERENCE_A[:2], evidence("bonus", True)],
            "bonus: expected nothing, got true",
        ),
        ([evidence("answer(3)", 8), REFERENCE_A[1]], "answer(3): expected 9, got 8"),
        (
            [REFERENCE_A[0], evidence("answer(0.5)", 0.2500001, tol=1.0)],
            "answer(0.5): expected 0.25, got 0.25",
        ),
        ([evidence("answer(3)", "9"), REFERENCE_A[1]], 'answer(3): expected 9, got "9"'),
        ([REFERENCE_A[1], REFERENCE_A[0]], None),  # order between names does not matter
    ],
    ids=["missing", "extra", "wrong", "outside-reference-tol", "string-for-number", "reordered"],
)
def test_does_evidence_that_differs_from_the_reference_fail_and_get_flagged(records, message):
    verdict = verdict_of([*records, seal("test-a")])
    if message is None:
        assert verdict.passed
    else:
        assert (verdict.passed, verdict.flag) == (False, DIFFER + message)


def test_does_the_flag_list_a_few_differences_and_count_the_rest():
    records = [evidence(f"extra {i}", i) for i in range(5)]
    verdict = verdict_of([*REFERENCE_A[:2], *records, seal("test-a")])
    assert verdict.flag.endswith("(and 2 more)") and verdict.flag.count("expected nothing") == 3


def test_is_a_value_within_the_references_tolerance_accepted():
    verdict = verdict_of([REFERENCE_A[0], evidence("answer(0.5)", 0.25 + 1e-10), seal("test-a")])
    assert verdict.passed


@pytest.mark.parametrize(
    ("expected", "actual", "tol", "match"),
    [
        (1, 1, 0.0, True),
        (1, 1.0, 0.0, True),
        (2**60 + 1, 2**60, 0.0, False),
        (0.5, 0.5 + 1e-7, 1e-6, True),
        (0.5, 0.5 + 1e-5, 1e-6, False),
        (1000.0, 1000.0005, 1e-6, True),  # relative tolerance
        ([1.0, [2.0, 3.0]], [1.0, [2.0, 3.0000001]], 1e-6, True),
        ([1.0, [2.0, 3.0]], [1.0, [2.0, 3.1]], 1e-6, False),
        ([1, 2], [1, 2, 3], 0.0, False),
        ({"a": 0.1, "b": [1]}, {"b": [1], "a": 0.1000001}, 1e-6, True),
        ({"a": 1}, {"a": 1, "b": 2}, 0.0, False),
        ("l1", "l1", 1.0, True),
        ("l1", "L1", 1.0, False),
        (True, True, 0.0, True),
        (True, 1, 1.0, False),
        (1, True, 1.0, False),
        (None, None, 0.0, True),
        (None, 0, 1.0, False),
        ("NaN", "NaN", 0.0, True),
        (0.0, "NaN", 1.0, False),
        (float("nan"), float("nan"), 1.0, False),
    ],
)
def test_when_do_recorded_values_match_the_reference(expected, actual, tol, match):
    assert values_match(expected, actual, tol) is match


def test_does_a_reference_cell_without_records_need_only_the_seal():
    ref = extract_evidence(notebook([seal("test-a")]))
    passed = decide(notebook([stdout("ok"), seal("test-a")]), NONCES, ref)[0]
    extra = decide(notebook([evidence("x", 1), seal("test-a")]), NONCES, ref)[0]
    assert passed.passed and not extra.passed and "x: expected nothing" in extra.flag


def test_is_a_graded_cell_missing_from_the_submission_failed_and_flagged():
    nb = notebook(REFERENCE_A)
    del nb.cells[4]
    result = decide(nb, NONCES, reference())
    assert [(v.grade_id, v.passed, v.flag) for v in result] == [
        ("test-a", True, None),
        ("test-b", False, "cell test-b is missing"),
    ]


def test_is_a_graded_cell_the_reference_does_not_know_failed_and_flagged():
    nb = notebook(REFERENCE_A)
    nb.cells.append(new_code_cell("pass", metadata=meta("invented", grade=True, locked=True)))
    nb.cells[-1].outputs = [seal("invented", "n")]
    (*_, invented) = decide(nb, {**NONCES, "invented": "n"}, reference())
    assert (invented.passed, invented.flag) == (
        False,
        "cell invented is not a graded cell of the assignment",
    )


def test_is_a_duplicated_graded_cell_failed_and_flagged():
    nb = notebook(REFERENCE_A)
    nb.cells.append(copy.deepcopy(nb.cells[3]))
    verdict = decide(nb, NONCES, reference())[0]
    assert (verdict.passed, verdict.flag) == (False, "cell test-a appears 2 times")


@pytest.mark.parametrize(
    "outputs",
    [[error()], [new_output("stream", name="stderr", text="x")], REFERENCE_A[:2]],
    ids=["raised", "stderr", "unsealed"],
)
def test_does_a_reference_run_that_failed_its_own_test_raise(outputs):
    broken = extract_evidence(notebook(outputs))
    with pytest.raises(ReferenceRunFailed, match="test-a"):
        decide(notebook(REFERENCE_A), NONCES, broken)


# --------------------------------------------------------------------------- apply_verdicts


def nbgrader_score(cell) -> float:
    """nbgrader's own autograde score of a test cell (what SaveAutoGrades stores)."""
    utils = pytest.importorskip("nbgrader.utils")
    score, _ = utils.determine_grade(cell)
    return score


CASES = {
    "passed": REFERENCE_A,
    "raised": [stdout("checking\n"), error()],
    "stderr": [new_output("stream", name="stderr", text="warn\n"), *REFERENCE_A],
    "unsealed": [stdout("answer(3) is right\n"), *REFERENCE_A[:2]],
    "differs": [evidence("answer(3)", 8), REFERENCE_A[1], seal("test-a")],
    # a faked partial-credit result before the error would make nbgrader skip the error
    "result-first": [new_output("execute_result", data={"text/plain": "1"}), error()],
}


@pytest.mark.parametrize("case", CASES)
def test_does_nbgrader_score_a_cell_zero_exactly_when_the_verdict_failed_it(case):
    executed = notebook(CASES[case])
    result = decide(executed, NONCES, reference())
    final = apply_verdicts(executed, result)
    verdict = result[0]
    cell = final.cells[3]
    assert (nbgrader_score(cell) == 0) == (not verdict.passed)
    assert any(o.output_type == "error" for o in cell.outputs) == (not verdict.passed)
    if not verdict.passed and verdict.flag:
        assert cell.outputs == [
            new_output(
                "error",
                ename="GradingVerdict",
                evalue=verdict.flag,
                traceback=[f"GradingVerdict: {verdict.flag}"],
            )
        ]


def test_does_apply_verdicts_keep_a_real_error_and_the_students_prints():
    executed = notebook([stdout("checking\n"), error()])
    cell = apply_verdicts(executed, decide(executed, NONCES, reference())).cells[3]
    assert [o.output_type for o in cell.outputs] == ["stream", "error"]
    assert cell.outputs[1].ename == "CheckFailed"


def test_does_apply_verdicts_strip_seals_and_evidence_everywhere_and_keep_the_input():
    executed = notebook([stdout("ok\n"), *REFERENCE_A])
    add_seals(executed, nonce=lambda: "n")
    executed.cells[1].outputs = [evidence("planted", 1), stdout("student\n")]
    before = copy.deepcopy(executed)
    final = apply_verdicts(executed, decide(executed, NONCES, reference()))
    assert executed == before  # a copy: the executed notebook is kept as it came back
    for cell in final.cells:
        for output in cell.get("outputs", []):
            assert EVIDENCE_MIME not in output.get("data", {})
            assert SEAL_MIME not in output.get("data", {})
        assert verdicts.SEAL_MARK not in cell.source
    assert final.cells[3].outputs == [stdout("ok\n")]
    assert final.cells[1].outputs == [stdout("student\n")]


def test_is_cell_evidence_comparable_and_frozen():
    cell = CellEvidence("g", records=(Record("a", 1, 0.0),), seals=(("g", "n"),))
    with pytest.raises(AttributeError):
        cell.error = True  # type: ignore[misc]  # frozen on purpose
    assert cell == CellEvidence("g", records=(Record("a", 1, 0.0),), seals=(("g", "n"),))


# --------------------------------------------------------------------------- a real kernel

STUDENT_NOOPS_THE_CHECK = """\
def answer(x):
    return 0.0  # not solved

from helpers import grading
grading.check_close = lambda *args, **kwargs: None  # every check_close now "passes\""""

TEST_CELL = """\
from helpers import grading
grading.check_close(answer(3), 9.0, what="answer(3)")
print("answer(3) is right")
### BEGIN HIDDEN TESTS
grading.check_close(answer(7), 49.0, what="answer(7)")
grading.record("answer(7)", answer(7), tol=1e-9)
### END HIDDEN TESTS"""


def test_does_a_check_noop_that_passes_in_the_kernel_still_fail_and_get_flagged(
    tmp_path, monkeypatch
):
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("NN_TRICKS_GRADING", "1")
    monkeypatch.setenv("NN_TRICKS_FAST", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    nb = new_notebook(
        cells=[
            new_code_cell(STUDENT_NOOPS_THE_CHECK, metadata=meta("solve", solution=True)),
            new_code_cell(TEST_CELL, metadata=meta("test", grade=True, locked=True)),
        ]
    )
    assert [f.reason for f in scan(nb)] == ["replaces helpers.grading.check_close"]
    nonces = add_seals(nb)
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    executed = client.execute()
    outputs = executed.cells[1].outputs
    # in the kernel the test "passed": no error, its confirmation printed, sealed
    assert not any(o.output_type == "error" for o in outputs), outputs
    assert any("answer(3) is right" in o.get("text", "") for o in outputs)
    found = extract_evidence(executed)["test"]
    assert found.nonce == nonces["test"] and found.records == (Record("answer(7)", 0.0, 1e-9),)
    expected = {
        "test": CellEvidence(
            "test", records=(Record("answer(7)", 49.0, 1e-9),), seals=(("test", "reference"),)
        )
    }
    (verdict,) = decide(executed, nonces, expected)
    assert not verdict.passed
    assert verdict.flag == (
        "cell test reported success but its values differ from the reference: "
        "answer(7): expected 49, got 0"
    )
    final = apply_verdicts(executed, [verdict])
    assert final.cells[1].outputs[0].ename == "GradingVerdict"


def test_first_error_names_the_earliest_code_cell_that_raised():
    """A reference whose data cell raised fails its test cells with NameErrors; the message
    names the data cell, where the cause is."""
    nb = notebook(REFERENCE_A)
    assert verdicts.first_error(nb) is None
    nb.cells[2].outputs = [error("FileNotFoundError", "no MNIST in /data")]
    nb.cells[3].outputs = [error("NameError", "name 'answer' is not defined")]
    assert verdicts.first_error(nb) == (
        "code cell 2 (`print('locked')`): FileNotFoundError: no MNIST in /data"
    )
