"""benchmarks.cores: one speed per core, measured at once, and its one-line description."""

from __future__ import annotations

import os

import pytest

from benchmarks import cores


def test_every_available_core_gets_a_positive_speed():
    speeds = cores.core_speeds(seconds=0.2)
    assert list(speeds) == cores.available_cores()
    assert all(value > 0 for value in speeds.values())


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="Linux only")
def test_the_counting_loop_runs_on_the_core_it_is_pinned_to():
    every_core = set(cores.available_cores())
    core = max(every_core)
    try:
        assert cores.count_for(0.05, core) > 0
        assert os.sched_getaffinity(0) == {core}  # count_for pinned this very process
    finally:
        os.sched_setaffinity(0, every_core)


def test_the_description_names_every_core_and_the_ratio_of_slowest_to_fastest():
    text = cores.describe_speeds({0: 12.0, 1: 6.0})
    assert text == "core 0: 12.0, core 1: 6.0 (slowest/fastest 0.50)"
    assert cores.describe_speeds({0: 12.0}) == "core 0: 12.0"


def test_the_command_prints_one_line_per_sample(capsys):
    assert cores.main(["--samples", "2", "--seconds", "0.1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all("core 0:" in line for line in lines[1:])
    with pytest.raises(SystemExit):
        cores.main(["--samples", "0"])
