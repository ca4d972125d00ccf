"""Progress of a grading batch for the TA: one line per finished submission, and a bar.

:class:`ProgressReporter` is a thin wrapper over ``rich`` that the CLI drives: it calls
:meth:`ProgressReporter.finished` with one line per submission as the runner yields its result,
and :meth:`ProgressReporter.close` at the end. On a terminal the lines scroll above a live bar
with done/total, the rate in submissions per minute and the estimated time left; when the stream
is not a terminal (a log file, CI) only the lines are written, each prefixed with done/total.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text


def rate_per_minute(done: int, elapsed_seconds: float) -> float | None:
    """Submissions finished per minute so far, or ``None`` before the first one."""
    if done <= 0 or elapsed_seconds <= 0:
        return None
    return 60.0 * done / elapsed_seconds


def eta_seconds(done: int, total: int, elapsed_seconds: float) -> float | None:
    """Seconds left at the rate so far, or ``None`` before the first submission has finished."""
    rate = rate_per_minute(done, elapsed_seconds)
    if rate is None:
        return None
    return max(0, total - done) * 60.0 / rate


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        rate = rate_per_minute(int(task.completed), task.elapsed or 0.0)
        return Text("–/min" if rate is None else f"{rate:.1f}/min", style="progress.data.speed")


class _EtaColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        total = int(task.total or 0)
        eta = eta_seconds(int(task.completed), total, task.elapsed or 0.0)
        label = "eta –:––:––" if eta is None else f"eta {_clock(eta)}"
        return Text(label, style="progress.remaining")


class ProgressReporter:
    """Reports a batch's progress on ``stream``.

    Args:
        total: submissions in the batch, at least 0.
        stream: where to write. Defaults to ``sys.stdout``. The bar is shown only when it is a
            terminal (``stream.isatty()``).
    """

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        if total < 0:
            raise ValueError(f"total must be 0 or more submissions, got {total}")
        self.total = total
        self.done = 0
        self.stream = sys.stdout if stream is None else stream
        self._started = time.monotonic()
        self._progress: Progress | None = None
        self._closed = False
        isatty = getattr(self.stream, "isatty", None)
        if callable(isatty) and isatty():
            console = Console(file=self.stream, force_terminal=True)
            self._progress = Progress(
                TextColumn("grading"),
                BarColumn(),
                MofNCompleteColumn(),
                _RateColumn(),
                TimeElapsedColumn(),
                _EtaColumn(),
                console=console,
            )
            self._task = self._progress.add_task("grading", total=total)
            self._progress.start()

    @property
    def interactive(self) -> bool:
        """Whether the live bar is shown."""
        return self._progress is not None

    def finished(self, line: str) -> None:
        """One more submission is done: write its line (prefixed ``[done/total]``), move the bar.

        Args:
            line: one line for the TA, e.g. ``"alice: graded 7/10"``; no newline needed.
        """
        if self._closed:
            raise RuntimeError("this progress reporter is closed")
        self.done += 1
        text = f"[{self.done}/{self.total}] {line.rstrip()}"
        if self._progress is None:
            self.stream.write(text + "\n")
            self.stream.flush()
            return
        self._progress.console.print(text, markup=False, highlight=False)
        self._progress.advance(self._task)

    def close(self) -> None:
        """Stop the bar (it stays on screen at its final state). Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._progress is not None:
            self._progress.stop()
        else:
            self.stream.flush()

    @property
    def elapsed_seconds(self) -> float:
        """Wall time since the reporter was made, in seconds."""
        return time.monotonic() - self._started

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
