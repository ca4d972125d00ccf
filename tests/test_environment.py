"""environment.yml (conda users) installs the same set as pyproject.toml (make setup)."""

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
#: extras that only a benchmark needs (the PyTorch peer); the course environment leaves them out
NOT_IN_THE_COURSE_ENVIRONMENT = frozenset({"peers"})


def pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = set(project["dependencies"])
    for name, extra in project["optional-dependencies"].items():
        if name in NOT_IN_THE_COURSE_ENVIRONMENT:
            continue
        requirements.update(r for r in extra if not r.startswith("nn-tricks"))
    return {r.replace(" ", "") for r in requirements}


def environment_pip_requirements() -> set[str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("  - pip:") + 1
    requirements = set()
    for line in lines[start:]:
        match = re.match(r"^\s+- (\S+)", line)
        if match and match.group(1) != "-e":
            requirements.add(match.group(1))
    return requirements


def test_environment_yml_lists_exactly_the_pyproject_requirements():
    in_pyproject = pyproject_requirements()
    in_environment = environment_pip_requirements()
    assert in_environment == in_pyproject, (
        f"only in environment.yml: {sorted(in_environment - in_pyproject)}; "
        f"only in pyproject.toml: {sorted(in_pyproject - in_environment)}"
    )


def test_every_environment_dependency_says_why_it_is_there():
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if re.match(r"^\s+- ", line) and line.strip() != "- pip:":
            assert "#" in line, f"no comment on: {line.strip()}"


def test_environment_installs_the_course_package():
    assert re.search(r"^\s+- -e \.\s", (ROOT / "environment.yml").read_text(), re.M)
