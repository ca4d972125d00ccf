"""The TA command line of the nn-tricks course: ``python -m helpers.course <command>``.

It wraps nbgrader (configured by ``nbgrader_config.py`` at the course root) so that the
everyday workflow is six short commands::

    python -m helpers.course release                     # solutions/ -> notebooks/
    python -m helpers.course check                       # nbgrader validate, both ways
    python -m helpers.course collect lms-download.zip    # -> submitted/<student>/<assignment>/
    python -m helpers.course autograde practice-1a-l1-vs-l2
    python -m helpers.course feedback practice-1a-l1-vs-l2
    python -m helpers.course export --to grades.csv

Every nbgrader call runs as a subprocess of this interpreter (``python -m nbgrader``) in the
course directory, with this interpreter's ``bin/`` first on PATH (nbgrader shells out to
``alembic`` to create the gradebook). Problems are reported as one line that says what to do,
never as a traceback; the exit status is 0 when everything went through, 1 otherwise.

Autograding is robust to what students do to notebooks: every student is graded in a
separate nbgrader run on a staged copy of the submission (the submitted file is never
modified), so one broken submission cannot abort the batch. A notebook that is not valid JSON
scores 0 with a one-line report; a copy-pasted graded cell (duplicated grade_id) keeps its
grading metadata on the first occurrence only; deleted test cells are restored from the
gradebook and graded; a cell that runs longer than the timeout is interrupted and scores 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = "solutions"
RELEASE_DIR = "notebooks"
SUBMITTED_DIR = "submitted"
AUTOGRADED_DIR = "autograded"
FEEDBACK_DIR = "feedback"
LOG_DIR = "logs"
FAST_MODE_VARIABLE = "NN_TRICKS_FAST"
TIMEOUT_VARIABLE = "NN_TRICKS_CELL_TIMEOUT"
GRADEBOOK_VARIABLE = "NN_TRICKS_GRADEBOOK_URL"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TEST_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
#: LMS file names understood by ``collect``: <student_id>_<assignment>_<notebook>.ipynb
LMS_FILE_PATTERN = r"(?P<student_id>[^/_]+)_(?P<assignment>[^/_]+)_(?P<file_id>[^/]+\.ipynb)"


class CourseError(Exception):
    """A problem the TA can fix; printed as one line, without a traceback."""


# --------------------------------------------------------------------------------------------
# Course directory and nbgrader subprocesses
# --------------------------------------------------------------------------------------------


def find_course_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The course directory: ``explicit``, else the current directory, else this repository."""
    candidates = [Path(explicit)] if explicit else [Path.cwd(), REPO_ROOT]
    for candidate in candidates:
        if (candidate / "nbgrader_config.py").is_file():
            return candidate.resolve()
    where = candidates[0]
    raise CourseError(
        f"no nbgrader_config.py in {where}: run this from the course directory or pass --course-dir"
    )


