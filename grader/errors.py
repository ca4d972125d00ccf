"""The one exception type the command line turns into a one-line message, and the one way an
exception becomes one line of text for the TA (:func:`format_exception_line`)."""

#: Longest line :func:`format_exception_line` makes, in characters.
EXCEPTION_LINE_CHARS = 300


def format_exception_line(exc: BaseException, *, limit: int = EXCEPTION_LINE_CHARS) -> str:
    """``"TypeName: first line of the message"`` (just ``"TypeName"`` for an empty message).

    Args:
        exc: any exception.
        limit: longest result in characters, at least 2; a longer line is cut and ends with
            ``"…"``. Defaults to :data:`EXCEPTION_LINE_CHARS`.

    Returns:
        One line without a newline.
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2 characters, got {limit}")
    lines = [line.strip() for line in str(exc).strip().splitlines()]
    name = type(exc).__name__
    text = f"{name}: {lines[0]}" if lines and lines[0] else name
    return text if len(text) <= limit else text[: limit - 1] + "…"


class GraderError(Exception):
    """A problem the TA can fix (wrong name, missing file, broken setup).

    ``str()`` is one line that says what is wrong and what to do; the command line prints it as
    ``error: <message>`` with exit status 2, never with a traceback.
    """
