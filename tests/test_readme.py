"""The README lists every released notebook with an Open-in-Colab badge at the pinned ref."""

import re
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parents[1]
COLAB = "https://colab.research.google.com/github/nn-tricks/nn-tricks/blob/"


def released_notebooks() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*/*.ipynb"))


def test_every_released_notebook_has_a_link_and_a_colab_badge_at_the_pinned_ref():
    readme = (ROOT / "README.md").read_text()
    ref = f"v{helpers.__version__}"
    for notebook in released_notebooks():
        assert f"]({notebook})" in readme, f"README does not link {notebook}"
        assert f"{COLAB}{ref}/{notebook}" in readme, f"README has no Colab badge for {notebook}"


def test_readme_links_point_at_existing_notebooks():
    readme = (ROOT / "README.md").read_text()
    for link in re.findall(r"\]\((notebooks/[^)]+\.ipynb)\)", readme):
        assert (ROOT / link).is_file(), f"README links {link}, which does not exist"


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme
    assert "make test" in readme


def makefile_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.MULTILINE))


def test_every_make_command_in_the_docs_exists():
    targets = makefile_targets()
    assert {"setup", "lab", "test"} <= targets
    for doc in ("README.md", "CONTRIBUTING.md"):
        for target in re.findall(r"`make ([a-z][\w-]*)", (ROOT / doc).read_text()):
            assert target in targets, f"{doc} mentions `make {target}`, which the Makefile lacks"


def test_every_course_command_is_documented_for_tas():
    from grader.cli import build_parser

    readme = (ROOT / "README.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices
    for command in commands:
        assert f"`make {command}" in readme, f"README's TA table lacks `make {command}`"