def subprocess_env(**overrides: str | None) -> dict[str, str]:
    """This process's environment with this interpreter's bin/ first on PATH (for alembic)."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")]) if env.get("PATH") else bin_dir
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_nbgrader(
    root: Path, args: Sequence[str], *, env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m nbgrader <args>`` in ``root``; output captured (and saved to ``log``)."""
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        env=env or subprocess_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(
            f"$ nbgrader {' '.join(args)}\n(exit status {result.returncode})\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result


def nbgrader_error(result: subprocess.CompletedProcess[str]) -> str:
    """The most useful single line of a failed nbgrader run."""
    text = f"{result.stdout}\n{result.stderr}"
    errors = [
        line.split("]", 1)[1].strip()
        for line in text.splitlines()
        if "| ERROR]" in line or "| CRITICAL]" in line
    ]
    errors = [e for e in errors if e and not e.startswith("Please see the")]
    specific = [e for e in errors if not e.startswith("There was an error processing")]
    if specific:
        return specific[0]
    if errors:
        return errors[0]
    tail = [line.strip() for line in text.splitlines() if line.strip()]
    return tail[-1] if tail else f"nbgrader exited with status {result.returncode}"


def assignments_in(directory: Path) -> list[str]:
    """Sorted names of the assignment folders (those holding a notebook) in ``directory``."""
    if not directory.is_dir():
        return []
    return sorted(
        p.name
        for p in directory.iterdir()
        if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb"))
    )


def require_assignment(root: Path, assignment: str) -> Path:
    source = root / SOURCE_DIR / assignment
    if not any(source.glob("*.ipynb")):
        known = ", ".join(assignments_in(root / SOURCE_DIR)) or "none"
        raise CourseError(
            f"no assignment '{assignment}' in {SOURCE_DIR}/ (known: {known}); "
            "check the spelling or add solutions/<assignment>/<notebook>.ipynb"
        )
    return source


# --------------------------------------------------------------------------------------------
# release
# --------------------------------------------------------------------------------------------


def _stable_cell_id(assignment: str, notebook: str, index: int) -> str:
    return hashlib.sha1(f"{assignment}/{notebook}/{index}".encode()).hexdigest()[:8]


def normalize_release(released: Path, source: Path, assignment: str) -> None:
    """Make a released notebook byte-stable: cell ids from the source (or derived), nbformat."""
    import nbformat

    raw_source = json.loads(source.read_text(encoding="utf-8"))
    source_ids = [cell.get("id") for cell in raw_source.get("cells", [])]
    nb = nbformat.read(released, as_version=4)
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        cell_id = source_ids[index] if index < len(source_ids) else None
        if not cell_id or cell_id in seen:
            cell_id = _stable_cell_id(assignment, released.stem, index)
        cell["id"] = cell_id
        seen.add(cell_id)
    nb.nbformat_minor = max(nb.nbformat_minor, 5)
    nbformat.write(nb, released)


def release(root: Path, output: Path | None = None, assignments: Sequence[str] = ()) -> list[Path]:
    """Generate the student version of every assignment in solutions/ into notebooks/."""
    default_output = (root / RELEASE_DIR).resolve()
    output = (output or default_output).resolve()
    names = list(assignments) or assignments_in(root / SOURCE_DIR)
    if not names:
        raise CourseError(f"no assignments in {root / SOURCE_DIR}: nothing to release")
    for name in names:
        require_assignment(root, name)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="nn-tricks-release-") as tmp:
        # A throwaway gradebook: releasing never touches the TA's gradebook.db.
        db_url = f"sqlite:///{Path(tmp) / 'release.db'}"
        staging = Path(tmp) / "release"
        # One nbgrader process for all assignments (its start-up dominates the run time).
        everything = sorted(names) == assignments_in(root / SOURCE_DIR)
        for pattern in ["*"] if everything else names:
            result = run_nbgrader(
                root,
                [
                    "generate_assignment",
                    pattern,
                    "--force",
                    f"--CourseDirectory.db_url={db_url}",
                    f"--CourseDirectory.release_directory={staging}",
                ],
            )
            if result.returncode != 0:
                what = "release" if everything else f"release of {pattern}"
                raise CourseError(f"{what} failed: {nbgrader_error(result)}")
        for name in names:
            for notebook in sorted((staging / name).glob("*.ipynb")):
                normalize_release(notebook, root / SOURCE_DIR / name / notebook.name, name)
            target = output / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(staging / name, target)
            written.extend(sorted(target.glob("*.ipynb")))
    # Stale folders are removed only from notebooks/ itself (never from an arbitrary --output).
    if not assignments and output == default_output and output.is_dir():
        for stale in sorted(p for p in output.iterdir() if p.is_dir() and p.name not in names):
            shutil.rmtree(stale)
            print(f"removed {stale.name}/ from {output.name}/ (no source in {SOURCE_DIR}/)")
    return written


# --------------------------------------------------------------------------------------------
# check (nbgrader validate)
# --------------------------------------------------------------------------------------------


def has_graded_cells(path: Path) -> bool:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return any(
        cell.get("metadata", {}).get("nbgrader", {}).get("grade") for cell in nb.get("cells", [])
    )


@dataclass
class ValidationResult:
    notebook: Path
    ok: bool
    message: str


def validate(root: Path, notebook: Path, *, invert: bool, env: dict[str, str]) -> ValidationResult:
    """``nbgrader validate`` (which always exits 0): read its verdict from what it prints."""
    args = ["validate", str(notebook)] + (["--invert"] if invert else [])
    result = run_nbgrader(root, args, env=env)
    out = result.stdout
    if invert:
        ok = "Success! The notebook does not pass any tests." in out
        what = "no test passes on the blank release" if ok else "a test passes on the blank"
    else:
        ok = "Success! Your notebook passes all the tests." in out
        what = "all tests pass" if ok else "tests fail"
    if result.returncode != 0 or "CHANGED" in out:
        ok = False
        what = nbgrader_error(result) if result.returncode != 0 else "cells changed"
    return ValidationResult(notebook, ok, what)


