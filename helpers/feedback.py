"""One-line feedback in Jupyter and Colab for a blank task and a failed plain ``assert``.

Importing ``helpers`` imports this module, which (inside IPython only) installs a handler for
``NotImplementedError`` and ``AssertionError`` raised by the student's code:

- a task that is still the release's stub (``raise NotImplementedError()`` in a notebook
  cell) shows as one red line, e.g. "`build_cnn` is not answered yet: replace
  `raise NotImplementedError()` with your code";
- a plain ``assert`` that fails in a notebook cell shows as "Check failed: <its message>"
  (or the failing line when it has no message);
- a name that a cell above should have defined (``NameError`` in a cell's own code) shows as
  "`comparison` is not defined yet: run the cells above this one first (...)".

The cell still fails with an error output of the original exception type, so nbgrader scores
it exactly as before. Errors that format themselves (``helpers.session.BriefError`` such as
``CheckFailed``), and the same exceptions raised from library code, keep IPython's usual
rendering. Outside IPython nothing is installed. The pure functions below (the messages, the
stub test) are what the handler and :mod:`helpers.grading` share.
"""

from __future__ import annotations

import linecache
import os
import sys
import types
from collections.abc import Callable
from typing import Any

STUB_LINE = "raise NotImplementedError()"
STUB_HINT = f"replace `{STUB_LINE}` with your code"
_RED, _RESET = "\x1b[0;31m", "\x1b[0m"
_HELPERS_DIR = os.path.dirname(os.path.abspath(__file__))


def not_answered_message(what: str | None) -> str:
    """A blank task's line: "`build_cnn` is not answered yet: replace ..." (or "This task ...")."""
    subject = f"`{what}`" if what and not what.startswith("<") else "This task"
    return f"{subject} is not answered yet: {STUB_HINT}"


def is_stub(function: Any) -> bool:
    """True when ``function`` is still the release's stub: its body only raises
    ``NotImplementedError`` (a docstring and comments allowed)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    return tuple(code.co_names) == ("NotImplementedError",)


def _last_frame(tb: types.TracebackType | None) -> types.TracebackType | None:
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb


def _is_notebook_code(filename: str) -> bool:
    """A cell's code (IPython names cells ``<ipython-input-…>`` or ``/tmp/ipykernel_…/….py``),
    not a library's or this package's."""
    if filename.startswith("<"):
        return True
    path = os.path.abspath(filename)
    if path.startswith(_HELPERS_DIR) or "site-packages" in path or "dist-packages" in path:
        return False
    return "ipykernel_" in path or "ipython-input" in path


def _source_line(tb: types.TracebackType) -> str:
    return linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno).strip()


def stub_name(error: BaseException, tb: types.TracebackType | None) -> str | None:
    """The function whose stub raised ``error`` (``"<module>"`` for a cell's top level), or
    None when ``error`` is not a stub's ``raise NotImplementedError()`` in notebook code."""
    last = _last_frame(tb)
    if not isinstance(error, NotImplementedError) or error.args or last is None:
        return None
    code = last.tb_frame.f_code
    if not _is_notebook_code(code.co_filename):
        return None
    line = _source_line(last)
    if line and line != STUB_LINE and not line.startswith("raise NotImplementedError"):
        return None
    return code.co_name


def check_failed_message(error: BaseException, tb: types.TracebackType | None) -> str | None:
    """Line "Check failed: <message>" for a plain ``assert`` failed in notebook code, or None."""
    last = _last_frame(tb)
    if type(error) is not AssertionError or last is None:
        return None
    if not _is_notebook_code(last.tb_frame.f_code.co_filename):
        return None
    message = " ".join(str(part) for part in error.args).strip()
    if not message:
        line = _source_line(last)
        message = f"`{line}`" if line else "an assert without a message"
    return f"Check failed: {message}"


def undefined_name_message(error: BaseException, tb: types.TracebackType | None) -> str | None:
    """The line for a ``NameError`` raised by a cell's own code, or None."""
    last = _last_frame(tb)
    name = getattr(error, "name", None)
    if type(error) is not NameError or last is None or not name:
        return None
    if not _is_notebook_code(last.tb_frame.f_code.co_filename):
        return None
    return (
        f"`{name}` is not defined yet: run the cells above this one first (a cell that failed, "
        "or an exercise not answered yet, leaves it undefined)"
    )


def render_line(message: str) -> list[str]:
    """The structured traceback of one red line (what IPython prints for the error)."""
    head, sep, rest = message.partition(": ")
    return [f"{_RED}{head}{_RESET}{sep}{rest}"]


def one_line(error: BaseException, tb: types.TracebackType | None) -> list[str] | None:
    """The one-line rendering of a stub's or a plain assert's error, or None (render as usual)."""
    if hasattr(error, "_render_traceback_"):
        return None
    name = stub_name(error, tb)
    if name is not None:
        return render_line(not_answered_message(name))
    message = check_failed_message(error, tb) or undefined_name_message(error, tb)
    return render_line(message) if message is not None else None


def _handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):
    """IPython custom exception handler: one line for the cases above, else as usual."""
    stb = one_line(value, tb)
    if stb is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
    shell._showtraceback(etype, value, stb)  # an error output, as for any failed cell
    return None


_handler.nn_tricks_feedback = True  # type: ignore[attr-defined]  # our marker attribute
#: The exceptions the handler looks at (anything else keeps IPython's usual rendering).
HANDLED = (NotImplementedError, AssertionError, NameError)


def install(get_ipython: Callable[[], Any] | None = None) -> bool:
    """Install the handler in the running IPython shell (idempotent; True when installed).

    Does nothing outside IPython and leaves another package's custom handler alone.
    """
    if get_ipython is None:
        ipython = sys.modules.get("IPython")
        if ipython is None:  # not imported: not inside IPython
            return False
        get_ipython = getattr(ipython, "get_ipython", None)
        if get_ipython is None:
            return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    current = getattr(shell, "custom_exceptions", ())
    if current and current != HANDLED:
        return False
    shell.set_custom_exc(HANDLED, _handler)
    return True


install()
