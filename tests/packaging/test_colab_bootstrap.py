"""The Colab bootstrap, proven as far as it can be offline.

The course's wheel is built from the working tree; a fresh venv (outside the repository) gets
only what Colab ships that the course needs (tensorflow, keras, numpy, scipy, matplotlib,
ipywidgets) plus what executing a notebook needs (ipykernel, nbclient, nbformat), at the dev
environment's versions (so pip's cache can serve them); a ``.pth`` file imports a fake
``google.colab`` at interpreter start, as Colab's kernel has it. A copy of the student notebook
01 then runs top to bottom in fast mode in a kernel of that venv, its setup cell installing the
course with ``%pip`` from ``NN_TRICKS_INSTALL_SPEC`` pointed at the local wheel.

Checked: the ``%pip install`` installed the course (``helpers`` imported from the venv's
site-packages, nn-tricks recorded as coming from the wheel) and nothing else (TensorFlow and
every other distribution untouched), and every cell ran without error except the test cells of
the still blank knowledge checks (NotImplementedError, shown as one line by helpers.feedback).

Not checked (needs the published repository, see README "In Google Colab"): the git URL and tag
of the default spec, Colab's own package versions and IPython, the Colab badge links.

Skipped, never failed, when pip cannot install TensorFlow & co. into the fresh venv (offline).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from grader.cells import is_solution
from tools.setup_cell import INSTALL_SPEC_VARIABLE, SETUP_CELL_SOURCE

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "01-keras-baseline" / "keras_baseline.ipynb"
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist-10k"
#: what Colab ships and the course needs (scipy too: Colab has it and pyproject requires it)
COLAB_PACKAGES = ("tensorflow", "keras", "numpy", "scipy", "matplotlib", "ipywidgets")
#: what executing a notebook needs besides
RUNNER_PACKAGES = ("ipykernel", "nbclient", "nbformat")
KERNEL_NAME = "nn-tricks-colab-venv"
PROBE_MARKER = "NN_TRICKS_COLAB_PROBE "
_DELETIONS: list[subprocess.Popen] = []  # the venvs' background deletions, kept referenced
#: copied from the course's source tree into the build copy: everything but these
BUILD_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    "notebooks",
    "solutions",
    "tests",
)
FAKE_COLAB = '''"""A stand-in for Colab's google.colab (tests/packaging/test_colab_bootstrap.py).

Only its presence in sys.modules matters: the course's setup cell tests
``"google.colab" in sys.modules``."""

NN_TRICKS_FAKE = True
'''
DRIVER = """\
import sys

import nbformat
from nbclient import NotebookClient

source, target, workdir, kernel = sys.argv[1:5]
nb = nbformat.read(source, as_version=4)
client = NotebookClient(
    nb, timeout=600, kernel_name=kernel, allow_errors=True,
    resources={"metadata": {"path": workdir}},
)
try:
    client.execute()
finally:
    nbformat.write(nb, target)
"""
PROBE = f"""\
import importlib.metadata, json, sys, sysconfig
import helpers, tensorflow
_colab = sys.modules.get("google.colab")
_dist = importlib.metadata.distribution("nn-tricks")
print({PROBE_MARKER!r} + json.dumps({{
    "helpers": helpers.__file__,
    "purelib": sysconfig.get_paths()["purelib"],
    "executable": sys.executable,
    "colab_in_modules": _colab is not None,
    "colab_is_fake": getattr(_colab, "NN_TRICKS_FAKE", False),
    "pip_exit_code": globals().get("_exit_code"),
    "tensorflow": tensorflow.__version__,
    "nn_tricks": _dist.version,
    "direct_url": _dist.read_text("direct_url.json"),
}}))
"""


def run(command: list, *, cwd: Path, timeout: float, env: dict[str, str] | None = None):
    """Run a command in ``cwd``, never the repository: ``python -c``/``-m`` put the working
    directory on sys.path, and the repository's nn_tricks.egg-info would pass for an install."""
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )


def tail(result: subprocess.CompletedProcess, lines: int = 25) -> str:
    return "\n".join((result.stdout + result.stderr).strip().splitlines()[-lines:])