def check(
    root: Path, assignments: Sequence[str] = (), *, full: bool = False
) -> list[ValidationResult]:
    """Validate every solution notebook (must pass) and every graded release (must not)."""
    env = subprocess_env(**{FAST_MODE_VARIABLE: None if full else "1"})
    names = list(assignments) or assignments_in(root / SOURCE_DIR)
    if not names:
        raise CourseError(f"no assignments in {root / SOURCE_DIR}: nothing to check")
    results = []
    for name in names:
        require_assignment(root, name)
        for notebook in sorted((root / SOURCE_DIR / name).glob("*.ipynb")):
            results.append(validate(root, notebook, invert=False, env=env))
            released = root / RELEASE_DIR / name / notebook.name
            if not released.is_file():
                results.append(ValidationResult(released, False, "missing: run `make release`"))
            elif has_graded_cells(released):
                results.append(validate(root, released, invert=True, env=env))
    return results


# --------------------------------------------------------------------------------------------
# collect (nbgrader zip_collect)
# --------------------------------------------------------------------------------------------


def collect(root: Path, archive: Path, assignment: str | None = None) -> dict[str, list[str]]:
    """Unpack an LMS download into submitted/<student>/<assignment>/ via nbgrader zip_collect."""
    if not archive.is_file():
        raise CourseError(f"{archive} not found: pass the zip file downloaded from the LMS")
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if n.endswith(".ipynb")]
    except zipfile.BadZipFile:
        raise CourseError(f"{archive} is not a zip file: download the submissions again") from None
    found: dict[str, list[str]] = {}
    skipped = []
    for name in names:
        match = re.fullmatch(r"(?:.*/)?" + LMS_FILE_PATTERN, name)
        if match is None:
            skipped.append(name)
            continue
        found.setdefault(match["assignment"], []).append(match["student_id"])
    if assignment is not None:
        found = {assignment: found.get(assignment, [])}
    if not any(found.values()):
        raise CourseError(
            f"no file in {archive.name} is named <student_id>_<assignment>_<notebook>.ipynb"
            + (f" for {assignment}" if assignment else "")
        )
    for skipped_name in skipped:
        print(f"skipped {skipped_name}: not <student_id>_<assignment>_<notebook>.ipynb")
    for name in sorted(found):
        require_assignment(root, name)
        archive_dir = root / "downloaded" / name / "archive"
        if archive_dir.exists():
            shutil.rmtree(archive_dir)
        archive_dir.mkdir(parents=True)
        shutil.copy2(archive, archive_dir / archive.name)
        regexp = (
            r".*/"
            + LMS_FILE_PATTERN.replace(
                r"(?P<assignment>[^/_]+)", f"(?P<assignment>{re.escape(name)})"
            )
            + "$"
        )
        result = run_nbgrader(
            root,
            [
                "zip_collect",
                name,
                "--force",
                f"--FileNameCollectorPlugin.named_regexp={regexp}",
            ],
            log=root / LOG_DIR / f"collect-{name}.log",
        )
        if result.returncode != 0:
            raise CourseError(f"collect of {name} failed: {nbgrader_error(result)}")
    return {name: sorted(set(students)) for name, students in found.items()}


# --------------------------------------------------------------------------------------------
# autograde
# --------------------------------------------------------------------------------------------


@dataclass
class GradeReport:
    student: str
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    failed: bool = False


def submitted_students(root: Path, assignment: str) -> list[str]:
    base = root / SUBMITTED_DIR
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def sync_gradebook(root: Path, assignment: str) -> None:
    """Record the assignment's cells in the TA gradebook (release output thrown away)."""
    with tempfile.TemporaryDirectory(prefix="nn-tricks-sync-") as tmp:
        result = run_nbgrader(
            root,
            [
                "generate_assignment",
                assignment,
                "--force",
                f"--CourseDirectory.release_directory={tmp}",
            ],
            log=root / LOG_DIR / f"gradebook-{assignment}.log",
        )
    if result.returncode != 0:
        raise CourseError(
            f"could not record {assignment} in the gradebook: {nbgrader_error(result)}"
        )


