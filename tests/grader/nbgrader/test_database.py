"""The gradebook database: nbgrader's schema on SQLite and on a real PostgreSQL server.

The PostgreSQL tests need ``NN_TRICKS_TEST_POSTGRES_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``, a database the user may create schemas
in); each test gets its own schema, dropped afterwards. They skip, with the reason, where it is
unset or the server does not answer (``tests/grader/postgres.py``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from sqlalchemy import create_engine, text

from grader.nbgrader.database import (
    INSTALL_HINT,
    GradebookError,
    describe,
    head_revision,
    upgrade,
)
from tests.grader.postgres import fresh_schema, needs_postgres

POSTGRES_URL = os.environ.get("NN_TRICKS_TEST_POSTGRES_URL")


def round_trip(url: str) -> None:
    """Write a student and an assignment through nbgrader's Gradebook, read them back."""
    with Gradebook(url) as gradebook:
        gradebook.add_student("alice", first_name="Alice", last_name="Liddell")
        gradebook.add_assignment("practice-1a-l1-vs-l2")
    with Gradebook(url) as gradebook:
        assert gradebook.find_student("alice").first_name == "Alice"
        assert [a.name for a in gradebook.assignments] == ["practice-1a-l1-vs-l2"]
        assert gradebook.find_assignment("practice-1a-l1-vs-l2").course_id == "default_course"


def revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def test_upgrade_creates_a_sqlite_gradebook(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    upgrade(url)
    upgrade(url)  # already at the newest revision: nothing to do, no backup
    assert revision(url) == head_revision()
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.db"]
    round_trip(url)


def test_upgrade_migrates_an_older_sqlite_gradebook_after_a_backup(tmp_path: Path) -> None:
    db = tmp_path / "gradebook.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    # Make it look like a gradebook from before nbgrader's last migration (courses).
    with sqlite3.connect(db) as old:
        old.executescript(
            """
            PRAGMA foreign_keys = OFF;
            DROP TABLE course;
            CREATE TABLE old_assignment (
                id VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(128) NOT NULL UNIQUE,
                duedate DATETIME);
            DROP TABLE assignment;
            ALTER TABLE old_assignment RENAME TO assignment;
            UPDATE alembic_version SET version_num = '282d30a0218e';
            """
        )
    upgrade(url)
    assert revision(url) == head_revision()
    backups = [p for p in tmp_path.iterdir() if p.name.startswith("gradebook.db.")]
    assert len(backups) == 1
    round_trip(url)


def test_a_failed_migration_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "gradebook.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    with sqlite3.connect(db) as broken:
        broken.execute("UPDATE alembic_version SET version_num = 'feedfacecafe'")
    with pytest.raises(GradebookError) as info:
        upgrade(url)
    assert str(info.value) == (
        f"migrating the gradebook {url} failed: Can't locate revision identified by 'feedfacecafe'"
    )


def test_describe_masks_the_password() -> None:
    assert (
        describe("postgresql+psycopg://grader:s3cret@db.example:5432/grades")
        == "postgresql+psycopg://grader:***@db.example:5432/grades"
    )
    assert describe("sqlite:///gradebook.db") == "sqlite:///gradebook.db"
    assert (
        describe("postgresql://grader:s3cret@host:port/db")
        == "postgresql://grader:***@host:port/db"
    )
    assert describe("grader:s3cret@host") == "grader:***@host"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql+psycopg://grader:s3cret@127.0.0.1:1/grades",
            "cannot open the gradebook postgresql+psycopg://grader:***@127.0.0.1:1/grades: "
            "connection failed: ",
        ),
        ("sqlite:////nonexistent-dir/gradebook.db", "cannot open the gradebook sqlite:////"),
        ("gradebook.db", "gradebook URL 'gradebook.db' is not a database URL; write e.g. sqlite"),
        (
            "postgresql+pg8000://grader:s3cret@127.0.0.1/grades",
            "no database driver for the gradebook postgresql+pg8000://grader:***@127.0.0.1/grades",
        ),
    ],
)
def test_bad_gradebooks_are_one_clear_line(url: str, message: str) -> None:
    pytest.importorskip("psycopg", reason="needs the cluster extra")
    with pytest.raises(GradebookError) as info:
        upgrade(url)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value) and "s3cret" not in str(info.value)
    if "pg8000" in url:
        assert INSTALL_HINT in str(info.value)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the test PostgreSQL database, dropped afterwards."""
    assert POSTGRES_URL
    url, drop = fresh_schema(POSTGRES_URL)
    try:
        yield url
    finally:
        drop()


def schemas(prefix: str) -> set[str]:
    assert POSTGRES_URL
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": prefix + "%"}
            )
            return {row[0] for row in rows}
    finally:
        engine.dispose()


@needs_postgres
def test_upgrade_creates_a_postgres_gradebook_in_its_own_schema(postgres_url: str) -> None:
    schema = postgres_url.rsplit("search_path%3D", 1)[1]
    assert schema.startswith("nntricks_") and schema in schemas("nntricks_")
    upgrade(postgres_url)
    upgrade(postgres_url)
    assert revision(postgres_url) == head_revision()
    round_trip(postgres_url)
    engine = create_engine(POSTGRES_URL or "")
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            )
            names = {row[0] for row in tables}
    finally:
        engine.dispose()
    assert {"student", "assignment", "course", "alembic_version"} <= names


@needs_postgres
def test_dropping_the_schema_removes_everything() -> None:
    assert POSTGRES_URL
    url, drop = fresh_schema(POSTGRES_URL, prefix="nntricks_drop")
    schema = url.rsplit("search_path%3D", 1)[1]
    upgrade(url)
    round_trip(url)
    drop()
    drop()  # twice is harmless
    assert schema not in schemas("nntricks_drop")
