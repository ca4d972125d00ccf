"""The README lists every released notebook with an Open-in-Colab badge at the release tag
``v<version>``, the version of pyproject.toml, as every notebook's setup cell pins it."""

import importlib.metadata
import json
import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import helpers

ROOT = Path(__file__).resolve().parents[1]
COLAB = "https://colab.research.google.com/github/nn-tricks/nn-tricks/blob/"
#: a release tag: v0.1.0, v1.2 (not a word that merely ends in v)
RELEASE_TAG = re.compile(r"(?<![\w.])v(\d+(?:\.\d+)+)\b")


def package_version() -> str:
    """``[project] version`` of pyproject.toml: the one place the version is spelled."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def setup_cell(notebook: Path) -> str:
    """The source of a notebook's first code cell (the Colab bootstrap)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = next(c["source"] for c in cells if c["cell_type"] == "code")
    return "".join(source) if isinstance(source, list) else source


def released_notebooks() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*/*.ipynb"))


def test_every_released_notebook_has_a_link_and_a_colab_badge_at_the_pinned_ref():
    readme = (ROOT / "README.md").read_text()
    ref = f"v{package_version()}"
    for notebook in released_notebooks():
        assert f"]({notebook})" in readme, f"README does not link {notebook}"
        assert f"{COLAB}{ref}/{notebook}" in readme, f"README has no Colab badge for {notebook}"


def test_every_release_tag_in_the_readme_and_the_setup_cells_is_the_package_version():
    version = package_version()
    texts = {"README.md": (ROOT / "README.md").read_text()}
    for folder in ("solutions", "notebooks"):
        for notebook in sorted((ROOT / folder).glob("*/*.ipynb")):
            texts[str(notebook.relative_to(ROOT))] = setup_cell(notebook)
    tags = {name: RELEASE_TAG.findall(text) for name, text in texts.items()}
    assert {name for name, found in tags.items() if not found} == set(), "no release tag"
    wrong = {name: sorted(set(found) - {version}) for name, found in tags.items()}
    assert {name: found for name, found in wrong.items() if found} == {}, f"version {version}"


def test_the_installed_package_reports_the_pyproject_version():
    version = package_version()
    assert importlib.metadata.version("nn-tricks") == version, "reinstall: make setup"
    assert helpers.__version__ == version


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