def _read_notebook(path: Path):
    import nbformat

    try:
        json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, "not a notebook (not UTF-8 text)"
    except json.JSONDecodeError as exc:
        return None, f"not a notebook (invalid JSON at line {exc.lineno} column {exc.colno})"
    try:
        return nbformat.read(path, as_version=4), None
    except Exception as exc:  # any unreadable file is the same case for the TA
        first = (str(exc).splitlines() or [""])[0][:80]
        return None, f"not a notebook ({type(exc).__name__}: {first})"


def stage_submission(source: Path, staged: Path) -> tuple[list[str], list[str]]:
    """Copy one submission folder; repair duplicated grade_ids in the copy.

    Returns (notes, unreadable notebooks). In a notebook where the same grade_id occurs more
    than once (a copy-pasted graded cell), only the first occurrence keeps its nbgrader
    metadata: nbgrader 0.9.6 would otherwise abort.
    """
    import nbformat

    shutil.copytree(source, staged)
    notes: list[str] = []
    unreadable: list[str] = []
    for path in sorted(staged.glob("*.ipynb")):
        nb, problem = _read_notebook(path)
        if nb is None:
            unreadable.append(f"{path.name}: {problem}")
            path.unlink()
            continue
        seen: set[str] = set()
        duplicates: list[str] = []
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id is None:
                continue
            if grade_id in seen:
                duplicates.append(grade_id)
                del cell.metadata["nbgrader"]
                for key in ("deletable", "editable"):
                    cell.metadata.pop(key, None)
            seen.add(grade_id)
        if duplicates:
            notes.append(
                f"{path.name}: duplicated cell(s) {', '.join(sorted(set(duplicates)))}: "
                "graded the first occurrence"
            )
            nbformat.write(nb, path)
    return notes, unreadable


def record_zero(root: Path, assignment: str, student: str) -> None:
    """Give every graded cell of the student's submission 0 points in the gradebook."""
    import warnings

    from nbgrader.api import Gradebook

    with warnings.catch_warnings(), Gradebook(_db_url(root), "nn-tricks") as gb:
        # nbgrader's own API trips SQLAlchemy autoflush warnings here (harmless).
        warnings.simplefilter("ignore")
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gb.db.commit()


def _db_url(root: Path) -> str:
    return os.environ.get(GRADEBOOK_VARIABLE) or f"sqlite:///{root / 'gradebook.db'}"


def read_score(root: Path, assignment: str, student: str) -> tuple[float, float] | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(_db_url(root), "nn-tricks") as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        return float(submission.score), float(submission.max_score)


