"""The batch progress display: lines only off a terminal, a bar with rate and ETA on one."""

from __future__ import annotations

import io

import pytest

from grader.batch.progress import ProgressReporter, eta_seconds, rate_per_minute


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_only_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with ProgressReporter(2, stream=stream) as progress:
        assert not progress.interactive
        progress.finished("alice: graded 7/10")
        progress.finished("bob: not graded: kernel died\n")
    assert stream.getvalue() == "[1/2] alice: graded 7/10\n[2/2] bob: not graded: kernel died\n"


def test_bar_with_counts_on_a_terminal() -> None:
    stream = FakeTerminal()
    progress = ProgressReporter(3, stream=stream)
    assert progress.interactive
    progress.finished("alice: graded [7/10]")  # brackets are not rich markup here
    progress.close()
    progress.close()
    out = stream.getvalue()
    assert "[1/3] alice: graded [7/10]" in out
    assert "1/3" in out and "/min" in out and "eta" in out
    with pytest.raises(RuntimeError, match="closed"):
        progress.finished("late")


def test_rate_and_eta() -> None:
    assert rate_per_minute(0, 10.0) is None and eta_seconds(0, 5, 10.0) is None
    assert rate_per_minute(3, 90.0) == pytest.approx(2.0)
    assert eta_seconds(3, 7, 90.0) == pytest.approx(120.0)
    assert eta_seconds(7, 7, 90.0) == 0.0


def test_negative_total_is_refused() -> None:
    with pytest.raises(ValueError, match="total must be 0 or more"):
        ProgressReporter(-1, stream=io.StringIO())
