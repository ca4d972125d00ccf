"""The hostile-submission corpus itself (tests/grader/corpus): cheap checks, nothing is executed."""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter

import nbformat
import pytest

from grader.batch import scan, staging
from grader.cells import grade_id
from tests.grader.corpus import make_corpus as mc

ENTRIES = mc.entries()
STUDENT_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def materials(entry: mc.Entry) -> mc.Materials:
    return mc.load_materials(entry.family)


def parse(data: bytes) -> nbformat.NotebookNode:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat warns about the entry without cell ids
        return nbformat.reads(data.decode("utf-8"), as_version=4)


def is_notebook(data: bytes) -> bool:
    """UTF-8 JSON of an object with an integer nbformat."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(raw, dict) and isinstance(raw.get("nbformat"), int)


def test_is_the_corpus_large_and_spread_over_every_family():
    assert len(ENTRIES) >= 40
    per_family = Counter(e.family for e in ENTRIES)
    assert set(per_family) == set(mc.FAMILIES)
    assert per_family[mc.F1B] == max(per_family.values())
    assert per_family[mc.F1A] >= 5 and per_family[mc.F2] >= 5
    assert [e.name for e in mc.entries(mc.F2)] == [e.name for e in ENTRIES if e.family == mc.F2]


def test_is_every_class_present_and_every_class_known():
    assert {e.cls for e in ENTRIES} == set(mc.CLASSES)
    assert len(mc.CLASSES) == len(set(mc.CLASSES)) == 37


def test_are_the_names_unique_valid_student_ids():
    names = [e.name for e in ENTRIES]
    assert len(names) == len(set(names))
    assert all(STUDENT_ID.match(name) for name in names), [
        n for n in names if not STUDENT_ID.match(n)
    ]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_is_the_expectation_well_formed(entry):
    expect = entry.expect
    assert expect.status in ("graded", "needs review", "not graded")
    assert (expect.failing is None) == (expect.status == "not graded")
    if expect.failing is not None:
        assert expect.failing <= set(materials(entry).test_ids), "failing names no such test cell"
    assert all(r and r == r.lower() for r in expect.reasons)
    assert all(expect.forbidden_output)
    assert expect.listener_port in (None, mc.LISTENER_PORT)
    assert entry.description and entry.cls in mc.CLASSES


def test_are_the_process_markers_unique():
    markers = [e.expect.leftover_process for e in ENTRIES if e.expect.leftover_process]
    assert markers and len(markers) == len(set(markers))


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_is_every_readable_entry_a_notebook_and_every_broken_one_not(entry):
    data = entry.build(materials(entry))
    assert isinstance(data, bytes)
    if entry.cls in mc.UNREADABLE_CLASSES:
        assert not is_notebook(data)
        assert entry.expect.status == "not graded"
        return
    assert is_notebook(data)
    nb = parse(data)
    assert nb.nbformat == 4 and nb.cells
    if entry.expect.status != "not graded":
        assert entry.filename == mc.NOTEBOOKS[entry.family]


def test_does_the_renamed_entry_keep_its_new_name():
    (renamed,) = [e for e in ENTRIES if e.cls == "renamed"]
    assert renamed.filename != mc.NOTEBOOKS[renamed.family]
    assert renamed.filename.endswith(".ipynb")


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if e.expect.forbidden_output], ids=lambda e: e.name
)
def test_can_no_forbidden_output_come_from_the_submissions_own_text(entry):
    """A traceback quotes cell sources: the forbidden strings must not be in them."""
    nb = parse(entry.build(materials(entry)))
    text = "\n".join(cell.source for cell in nb.cells)
    assert [s for s in entry.expect.forbidden_output if s in text] == []


def test_are_the_builds_deterministic():
    for entry in ENTRIES:
        assert entry.build(materials(entry)) == entry.build(materials(entry)), entry.name


@pytest.mark.parametrize("family", mc.FAMILIES)
def test_does_solved_hold_the_solutions_answers_and_blank_the_release(family):
    m = mc.load_materials(family)
    solved, blank = m.solved(), m.blank()
    assert blank == m.released and blank is not m.released
    assert len(solved.cells) == len(m.released.cells)
    answers = {grade_id(c): c.source for c in m.solution.cells if grade_id(c) in m.answer_ids}
    assert set(answers) == set(m.answer_ids) and m.answer_ids
    for cell, released in zip(solved.cells, m.released.cells, strict=True):
        gid = grade_id(cell)
        if gid in answers:
            assert cell.source == answers[gid] != released.source
        else:
            assert cell == released


@pytest.mark.parametrize("family", mc.FAMILIES)
def test_do_the_notebook_helpers_leave_their_input_alone(family):
    m = mc.load_materials(family)
    nb = m.solved()
    before = json.dumps(nb, sort_keys=True)
    gid = m.answer_ids[0]
    extra = m.with_extra_cell(nb, "x = 1", after=gid)
    assert extra.cells[mc.index(extra, gid) + 1].source == "x = 1"
    assert "nbgrader" not in extra.cells[mc.index(extra, gid) + 1].metadata
    assert m.with_extra_cell(nb, "y = 2", after=0).cells[0].source == "y = 2"
    replaced = m.replace_answer(nb, gid, "pass")
    assert replaced.cells[mc.index(replaced, gid)].source == "pass"
    with pytest.raises(ValueError):
        m.replace_answer(nb, m.test_ids[0], "pass")
    assert json.dumps(nb, sort_keys=True) == before


def test_does_write_corpus_write_nbgraders_layout(tmp_path):
    written = mc.write_corpus(tmp_path, families=[mc.F2])
    assert [e.name for e in written] == [e.name for e in mc.entries(mc.F2)]
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == sorted(f"submitted/{e.name}/{e.family}/{e.filename}" for e in written)
    for entry in written:
        path = tmp_path / "submitted" / entry.name / entry.family / entry.filename
        assert path.read_bytes() == entry.build(materials(entry))


def test_does_the_command_line_write_and_list(tmp_path, capsys):
    assert mc.main([str(tmp_path), "--family", mc.F1A]) == 0
    out = capsys.readouterr().out
    assert "l1-isclose" in out and "submission(s) written" in out
    assert len(list((tmp_path / "submitted").glob(f"*/{mc.F1A}/*.ipynb"))) == len(
        mc.entries(mc.F1A)
    )


# ---------------------------------------------------------------------------------------------
# the corpus against the coordinator's static parts (staging, the scan): still nothing executed
# ---------------------------------------------------------------------------------------------


def staged(entry: mc.Entry):
    return staging.stage(entry.build(materials(entry)), materials(entry).released)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_do_staging_and_the_scan_agree_with_the_expected_status(entry):
    result = staged(entry)
    if entry.cls in mc.UNREADABLE_CLASSES:
        assert result.problem and result.problem.startswith("not a notebook")
        return
    assert result.problem is None
    findings = scan.scan(result.notebook)
    verdict_reasons = ("without its seal", "values differ")
    if entry.expect.status == "graded":
        assert findings == [], [str(f) for f in findings]
    elif entry.expect.status == "needs review":
        assert findings or any(r in entry.expect.reasons for r in verdict_reasons)
    text = " | ".join([*result.notes, *(f.reason for f in findings)]).lower()
    static = [r for r in entry.expect.reasons if r in text]
    runtime = {
        "without its seal",
        "values differ",
        "interrupted",
        "truncated",
        "kernel died",
        "no result",
        "ignored the interrupt",
        "resubmit",
        "restored",
        "edited",
    }
    assert set(entry.expect.reasons) - set(static) <= runtime
