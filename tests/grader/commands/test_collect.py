"""grader.commands.collect: an LMS zip into submitted/, refusing every entry that could escape."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from grader.commands.collect import MAX_NOTEBOOK_BYTES, collect, unsafe_path
from grader.errors import GraderError

A = "practice-1b-kernel-sizes"
NB = "kernel_sizes.ipynb"
CONTENT = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


@pytest.fixture
def root(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    (course / "solutions" / A).mkdir(parents=True)
    (course / "solutions" / A / NB).write_bytes(CONTENT)
    return course


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_collects_well_named_notebooks_in_any_folder(root, tmp_path):
    archive = make_zip(
        tmp_path / "lms.zip",
        {
            f"s001_{A}_{NB}": CONTENT,
            f"download/s002_{A}_{NB}": CONTENT,
            "readme.txt": b"not a submission",
            f"__MACOSX/._s003_{A}_{NB}": b"resource fork",
        },
    )
    result = collect(root, archive)
    assert result.collected == {A: ("s001", "s002")}
    assert result.count == 2 and result.notes == ()
    assert files_under(root / "submitted") == [f"s001/{A}/{NB}", f"s002/{A}/{NB}"]
    assert (root / "submitted" / "s001" / A / NB).read_bytes() == CONTENT


@pytest.mark.parametrize(
    "name",
    [
        f"../s001_{A}_{NB}",
        f"a/../../s001_{A}_{NB}",
        f"/tmp/s001_{A}_{NB}",
        f"C:/Users/s001_{A}_{NB}",
        f"..\\..\\s001_{A}_{NB}",
    ],
)
def test_unsafe_paths_are_refused(root, tmp_path, name):
    archive = make_zip(tmp_path / "evil.zip", {name: CONTENT, f"s002_{A}_{NB}": CONTENT})
    result = collect(root, archive)
    assert result.collected == {A: ("s002",)}
    (note,) = result.notes
    assert note.startswith("refused") and "\n" not in note
    assert files_under(tmp_path) == sorted(
        ["evil.zip", f"course/solutions/{A}/{NB}", f"course/submitted/s002/{A}/{NB}"]
    )


@pytest.mark.parametrize(
    ("name", "what"),
    [
        (f".._{A}_{NB}", "student id '..'"),
        (f"._{A}_{NB}", None),  # a macOS resource fork: ignored silently
        (f"s001_.._{NB}", "assignment '..'"),
        (f"s001_._{NB}", "assignment '.'"),
        (f".hidden_{A}_{NB}", "student id '.hidden'"),
    ],
)
def test_dot_names_are_refused(root, tmp_path, name, what):
    archive = make_zip(tmp_path / "dots.zip", {name: CONTENT, f"s002_{A}_{NB}": CONTENT})
    result = collect(root, archive)
    assert result.collected == {A: ("s002",)}
    if what is None:
        assert result.notes == ()
    else:
        (note,) = result.notes
        assert note.startswith("refused") and what in note
    assert files_under(root / "submitted") == [f"s002/{A}/{NB}"]


def test_unknown_assignments_and_bad_names_are_skipped_with_a_note(root, tmp_path):
    archive = make_zip(
        tmp_path / "lms.zip",
        {f"s001_practice-9_{NB}": CONTENT, "kernel_sizes.ipynb": CONTENT},
    )
    with pytest.raises(GraderError):
        collect(root, tmp_path / "missing.zip")
    result = collect(root, archive)
    assert result.collected == {}
    assert len(result.notes) == 2
    assert any("no assignment 'practice-9'" in note for note in result.notes)
    assert any("not named as <student_id>_<assignment>" in note for note in result.notes)
    assert not (root / "submitted").exists()


def test_symlinks_and_huge_entries_are_refused(root, tmp_path):
    archive = tmp_path / "odd.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo(f"s001_{A}_{NB}")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr(f"s002_{A}_{NB}", b" " * (MAX_NOTEBOOK_BYTES + 1))
    result = collect(root, archive)
    assert result.collected == {}
    assert {note.split(":")[1].strip() for note in result.notes} == {
        "a symbolic link",
        f"{(MAX_NOTEBOOK_BYTES + 1) / 1e6:.0f} MB, larger than any notebook",
    }
    assert not (root / "submitted").exists()


def test_a_symlinked_student_folder_pointing_outside_is_refused(root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "submitted").mkdir()
    (root / "submitted" / "s001").symlink_to(outside)
    archive = make_zip(tmp_path / "lms.zip", {f"s001_{A}_{NB}": CONTENT})
    result = collect(root, archive)
    assert result.collected == {}
    assert "outside submitted/" in result.notes[0]
    assert files_under(outside) == []


def test_a_student_twice_keeps_the_newest_entry(root, tmp_path):
    archive = tmp_path / "twice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo(f"new/s001_{A}_{NB}", (2025, 1, 2, 0, 0, 0)), b"new")
        zf.writestr(zipfile.ZipInfo(f"old/s001_{A}_{NB}", (2025, 1, 1, 0, 0, 0)), b"old")
    result = collect(root, archive)
    assert result.collected == {A: ("s001",)}
    assert (root / "submitted" / "s001" / A / NB).read_bytes() == b"new"
    assert "twice" in result.notes[0]


def test_only_the_named_assignment_is_collected(root, tmp_path):
    (root / "solutions" / "other").mkdir()
    (root / "solutions" / "other" / "x.ipynb").write_bytes(CONTENT)
    archive = make_zip(
        tmp_path / "lms.zip", {f"s001_{A}_{NB}": CONTENT, "s001_other_x.ipynb": b"x"}
    )
    assert collect(root, archive, A).collected == {A: ("s001",)}
    assert files_under(root / "submitted") == [f"s001/{A}/{NB}"]
    with pytest.raises(GraderError, match="no assignment 'nope'"):
        collect(root, archive, "nope")


def test_not_a_zip_is_one_clear_error(root, tmp_path):
    bad = tmp_path / "lms.zip"
    bad.write_text("not a zip")
    with pytest.raises(GraderError, match="not a zip file"):
        collect(root, bad)


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [("a/b.ipynb", False), ("../b", True), ("/b", True), ("a\\..\\b", True), ("a..b", False)],
)
def test_unsafe_path(name, unsafe):
    assert (unsafe_path(name) is not None) == unsafe


# Downloads named as each LMS documents them (see tests/grader/commands/test_lms.py for where).


def test_a_canvas_download_is_collected_with_late_resubmitted_and_renamed_notebooks(root, tmp_path):
    archive = make_zip(
        tmp_path / "canvas.zip",
        {
            f"muellerjan_12345_67890_{NB}": b"first attempt",
            "muellerjan_12345_67999_kernel_sizes-1.ipynb": CONTENT,
            f"smithanna_LATE_23456_78901_{NB}": CONTENT,
            "leeli_34567_89012_my kernels (final).ipynb": CONTENT,
            "leeli_34567_89012_notes.txt": b"extra file",
        },
    )
    with pytest.raises(GraderError, match=r"Canvas download.*--assignment"):
        collect(root, archive)
    result = collect(root, archive, A)
    assert result.scheme == "canvas"
    assert result.collected == {A: ("12345", "23456", "34567")}
    assert files_under(root / "submitted") == [f"{s}/{A}/{NB}" for s in ("12345", "23456", "34567")]
    assert (root / "submitted" / "12345" / A / NB).read_bytes() == CONTENT  # the latest attempt
    notes = "\n".join(result.notes)
    assert f"12345 (muellerjan) handed in {A} 2 times: kept the latest" in notes
    assert f"'muellerjan_12345_67890_{NB}'" in notes
    assert f"23456 handed in {A} late" in notes
    assert f"34567 (leeli) handed in 'my kernels (final).ipynb' for {A}: collected as {NB}" in notes
    assert len(result.notes) == 3


def test_a_moodle_download_in_folders_is_collected_by_participant_id(root, tmp_path):
    archive = make_zip(
        tmp_path / "moodle.zip",
        {
            f"Jan Müller_12345_assignsubmission_file/{NB}": CONTENT,
            f"Anna Smith_23456_assignsubmission_file/{NB}": CONTENT,
            "Anna Smith_23456_assignsubmission_onlinetext/onlinetext.html": b"<p>hi</p>",
            "Li Lee_34567_assignsubmission_file/a.ipynb": CONTENT,
            "Li Lee_34567_assignsubmission_file/b.ipynb": CONTENT,
        },
    )
    result = collect(root, archive, A)
    assert result.scheme == "moodle"
    assert result.collected == {A: ("12345", "23456")}
    assert result.notes == (
        f"refused 34567 (Li Lee)'s {A}: 2 notebooks, none named {NB} (collect the right one by "
        "hand)",
    )


def test_a_blackboard_download_keeps_the_latest_attempt(root, tmp_path):
    early, late = "2026-12-01-10-15-30", "2026-12-02-09-00-00"
    archive = make_zip(
        tmp_path / "blackboard.zip",
        {
            f"Kernel Sizes_jsmith_attempt_{late}_{NB}": CONTENT,
            f"Kernel Sizes_jsmith_attempt_{early}_{NB}": b"early",
            f"Kernel Sizes_jsmith_attempt_{late}.txt": b"receipt",
        },
    )
    result = collect(root, archive, A, lms="auto")
    assert result.scheme == "blackboard" and result.collected == {A: ("jsmith",)}
    assert (root / "submitted" / "jsmith" / A / NB).read_bytes() == CONTENT
    (note,) = result.notes
    assert note.startswith(f"jsmith handed in {A} 2 times: kept the latest")


def test_a_zip_named_no_known_way_is_one_clear_error(root, tmp_path):
    archive = make_zip(tmp_path / "odd.zip", {NB: CONTENT, "readme.txt": b"x"})
    with pytest.raises(GraderError, match=r"no notebook in odd\.zip is named as") as info:
        collect(root, archive)
    assert "\n" not in str(info.value)