def normalized(name: str) -> str:
    """A distribution's name as pip compares it (PEP 503): nn_tricks, NN.Tricks -> nn-tricks."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dev_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def pinned(name: str) -> str:
    version = dev_version(name)
    return f"{name}=={version}" if version else name


def dev_constraints() -> list[str]:
    """name==version of every distribution of the running (dev) environment but the course."""
    seen: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if not name or not dist.version:
            continue
        key = normalized(name)
        if key != "nn-tricks":
            seen.setdefault(key, f"{key}=={dist.version}")
    return sorted(seen.values())


def blank_exercises(nb) -> set[str]:
    """Names of the functions the student still has to write (bodies: NotImplementedError)."""
    names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and is_solution(cell) and "NotImplementedError" in cell.source:
            names.update(re.findall(r"^def\s+(\w+)\s*\(", cell.source, flags=re.MULTILINE))
    return names


def may_fail_unanswered(cell, blanks: set[str]) -> bool:
    """A cell calling a blank exercise (a knowledge check's test cell), or a stub itself."""
    if is_solution(cell) and re.search(r"^raise NotImplementedError", cell.source, re.M):
        return True
    body = "\n".join(line for line in cell.source.splitlines() if not line.startswith("def "))
    return any(re.search(rf"\b{re.escape(name)}\s*\(", body) for name in blanks)


def venv_snapshot(python: Path, cwd: Path, env: dict[str, str]) -> dict[str, tuple]:
    """Every distribution of a venv: name -> (version, dist-info path, RECORD's mtime_ns)."""
    script = (
        "import importlib.metadata as m, json, os\n"
        "out = {}\n"
        "for d in m.distributions():\n"
        "    p = str(getattr(d, '_path', ''))\n"
        "    r = os.path.join(p, 'RECORD')\n"
        "    out[d.metadata['Name'].lower()] = "
        "(d.version, p, os.stat(r).st_mtime_ns if os.path.exists(r) else 0)\n"
        "print(json.dumps(out))\n"
    )
    result = run([python, "-c", script], cwd=cwd, timeout=120, env=env)
    assert result.returncode == 0, tail(result)
    return {normalized(name): tuple(value) for name, value in json.loads(result.stdout).items()}


def clean_env(venv: Path, home: Path) -> dict[str, str]:
    """The process environment minus everything that could lead Python or Jupyter back into
    the repository or the dev venv; the venv's bin first on PATH; Jupyter/IPython state in
    ``home``."""
    drop = (
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "MPLBACKEND",
        "TF_CPP_MIN_LOG_LEVEL",
        "PYTEST_CURRENT_TEST",
        INSTALL_SPEC_VARIABLE,
    )
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("JUPYTER")}
    dev_bin = str(Path(sys.executable).parent)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != dev_bin]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["PYTHONNOUSERSITE"] = "1"
    env["IPYTHONDIR"] = str(home / "ipython")
    env["JUPYTER_PATH"] = str(home / "jupyter-path")
    env["JUPYTER_DATA_DIR"] = str(home / "jupyter-data")
    env["JUPYTER_CONFIG_DIR"] = str(home / "jupyter-config")
    env["JUPYTER_RUNTIME_DIR"] = str(home / "jupyter-runtime")
    return env


