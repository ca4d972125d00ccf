"""The test PostgreSQL server: ``NN_TRICKS_TEST_POSTGRES_URL`` (``make test`` sets it to the local
server), or the reason the PostgreSQL tests skip (unset, no driver, or the server does not answer).
"""

from __future__ import annotations

import functools
import os

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
    from grader.nbgrader.database import GradebookError, ensure_reachable

    try:
        ensure_reachable(url)
    except GradebookError as exc:
        return f"{VARIABLE} is set, but: {exc}"
    return ""


def base_url() -> str:
    """The server's URL; skips the calling test (with the reason) when it cannot be used."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    return os.environ[VARIABLE]


#: Mark of the tests that need the server.
needs_postgres = pytest.mark.skipif(bool(skip_reason()), reason=skip_reason() or "server answers")
