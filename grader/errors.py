"""The one exception type the command line turns into a one-line message."""


class GraderError(Exception):
    """A problem the TA can fix (wrong name, missing file, broken setup).

    ``str()`` is one line that says what is wrong and what to do; the command line prints it as
    ``error: <message>`` with exit status 2, never with a traceback.
    """