# ----------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class ColabVenv:
    python: Path  # the venv's interpreter
    purelib: Path  # its site-packages
    cwd: Path  # an empty working directory for its commands
    env: dict[str, str]  # the clean environment for its commands (see clean_env)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The course's wheel, built from a copy of the working tree (the build writes build/ and
    *.egg-info next to the sources: never into the repository)."""
    base = tmp_path_factory.mktemp("course-wheel")
    source = base / "source"
    shutil.copytree(REPO, source, ignore=BUILD_IGNORE)
    # An isolated build, as Colab's pip does it: pip fetches the setuptools that
    # [build-system] asks for (>= 77 for the license field), whatever this venv holds.
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps"]
    result = run([*command, "-w", base / "dist", source], cwd=base, timeout=300)
    assert result.returncode == 0, f"pip wheel failed:\n{tail(result)}"
    wheels = sorted((base / "dist").glob("nn_tricks-*.whl"))
    assert len(wheels) == 1, f"expected one nn_tricks wheel, found {wheels}"
    return wheels[0]


@pytest.fixture(scope="module")
def colab_venv(tmp_path_factory):
    """A fresh venv with Colab's packages and a fake google.colab, deleted afterwards in the
    background (GBs of small files)."""
    if sys.platform == "win32":
        pytest.skip("the Colab venv is built for Linux/macOS layouts")
    base = tmp_path_factory.mktemp("colab-venv")
    venv, cwd = base / "venv", base / "cwd"
    cwd.mkdir()
    env = clean_env(venv, base / "home")
    try:
        result = run([sys.executable, "-m", "venv", venv], cwd=cwd, timeout=300, env=env)
        assert result.returncode == 0, f"python -m venv failed:\n{tail(result)}"
        python = venv / "bin" / "python"
        constraints = base / "dev-constraints.txt"
        constraints.write_text("\n".join(dev_constraints()) + "\n")
        packages = [pinned(name) for name in COLAB_PACKAGES + RUNNER_PACKAGES]
        # --no-compile: byte-compiling TensorFlow's thousands of modules costs a minute here.
        pip = [python, "-m", "pip", "install", "--progress-bar", "off", "--no-compile"]
        start = time.monotonic()
        result = run([*pip, "-c", constraints, *packages], cwd=cwd, timeout=1200, env=env)
        if result.returncode != 0:
            pytest.skip(
                "pip could not install Colab's packages into a fresh venv (offline, or no "
                f"package registry?): {' '.join(packages)}\n{tail(result, 8)}"
            )
        print(f"Colab packages installed in {time.monotonic() - start:.0f} s: {packages}")
        script = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        purelib = Path(run([python, "-c", script], cwd=cwd, timeout=60, env=env).stdout.strip())
        fake = base / "fake-colab"
        (fake / "google" / "colab").mkdir(parents=True)  # google/: a namespace portion
        (fake / "google" / "colab" / "__init__.py").write_text(FAKE_COLAB)
        # A .pth file rather than sitecustomize.py, which a base Python's own (Debian's) shadows.
        (purelib / "zz_nn_tricks_fake_google_colab.pth").write_text(
            f"{fake}\nimport google.colab\n"
        )
        yield ColabVenv(python, purelib, cwd, env)
    finally:
        if venv.exists():  # rename first: pytest's own clean-up never meets a half-deleted tree
            doomed = base / "venv-deleting"
            venv.rename(doomed)
            _DELETIONS.append(
                subprocess.Popen(
                    ["rm", "-rf", str(doomed)],
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )


# ----------------------------------------------------------------------------- tests


def test_the_wheel_holds_every_package_of_the_source_tree(wheel):
    in_wheel = {
        str(Path(name).parent)
        for name in zipfile.ZipFile(wheel).namelist()
        if name.endswith("/__init__.py")
    }
    in_tree = {
        str(init.parent.relative_to(REPO))
        for top in ("helpers", "grader")
        for init in (REPO / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    missing = sorted(in_tree - in_wheel)
    assert not missing, (
        f"packages missing from the wheel (Colab could not import them): {missing}; "
        "list them in pyproject.toml [tool.setuptools] packages"
    )


def test_colab_setup_cell_installs_the_course_and_notebook_01_runs(wheel, colab_venv, tmp_path):
    python, purelib, cwd = colab_venv.python, colab_venv.purelib, colab_venv.cwd
    spec = f"nn-tricks @ {wheel.as_uri()}"
    home = tmp_path / "home"
    env = clean_env(python.parent.parent, home)
    env[INSTALL_SPEC_VARIABLE] = spec
    env["NN_TRICKS_FAST"] = "1"
    mnist = os.environ.get("MNIST_DATA_DIR") or (str(SHARED_MNIST) if SHARED_MNIST.is_dir() else "")
    if mnist:
        env["MNIST_DATA_DIR"] = mnist

    # pip's plan for the setup cell's install, before the kernel does it: the course alone.
    report = tmp_path / "dry-run.json"
    result = run(
        [python, "-m", "pip", "install", "--dry-run", "--quiet", "--report", report, spec],
        cwd=cwd,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, f"pip install --dry-run {spec!r} failed:\n{tail(result)}"
    planned = sorted(
        normalized(item["metadata"]["name"]) for item in json.loads(report.read_text())["install"]
    )
    assert planned == ["nn-tricks"], (
        f"installing the course into Colab's packages would also install {planned}: Colab "
        "would replace what it ships (a TensorFlow reinstall needs a runtime restart)"
    )

    # The notebook: committed setup cell if it already reads the variable, else the new one.
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    setup = code_cells[0]
    if INSTALL_SPEC_VARIABLE not in setup.source:
        setup.source = SETUP_CELL_SOURCE
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    workdir = tmp_path / "notebook"
    workdir.mkdir()
    source, target = workdir / NOTEBOOK.name, workdir / f"executed-{NOTEBOOK.name}"
    nbformat.write(nb, source)
    kernel_dir = home / "jupyter-path" / "kernels" / KERNEL_NAME
    kernel_dir.mkdir(parents=True)
    (kernel_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Colab-like venv",
                "language": "python",
            }
        )
    )
    driver = tmp_path / "run_notebook.py"
    driver.write_text(DRIVER)

    before = venv_snapshot(python, cwd, env)
    start = time.monotonic()
    result = run(
        [python, driver, source, target, workdir, KERNEL_NAME],
        timeout=1500,
        env=env,
        cwd=workdir,
    )
    elapsed = time.monotonic() - start
    print(f"notebook 01 ran in {elapsed:.0f} s in the Colab-like venv")
    assert target.is_file(), f"the notebook did not run:\n{tail(result)}"
    after = venv_snapshot(python, cwd, env)
    executed = nbformat.read(target, as_version=4)
    assert result.returncode == 0, f"nbclient stopped:\n{tail(result)}"

    # %pip installed the course from the wheel, into the venv, and changed nothing else.
    probe_text = "".join(
        output.get("text", "")
        for output in executed.cells[-1].outputs
        if output.get("output_type") == "stream"
    )
    assert PROBE_MARKER in probe_text, f"probe cell printed nothing: {executed.cells[-1].outputs}"
    probe = json.loads(probe_text.split(PROBE_MARKER, 1)[1].splitlines()[0])
    assert probe["colab_in_modules"] and probe["colab_is_fake"], probe
    assert Path(probe["executable"]).parent == python.parent, probe
    helpers_file = Path(probe["helpers"]).resolve()
    assert helpers_file.is_relative_to(purelib.resolve()), f"helpers not from the venv: {probe}"
    assert not helpers_file.is_relative_to(REPO), f"helpers imported from the repo: {probe}"
    assert probe["pip_exit_code"] == 0, f"%pip install failed: {probe}"
    assert json.loads(probe["direct_url"] or "{}").get("url") == wheel.as_uri(), probe
    added = sorted(set(after) - set(before))
    changed = sorted(name for name in before if after.get(name) != before[name])
    assert added == ["nn-tricks"], f"%pip install added {added}, expected nn-tricks alone"
    assert not changed, (
        f"%pip install changed what Colab ships: {changed} "
        f"(tensorflow before {before.get('tensorflow')}, after {after.get('tensorflow')})"
    )

    # Every cell ran; only the test cells of blank knowledge checks may fail, and only so.
    blanks = blank_exercises(executed)
    assert blanks, "the student notebook should have blank knowledge checks"
    problems = []
    for index, cell in enumerate(executed.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is None:
            problems.append(f"cell {index} did not run")
        errors = [out for out in cell.outputs if out.get("output_type") == "error"]
        allowed = may_fail_unanswered(cell, blanks)
        for error in errors:
            if not (allowed and error.get("ename") == "NotImplementedError"):
                trace = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.get("traceback", [])))
                problems.append(
                    f"cell {index} ({cell.source.splitlines()[0]!r}): "
                    f"{error.get('ename')}: {error.get('evalue')}\n{trace[-2000:]}"
                )
    assert not problems, "\n\n".join(problems)