def restored_cells(root: Path, assignment: str, student: str) -> list[str]:
    """Grade cells nbgrader put back because the student deleted them."""
    names = []
    for path in sorted((root / AUTOGRADED_DIR / student / assignment).glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        names += re.findall(r"This cell \(id:([^)]+)\) was missing from the submission", text)
    return names


def autograde(
    root: Path,
    assignment: str,
    students: Sequence[str] = (),
    *,
    timeout: int | None = None,
    full: bool = False,
) -> list[GradeReport]:
    """Autograde every (or the given) student's submission of ``assignment``, one at a time."""
    require_assignment(root, assignment)
    available = submitted_students(root, assignment)
    if not available:
        raise CourseError(
            f"no submissions for {assignment} in {SUBMITTED_DIR}/: "
            "run `python -m helpers.course collect <lms.zip>` first"
        )
    if students:
        unknown = [s for s in students if s not in available]
        if unknown:
            raise CourseError(
                f"no submission of {assignment} from {', '.join(unknown)} in {SUBMITTED_DIR}/"
            )
    selected = list(students) or available
    sync_gradebook(root, assignment)
    env = subprocess_env(
        **{
            FAST_MODE_VARIABLE: None if full else "1",
            TIMEOUT_VARIABLE: str(timeout) if timeout else None,
        }
    )
    if timeout is None:
        env.pop(TIMEOUT_VARIABLE, None)
        if os.environ.get(TIMEOUT_VARIABLE):
            env[TIMEOUT_VARIABLE] = os.environ[TIMEOUT_VARIABLE]
    reports = []
    with tempfile.TemporaryDirectory(prefix="nn-tricks-grade-") as tmp:
        for student in selected:
            report = GradeReport(student)
            started = time.perf_counter()
            stage_root = Path(tmp) / student
            notes, unreadable = stage_submission(
                root / SUBMITTED_DIR / student / assignment, stage_root / student / assignment
            )
            report.notes += notes
            autograded = root / AUTOGRADED_DIR / student / assignment
            if unreadable:
                report.notes += [f"{u}: scored 0, ask the student to resubmit" for u in unreadable]
            expected = {p.name for p in (root / SOURCE_DIR / assignment).glob("*.ipynb")}
            present = {p.name for p in (stage_root / student / assignment).glob("*.ipynb")}
            if not unreadable and not present & expected:
                found = ", ".join(sorted(present)) or "no notebook"
                report.notes.append(
                    f"no {', '.join(sorted(expected))} in the submission (found: {found}): "
                    "scored 0, ask the student to resubmit under that name"
                )
            if not present & expected:
                if autograded.exists():
                    shutil.rmtree(autograded)
                record_zero(root, assignment, student)
            else:
                result = run_nbgrader(
                    root,
                    [
                        "autograde",
                        assignment,
                        f"--student={student}",
                        "--force",
                        f"--CourseDirectory.submitted_directory={stage_root}",
                    ],
                    env=env,
                    log=root / LOG_DIR / f"autograde-{assignment}-{student}.log",
                )
                if result.returncode != 0:
                    report.failed = True
                    report.notes.append(
                        f"autograde failed: {nbgrader_error(result)} "
                        f"(details: {LOG_DIR}/autograde-{assignment}-{student}.log)"
                    )
                else:
                    for cell in restored_cells(root, assignment, student):
                        report.notes.append(f"deleted cell {cell} restored and graded")
                    log = f"{result.stdout}\n{result.stderr}"
                    if "CellTimeoutError" in log or "Timeout waiting for execute reply" in log:
                        report.notes.append("a cell hit the timeout and was interrupted")
            score = read_score(root, assignment, student)
            if score is not None and not report.failed:
                report.score, report.max_score = score
            report.seconds = time.perf_counter() - started
            reports.append(report)
            print(format_report(report), flush=True)
    return reports


def format_report(report: GradeReport) -> str:
    if report.failed or report.score is None:
        score = "  not graded"
    else:
        score = f"{report.score:5.1f} / {report.max_score:<5.1f}"
    line = f"  {report.student:<20} {score}  {report.seconds:6.1f} s"
    return "\n".join([line] + [f"      {note}" for note in report.notes])


# --------------------------------------------------------------------------------------------
# feedback, export
# --------------------------------------------------------------------------------------------


def feedback(root: Path, assignment: str) -> list[Path]:
    require_assignment(root, assignment)
    graded = sorted((root / AUTOGRADED_DIR).glob(f"*/{assignment}"))
    if not graded:
        raise CourseError(
            f"nothing autograded for {assignment}: run "
            f"`python -m helpers.course autograde {assignment}` first"
        )
    result = run_nbgrader(
        root,
        ["generate_feedback", assignment, "--force"],
        log=root / LOG_DIR / f"feedback-{assignment}.log",
    )
    if result.returncode != 0:
        raise CourseError(f"feedback for {assignment} failed: {nbgrader_error(result)}")
    return sorted((root / FEEDBACK_DIR).glob(f"*/{assignment}/*.html"))


def export(root: Path, to: Path) -> int:
    to = to if to.is_absolute() else Path.cwd() / to
    result = run_nbgrader(root, ["export", f"--to={to}"], log=root / LOG_DIR / "export.log")
    if result.returncode != 0 or not to.is_file():
        raise CourseError(f"export failed: {nbgrader_error(result)}")
    with to.open(encoding="utf-8") as fh:
        return max(sum(1 for _ in fh) - 1, 0)


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------


def _cmd_release(args: argparse.Namespace) -> int:
    """Generate notebooks/ from solutions/ (all assignments, or those named).

    Example: python -m helpers.course release
    """
    root = find_course_root(args.course_dir)
    written = release(root, Path(args.output) if args.output else None, args.assignments)
    print(f"released {len(written)} notebook(s) into {args.output or RELEASE_DIR}/")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    """Validate: solutions pass all tests; blank released notebooks pass none.

    Example: python -m helpers.course check practice-1a-l1-vs-l2
    """
    root = find_course_root(args.course_dir)
    results = check(root, args.assignments, full=args.full)
    bad = [r for r in results if not r.ok]
    for r in results:
        rel = r.notebook.relative_to(root) if r.notebook.is_relative_to(root) else r.notebook
        print(f"  {'ok  ' if r.ok else 'FAIL'} {rel}: {r.message}")
    print(f"checked {len(results)} notebook(s): {len(bad)} problem(s)")
    return 1 if bad else 0


def _cmd_collect(args: argparse.Namespace) -> int:
    """Unpack an LMS zip into submitted/<student>/<assignment>/ (nbgrader zip_collect).

    Files in the zip must be named <student_id>_<assignment>_<notebook>.ipynb, e.g.
    s1234567_practice-1a-l1-vs-l2_l1_vs_l2.ipynb (student ids contain no underscore).

    Example: python -m helpers.course collect ~/Downloads/practice-1a.zip
    """
    root = find_course_root(args.course_dir)
    found = collect(root, Path(args.archive).expanduser(), args.assignment)
    for name, students in sorted(found.items()):
        print(f"collected {len(students)} submission(s) of {name} into {SUBMITTED_DIR}/")
    return 0


def _cmd_autograde(args: argparse.Namespace) -> int:
    """Autograde submissions, each student in its own nbgrader run (fast mode unless --full).

    Example: python -m helpers.course autograde practice-1a-l1-vs-l2 --student s1234567
    """
    root = find_course_root(args.course_dir)
    mode = "full" if args.full else f"fast ({FAST_MODE_VARIABLE}=1)"
    print(f"autograding {args.assignment} in {mode} mode")
    reports = autograde(
        root, args.assignment, args.student or (), timeout=args.timeout, full=args.full
    )
    failed = [r for r in reports if r.failed]
    graded = [r for r in reports if r.score is not None]
    total = sum(r.seconds for r in reports)
    print(
        f"graded {len(graded)} of {len(reports)} submission(s) of {args.assignment} "
        f"in {total:.0f} s; {len(failed)} failed" + ("" if not failed else f" (see {LOG_DIR}/)")
    )
    return 1 if failed else 0


def _cmd_feedback(args: argparse.Namespace) -> int:
    """Write feedback HTML for every autograded submission into feedback/.

    Example: python -m helpers.course feedback practice-1a-l1-vs-l2
    """
    root = find_course_root(args.course_dir)
    pages = feedback(root, args.assignment)
    print(f"wrote {len(pages)} feedback page(s) into {FEEDBACK_DIR}/<student>/{args.assignment}/")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    """Export all grades in the gradebook to a CSV file.

    Example: python -m helpers.course export --to grades.csv
    """
    root = find_course_root(args.course_dir)
    rows = export(root, Path(args.to))
    print(f"exported {rows} grade row(s) to {args.to}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.course",
        description="nn-tricks TA workflow (nbgrader): release, check, collect, autograde, "
        "feedback, export.",
    )
    parser.add_argument(
        "--course-dir", help="course directory (default: current directory, else the repo)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        doc = (func.__doc__ or "").strip()
        p = sub.add_parser(
            name,
            help=help_text,
            description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p

    p = add("release", _cmd_release, "generate notebooks/ from solutions/")
    p.add_argument("assignments", nargs="*", help="assignment folders (default: all)")
    p.add_argument("--output", help="release directory (default: notebooks/)")

    p = add("check", _cmd_check, "nbgrader validate solutions and blank releases")
    p.add_argument("assignments", nargs="*", help="assignment folders (default: all)")
    p.add_argument("--full", action="store_true", help="run in full mode (default: fast mode)")

    p = add("collect", _cmd_collect, "unpack an LMS zip into submitted/")
    p.add_argument("archive", help="zip downloaded from the LMS")
    p.add_argument("--assignment", help="only collect this assignment")

    p = add("autograde", _cmd_autograde, "autograde submissions")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument(
        "--timeout",
        type=int,
        help=f"per-cell timeout in seconds (default: ${TIMEOUT_VARIABLE} or 300)",
    )
    p.add_argument("--full", action="store_true", help="grade in full mode (default: fast mode)")

    p = add("feedback", _cmd_feedback, "generate feedback HTML")
    p.add_argument("assignment")

    p = add("export", _cmd_export, "export grades to CSV")
    p.add_argument("--to", default="grades.csv", help="CSV file (default: grades.csv)")
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    args = build_parser().parse_args(None if argv is None else list(argv))
    try:
        return args.func(args)
    except CourseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
