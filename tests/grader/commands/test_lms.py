"""grader.commands.lms: what each LMS's download names say, and which LMS a zip comes from.

The names follow each LMS's documented "download all submissions" layout: Canvas (Instructor
Guide, "How do I download all student submissions for an assignment?": ``<name>_[LATE_]<user
id>_<submission id>_<file>``, ``-1`` on a resubmitted file), Moodle (docs, "Assignment:
grading", *Download all submissions*: ``<full name>_<participant id>_assignsubmission_file_``,
flat or one folder per participant), Blackboard Learn (help, "Download assignments":
``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file>``).
"""

from __future__ import annotations

import pytest

from grader.commands.lms import Handed, detect, parse

NB = "kernel_sizes.ipynb"


@pytest.mark.parametrize(
    ("path", "scheme", "handed"),
    [
        (
            f"muellerjan_12345_67890_{NB}",
            "canvas",
            Handed("12345", NB, name="muellerjan", attempt=(0, 67890)),
        ),
        (
            f"smithanna_LATE_23456_78901_{NB}",
            "canvas",
            Handed("23456", NB, name="smithanna", attempt=(0, 78901), late=True),
        ),
        (
            "muellerjan_12345_67999_kernel_sizes-2.ipynb",
            "canvas",
            Handed("12345", NB, name="muellerjan", attempt=(2, 67999)),
        ),
        (
            f"Jan Müller_12345_assignsubmission_file_{NB}",
            "moodle",
            Handed("12345", NB, name="Jan Müller"),
        ),
        (
            f"download/Anna Smith_23456_assignsubmission_file/{NB}",
            "moodle",
            Handed("23456", NB, name="Anna Smith"),
        ),
        (
            f"Kernel Sizes_jsmith_attempt_2026-12-01-10-15-30_{NB}",
            "blackboard",
            Handed("jsmith", NB, assignment="Kernel Sizes", attempt=("2026-12-01-10-15-30",)),
        ),
        (
            f"s001_practice-1b-kernel-sizes_{NB}",
            "course",
            Handed("s001", NB, assignment="practice-1b-kernel-sizes"),
        ),
    ],
)
def test_what_does_each_lms_name_say(path, scheme, handed):
    assert parse(path, scheme) == handed


@pytest.mark.parametrize(
    ("path", "scheme"),
    [
        (f"s001_practice-1b_{NB}", "canvas"),
        ("Anna Smith_23456_assignsubmission_onlinetext_onlinetext.html", "moodle"),
        ("Kernel Sizes_jsmith_attempt_2026-12-01-10-15-30.txt", "blackboard"),
        (NB, "course"),
    ],
)
def test_are_other_names_not_read_as_that_lms(path, scheme):
    assert parse(path, scheme) is None


@pytest.mark.parametrize(
    ("paths", "scheme"),
    [
        ([f"muellerjan_12345_67890_{NB}", f"smithanna_LATE_23456_78901_{NB}"], "canvas"),
        ([f"Jan Mueller_12345_assignsubmission_file_{NB}", "readme.txt"], "moodle"),
        ([f"Anna Smith_23456_assignsubmission_file/{NB}"], "moodle"),
        ([f"A1_jsmith_attempt_2026-12-01-10-15-30_{NB}", "A1_jsmith_attempt_x.txt"], "blackboard"),
        ([f"s001_practice-1b-kernel-sizes_{NB}", f"s002_practice-1b-kernel-sizes_{NB}"], "course"),
        (["readme.txt", NB], None),
    ],
)
def test_which_lms_does_a_zip_come_from(paths, scheme):
    assert detect(paths) == scheme
