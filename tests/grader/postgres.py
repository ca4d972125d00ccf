"""The test PostgreSQL server: ``NN_TRICKS_TEST_POSTGRES_URL`` (``make test`` sets it to the local
server), or the reason the PostgreSQL tests skip (unset, no driver, or the server does not answer).
"""

from __future__ import annotations

import functools
import os
import re
import uuid
from collections.abc import Callable

import pytest

#: URL of a PostgreSQL database the tests may create schemas in, e.g.
#: ``postgresql+psycopg://postgres@127.0.0.1:5432/test``
VARIABLE = "NN_TRICKS_TEST_POSTGRES_URL"


@functools.cache
def skip_reason() -> str:
    """Why the PostgreSQL tests cannot run here, or ``""`` when the server answers."""
    url = os.environ.get(VARIABLE)
    if not url:
        return f"set {VARIABLE} to a PostgreSQL database to test it"
    from grader.nbgrader.database import describe

    try:
        _execute(url, "SELECT 1")
    except Exception as exc:  # a bad URL, no driver, or the server does not answer
        return f"{VARIABLE} is set, but {describe(url)}: {str(exc).splitlines()[0]}"
    return ""


def _execute(url: str, statement: str) -> None:
    """Run one SQL statement on ``url`` in its own transaction."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def fresh_schema(base_url: str, *, prefix: str = "nntricks") -> tuple[str, Callable[[], None]]:
    """A new, empty PostgreSQL schema for one test.

    Args:
        base_url: URL of a PostgreSQL database the user may create schemas in.
        prefix: start of the schema's name (lowercase letters, digits, ``_``); a random suffix
            follows. Defaults to ``"nntricks"``.

    Returns:
        ``(url, drop)``: a URL whose connections use only the new schema (its ``search_path``),
        and a function that drops the schema with everything in it (close the connections to it
        first); calling ``drop`` twice is harmless.
    """
    from sqlalchemy.engine import make_url

    if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", prefix):
        raise ValueError(f"schema prefix {prefix!r}: use up to 31 lowercase letters, digits, _")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _execute(base_url, f'CREATE SCHEMA "{schema}"')
    scoped = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        _execute(base_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return scoped.render_as_string(hide_password=False), drop


def base_url() -> str:
    """The server's URL; skips the calling test (with the reason) when it cannot be used."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    return os.environ[VARIABLE]


#: Mark of the tests that need the server.
needs_postgres = pytest.mark.skipif(bool(skip_reason()), reason=skip_reason() or "server answers")
