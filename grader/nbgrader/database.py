"""The gradebook database: nbgrader's schema on SQLite or PostgreSQL, created and migrated here.

A gradebook is named by a SQLAlchemy URL: ``sqlite:///path/gradebook.db`` (the default, one
file) or ``postgresql+psycopg://USER:PASSWORD@HOST:5432/DB`` (needs the ``cluster`` extra). Only
the coordinator opens it; runners and workers never see its URL.

:func:`upgrade` is what ``nbgrader db upgrade`` does, without needing the ``alembic`` command on
``PATH``: a database without tables gets nbgrader's tables and is stamped at nbgrader's newest
schema revision (as ``nbgrader.api.Gradebook`` does on first use); an older one is migrated with
nbgrader's alembic scripts (a SQLite file is copied to a timestamped backup first).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from grader.errors import GraderError

#: What to tell a TA whose PostgreSQL driver is missing.
INSTALL_HINT = "install the cluster extra: pip install -e '.[cluster]'"

#: How long to wait for a database server to answer, in seconds.
CONNECT_TIMEOUT_SECONDS = 10

_LOG_PREFIX = re.compile(r"^(?:[A-Z]+:?\s+)?(?:\[[\w.]+\]\s*)?")


class GradebookError(GraderError):
    """The gradebook cannot be opened or migrated; the message is one line for the TA."""


def describe(url: str) -> str:
    """The URL with its password masked (``***``), for messages and logs.

    Args:
        url: a SQLAlchemy database URL; an unparsable one is masked by pattern.
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"([^:/@\s]*):[^@\s/]*@", r"\1:***@", url)


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's exception
    lines = str(cause).strip().splitlines()
    return lines[0].strip() if lines else type(cause).__name__


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise GradebookError(
            f"gradebook URL {describe(url)!r} is not a database URL; write e.g. "
            "sqlite:///gradebook.db or postgresql+psycopg://USER@HOST:5432/DB"
        ) from exc


def _engine(url: str) -> Engine:
    """An engine for ``url`` (no connection yet), or a one-line error for a missing driver."""
    parsed = _parse(url)
    connect_args = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    try:
        return create_engine(parsed, connect_args=connect_args)
    except (ImportError, NoSuchModuleError) as exc:
        if parsed.get_backend_name() != "postgresql":
            hint = "use sqlite:///FILE or postgresql+psycopg://..."
        elif parsed.get_driver_name() != "psycopg":
            hint = f"{INSTALL_HINT} and write the URL as postgresql+psycopg://..."
        else:
            hint = INSTALL_HINT
        raise GradebookError(
            f"no database driver for the gradebook {describe(url)} ({_first_line(exc)}); {hint}"
        ) from exc


@contextmanager
def _connection(url: str) -> Iterator[Connection]:
    """One transaction on the database at ``url``; a one-line error if it cannot be reached."""
    engine = _engine(url)
    try:
        try:
            connection = engine.connect()
        except SQLAlchemyError as exc:
            raise GradebookError(
                f"cannot open the gradebook {describe(url)}: {_first_line(exc)}"
            ) from exc
        with connection, connection.begin():
            yield connection
    finally:
        engine.dispose()


def _alembic_dir() -> str:
    from nbgrader.dbutil import ALEMBIC_DIR

    return str(ALEMBIC_DIR)


def head_revision() -> str:
    """nbgrader's newest gradebook schema revision (alembic's head), e.g. ``"e43177bfe90b"``."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(_alembic_dir()).get_current_head()
    assert head is not None, "nbgrader ships its alembic revisions"
    return head


def upgrade(url: str) -> None:
    """Create nbgrader's gradebook schema at ``url``, or migrate an older one to the newest.

    Args:
        url: SQLAlchemy URL of the gradebook; a SQLite file is created if missing (its directory
            must exist).

    Raises:
        GradebookError: bad URL, missing driver, unreachable database, or a failed migration.
    """
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base

    head = head_revision()
    with _connection(url) as connection:
        if not inspect(connection).get_table_names():
            Base.metadata.create_all(connection)
            MigrationContext.configure(connection).stamp(ScriptDirectory(_alembic_dir()), head)
            return
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return
    _backup_sqlite(url)
    _run_alembic_upgrade(url)


def _backup_sqlite(url: str) -> Path | None:
    """Copy a SQLite gradebook to ``<file>.<timestamp>`` before a migration (as nbgrader does)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    source = Path(parsed.database)
    if not source.is_file():
        return None
    backup = source.with_name(source.name + datetime.now().strftime(".%Y-%m-%d-%H%M%S.%f"))
    shutil.copy2(source, backup)
    return backup


def _run_alembic_upgrade(url: str) -> None:
    """Run nbgrader's alembic migrations to head in a subprocess (their ``env.py`` reconfigures
    logging, so not in this process)."""
    from nbgrader.dbutil import write_alembic_ini

    with tempfile.TemporaryDirectory(prefix="nn-tricks-alembic-") as scratch:
        ini = Path(scratch) / "alembic.ini"
        # The ini file is read with interpolation: a literal % is written %%.
        write_alembic_ini(str(ini), url.replace("%", "%%"))
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
            cwd=scratch,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        last = lines[-1].strip() if lines else f"exit status {done.returncode}"
        last = _LOG_PREFIX.sub("", last)  # "ERROR [alembic.util.messaging] Can't locate ..."
        raise GradebookError(f"migrating the gradebook {describe(url)} failed: {last}")
