"""How fast each CPU core runs right now: a pure-Python counting loop pinned to every core at
once.

On a virtual machine the cores need not be equally fast: when the host shares a core with
another guest, that core runs slower, and a computation that TensorFlow splits evenly over
both cores then waits for the slower one (the process keeps fewer cores busy and the same
epoch takes longer). The benchmark reports these speeds before and after its run so that a
slow row can be told apart from a slow machine.

    python -m benchmarks.cores                 # three samples of every core, 2 s each
    python -m benchmarks.cores --samples 10 --seconds 1
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence

LOOP_CHUNK = 10_000


def count_for(seconds: float, core: int | None = None) -> float:
    """Loop iterations per second (millions) of a counting loop run for ``seconds`` (wall
    time), pinned to ``core`` when given (Linux: ``os.sched_setaffinity``)."""
    if core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(LOOP_CHUNK):
            count += 1
    return count / (time.perf_counter() - start) / 1e6


def available_cores() -> list[int]:
    """The cores this process may run on, in order."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def core_speeds(seconds: float = 2.0, cores: Sequence[int] | None = None) -> dict[int, float]:
    """Million loop iterations per second on every core in ``cores`` (default: all this
    process may use), measured at the same time: one pinned process per core, each counting
    for ``seconds``."""
    chosen = list(available_cores() if cores is None else cores)
    context = multiprocessing.get_context("spawn")  # safe after TensorFlow started threads
    with context.Pool(len(chosen)) as pool:
        speeds = pool.starmap(count_for, [(seconds, core) for core in chosen])
    return dict(zip(chosen, speeds, strict=True))


def describe_speeds(speeds: dict[int, float]) -> str:
    """``"core 0: 13.7, core 1: 10.3 (slowest/fastest 0.75)"``."""
    parts = ", ".join(f"core {core}: {value:.1f}" for core, value in speeds.items())
    values = list(speeds.values())
    if len(values) < 2 or max(values) <= 0:
        return parts
    return f"{parts} (slowest/fastest {min(values) / max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.cores",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--samples", type=int, default=3, help="how many (default: %(default)s)")
    parser.add_argument(
        "--seconds", type=float, default=2.0, help="per sample (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if args.samples < 1 or args.seconds <= 0:
        parser.error("--samples must be at least 1 and --seconds above 0")
    print("million loop iterations per second, every core at once:")
    for _ in range(args.samples):
        print("  " + describe_speeds(core_speeds(args.seconds)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
