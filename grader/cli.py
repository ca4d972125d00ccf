"""The TA command line of the nn-tricks course: ``python -m grader <command>``.

    python -m grader release                       # solutions/ -> notebooks/
    python -m grader check                         # nbgrader validate, both ways
    python -m grader collect lms-download.zip      # -> submitted/<student>/<assignment>/
    python -m grader autograde practice-1a-l1-vs-l2
    python -m grader feedback practice-1a-l1-vs-l2
    python -m grader export --to grades.csv
    python -m grader db upgrade                    # migrate the gradebook's schema

This is the only module that prints. Importing it imports nothing heavy (no nbgrader, no
TensorFlow): each command imports what it needs when it runs, so ``--help`` is instant.
Problems are one line (``error: ...``), never a traceback. Exit status: 0 when everything went
through (for autograde: every submission graded); 1 when something needs the TA's attention
(a failed check, a refused zip entry, a submission that needs review or is not graded); 2 for a
usage error or a problem the TA must fix before the command can run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from grader import settings
from grader.commands.lms import SCHEMES
from grader.commands.lms_export import LMSS
from grader.errors import GraderError
from grader.run.jobs import Limits
from grader.sandbox.modes import SANDBOX_MODES

if TYPE_CHECKING:
    from grader.batch.plan import AutogradeOptions

EXIT_OK, EXIT_ATTENTION, EXIT_USAGE = 0, 1, 2
PROG = "python -m grader"


def _root(args: argparse.Namespace) -> Path:
    from grader.layout import find_course_root

    return find_course_root(args.course_dir)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------


def _cmd_release(args: argparse.Namespace) -> int:
    """Generate notebooks/ from solutions/ (all assignments, or those named).

    Example: python -m grader release
    """
    from grader.commands.release import release

    root = _root(args)
    result = release(root, Path(args.output) if args.output else None, args.assignments)
    for name in result.removed:
        print(f"removed {name}/ from {settings.RELEASE_DIR}/ (no source in {settings.SOURCE_DIR}/)")
    print(f"released {len(result.written)} notebook(s) into {args.output or settings.RELEASE_DIR}/")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    """Validate: solutions pass all tests; blank released notebooks pass none.

    Example: python -m grader check practice-1a-l1-vs-l2
    """
    from grader.commands.validate import check

    root = _root(args)
    results = check(root, args.assignments, full=args.full)
    bad = [r for r in results if not r.ok]
    for r in results:
        print(f"  {'ok  ' if r.ok else 'FAIL'} {_relative(r.notebook, root)}: {r.message}")
    print(f"checked {len(results)} notebook(s): {len(bad)} problem(s)")
    return EXIT_ATTENTION if bad else EXIT_OK


def _cmd_collect(args: argparse.Namespace) -> int:
    """Unpack an LMS zip into submitted/<student>/<assignment>/.

    Files in the zip must be named <student_id>_<assignment>_<notebook>.ipynb, e.g.
    s1234567_practice-1a-l1-vs-l2_l1_vs_l2.ipynb (student ids contain no underscore). Unsafe
    entries (absolute paths, '..', odd names) are refused with one line each.

    Example: python -m grader collect ~/Downloads/canvas.zip --assignment practice-1a-l1-vs-l2
    """
    from grader.commands.collect import collect

    root = _root(args)
    result = collect(root, Path(args.archive).expanduser(), args.assignment, args.lms)
    print(f"read {args.archive} as a {result.scheme} download")
    for note in result.notes:
        print(f"  {note}")
    for name, students in result.collected.items():
        print(f"collected {len(students)} submission(s) of {name} into {settings.SUBMITTED_DIR}/")
    if not result.collected:
        print("collected nothing")
    refused = any(note.startswith("refused") for note in result.notes)
    return EXIT_ATTENTION if refused or not result.collected else EXIT_OK


def _autograde_options(args: argparse.Namespace) -> AutogradeOptions:
    from grader.batch.plan import AutogradeOptions

    runner = args.runner
    if runner is None:
        if args.scheduler or args.dask_local:
            runner = "dask"
        elif args.workers:
            runner = "processes"
        else:
            runner = "sequential"
    defaults = Limits()
    limits = Limits(
        memory_mb=args.memory_mb or defaults.memory_mb,
        cpu_seconds=defaults.cpu_seconds,
        cell_cpu_seconds=args.cell_cpu_seconds or defaults.cell_cpu_seconds,
        cell_wall_seconds=args.timeout or settings.cell_timeout() or defaults.cell_wall_seconds,
    )
    return AutogradeOptions(
        students=tuple(args.student or ()),
        full=args.full,
        runner=runner,
        workers=args.workers,
        scheduler=args.scheduler,
        dask_local=args.dask_local,
        sandbox=args.sandbox,
        limits=limits,
    )


def _reporter(total: int) -> tuple[Callable[[str], None], Callable[[], None]]:
    """(one line per submission, close): the progress bar of :mod:`grader.batch.progress`."""
    from grader.batch.progress import ProgressReporter

    reporter = ProgressReporter(total)
    return reporter.finished, reporter.close


def _cmd_autograde(args: argparse.Namespace) -> int:
    """Autograde submissions: each in its own sandbox, verdicts decided against the reference
    run of the solution, grades recorded by nbgrader. Fast mode unless --full.

    Exit status 0 only when every submission is graded; 1 when any needs review or is not
    graded (see the summary); 2 when the batch cannot run.

    Example: python -m grader autograde practice-1a-l1-vs-l2 --student s1234567
    """
    from grader.batch.autograde import run_batch
    from grader.batch.plan import plan_batch
    from grader.batch.report import format_outcome, format_summary

    root = _root(args)
    options = _autograde_options(args)
    mode = "full" if args.full else f"fast ({settings.FAST_MODE_VARIABLE}=1)"
    print(f"autograding {args.assignment} in {mode} mode", flush=True)
    plan = plan_batch(root, args.assignment, options)
    print(
        f"planned {len(plan.submissions)} submission(s); reference run of the solution first",
        flush=True,
    )
    line, close = _reporter(len(plan.submissions))
    try:
        report = run_batch(plan, on_outcome=lambda outcome: line(format_outcome(outcome)))
    finally:
        close()
    print(format_summary(report))
    return report.exit_status


def _cmd_feedback(args: argparse.Namespace) -> int:
    """Write feedback HTML for every autograded submission into feedback/.

    Example: python -m grader feedback practice-1a-l1-vs-l2
    """
    from grader.commands.feedback import feedback

    root = _root(args)
    pages = feedback(root, args.assignment)
    where = f"{settings.FEEDBACK_DIR}/<student>/{args.assignment}/"
    print(f"wrote {len(pages)} feedback page(s) into {where}")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    """Export all grades with their status (graded / needs review / not graded) to CSV.

    A submission that was not graded has an empty score (never a plain 0) and a reason.

    Example: python -m grader export --to grades.csv --lms canvas --assignment practice-1a-l1-vs-l2
    """
    from grader.commands.export import export

    root = _root(args)
    to = Path(args.to)
    result = export(
        root,
        to if to.is_absolute() else Path.cwd() / to,
        lms=args.lms,
        assignment=args.assignment,
        column=args.lms_column,
    )
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.by_status.items()))
    print(f"exported {result.rows} grade row(s) to {args.to}" + (f" ({counts})" if counts else ""))
    if result.lms is not None:
        print(
            f"wrote {result.lms.grades.name} for {args.lms} ({result.lms.exported} graded); "
            f"{result.lms.held_back} held back without a grade, listed in {result.lms.held.name}"
        )
    return EXIT_OK


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Upgrade the gradebook's schema to this nbgrader's (back up a SQLite file first).

    Example: python -m grader db upgrade
    """
    try:
        from grader.nbgrader import database
    except ImportError as exc:  # nbgrader or SQLAlchemy missing from this environment
        raise GraderError(f"db upgrade needs {exc.name}: install the grading extra") from None
    url = args.url or settings.gradebook_url(_root(args))
    try:
        database.upgrade(url)
    except Exception as exc:  # the database's own error types: one line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise GraderError(f"db upgrade failed: {first}") from None
    print("gradebook schema is up to date")
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _student_id(text: str) -> str:
    if not text or text in {".", ".."} or "/" in text or "\\" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a student id")
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m grader``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="nn-tricks TA workflow: release, check, collect, autograde, feedback, "
        "export, db upgrade.",
    )
    parser.add_argument(
        "--course-dir", help="course directory (default: current directory, else the repo)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    def add(
        where: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        func: Callable[[argparse.Namespace], int],
        help_text: str,
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = where.add_parser(
            name,
            help=help_text,
            description=(func.__doc__ or "").strip(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p

    p = add(sub, "release", _cmd_release, "generate notebooks/ from solutions/")
    p.add_argument("assignments", nargs="*", help="assignment folders (default: all)")
    p.add_argument("--output", help="release directory (default: notebooks/)")

    p = add(sub, "check", _cmd_check, "nbgrader validate solutions and blank releases")
    p.add_argument("assignments", nargs="*", help="assignment folders (default: all)")
    p.add_argument("--full", action="store_true", help="run in full mode (default: fast mode)")

    p = add(sub, "collect", _cmd_collect, "unpack an LMS zip into submitted/")
    p.add_argument("archive", help="zip downloaded from the LMS")
    p.add_argument(
        "--assignment",
        help="only collect this assignment (a Canvas or Moodle download needs it)",
    )
    p.add_argument(
        "--lms",
        choices=("auto", *SCHEMES),
        default="auto",
        help="how the zip names its files (default: detect it)",
    )

    p = add(sub, "autograde", _cmd_autograde, "autograde submissions")
    p.add_argument("assignment")
    p.add_argument(
        "--student", action="append", type=_student_id, help="grade only this student (repeatable)"
    )
    p.add_argument("--full", action="store_true", help="grade in full mode (default: fast mode)")
    p.add_argument(
        "--runner",
        choices=("sequential", "processes", "dask"),
        help="where submissions run (default: processes with --workers, dask with --scheduler "
        "or --dask-local, else sequential)",
    )
    p.add_argument(
        "--workers", type=_positive_int, help="submissions in flight at once (processes)"
    )
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument(
        "--dask-local", type=_positive_int, help="start a local Dask cluster of N workers"
    )
    p.add_argument(
        "--sandbox",
        choices=SANDBOX_MODES,
        default="auto",
        help="bubblewrap: auto (when present), require (refuse without), off (tests only)",
    )
    p.add_argument(
        "--memory-mb",
        type=_positive_int,
        help=f"memory limit of each sandbox in MiB (default {Limits().memory_mb})",
    )
    p.add_argument(
        "--cell-cpu-seconds",
        type=_positive_int,
        help=f"CPU budget of one cell in CPU seconds (default {Limits().cell_cpu_seconds})",
    )
    p.add_argument(
        "--timeout",
        type=_positive_int,
        help="wall-clock backstop of one cell in seconds "
        f"(default ${settings.TIMEOUT_VARIABLE} or {Limits().cell_wall_seconds})",
    )

    p = add(sub, "feedback", _cmd_feedback, "generate feedback HTML")
    p.add_argument("assignment")

    p = add(sub, "export", _cmd_export, "export grades (with status) to CSV")
    p.add_argument("--to", default="grades.csv", help="CSV file (default: grades.csv)")
    p.add_argument(
        "--lms",
        choices=LMSS,
        help="also write one assignment's grades as this LMS imports them "
        "(<to>-<lms>-<assignment>.csv; held rows in ...-held.csv)",
    )
    p.add_argument("--assignment", help="the assignment of the LMS import file")
    p.add_argument("--lms-column", help='Canvas\'s assignment column, e.g. "Kernel sizes (67890)"')

    db = sub.add_parser("db", help="gradebook database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="db-command")
    p = add(db_sub, "upgrade", _cmd_db_upgrade, "migrate the gradebook to the current schema")
    p.add_argument(
        "--url", help=f"gradebook URL (default: ${settings.GRADEBOOK_VARIABLE}, else gradebook.db)"
    )
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    """Run one command; its exit status (see the module docstring)."""
    args = build_parser().parse_args(None if argv is None else list(argv))
    try:
        status: int = args.func(args)
        return status
    except GraderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted (temporary files removed)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
