"""The same comparison over several seeds, reported as mean ± standard deviation.

Differences of a few tenths of a percentage point between two variants are often smaller
than the spread between two seeds of the same variant. ``compare_over_seeds`` reruns
``helpers.experiments.compare_models`` once per seed (the curves of the first seed only are
plotted) and summarises the test accuracy of every variant. Accuracies are fractions in
[0, 1] in the data, percent in printed text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.session import import_tensorflow_quietly

import_tensorflow_quietly()

from helpers import experiments  # noqa: E402  (after the quiet import)


@dataclass(frozen=True)
class SeedSummary:
    """Test accuracies of every variant over the seeds.

    Attributes:
        seeds: the seeds, in the order they ran.
        accuracies: variant name -> one test accuracy (fraction) per seed.
        comparisons: one ``Comparison`` per seed (histories and models of every run).
    """

    seeds: tuple[int, ...]
    accuracies: dict[str, list[float]]
    comparisons: list[experiments.Comparison]

    def mean(self, name: str) -> float:
        """Mean test accuracy of ``name`` over the seeds (fraction)."""
        return float(np.mean(self.accuracies[name]))

    def std(self, name: str) -> float:
        """Sample standard deviation over the seeds (fraction; 0.0 for a single seed)."""
        values = self.accuracies[name]
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0

    def describe(self, name: str) -> str:
        """E.g. "97.12% ± 0.15 (3 seeds)" or "97.12% (1 seed)"."""
        if len(self.seeds) == 1:
            return f"{self.mean(name):.2%} (1 seed)"
        return f"{self.mean(name):.2%} ± {100 * self.std(name):.2f} ({len(self.seeds)} seeds)"

    def table(self) -> str:
        """One line per variant: name and mean ± std of the test accuracy."""
        width = max(len(name) for name in self.accuracies)
        return "\n".join(f"{name:<{width}}  {self.describe(name)}" for name in self.accuracies)

    def __str__(self) -> str:
        return self.table()


def compare_over_seeds(
    builders: Mapping[str, Callable[[], Any]],
    train_data: tuple[Any, Any],
    *,
    seeds: Sequence[int],
    plot: bool = True,
    **options: Any,
) -> SeedSummary:
    """``compare_models(builders, train_data, seed=s, **options)`` for every seed ``s``.

    ``options`` are passed on (``test_data``, ``epochs``, ``batch_size``, ...); the curves of
    the first seed are plotted when ``plot`` is true.
    """
    if not seeds:
        raise ValueError("give at least one seed")
    comparisons = []
    accuracies: dict[str, list[float]] = {name: [] for name in builders}
    for index, seed in enumerate(seeds):
        comparison = experiments.compare_models(
            builders, train_data, seed=seed, plot=plot and index == 0, **options
        )
        comparisons.append(comparison)
        for result in comparison.results:
            accuracies[result.name].append(float(result.test_accuracy))
    return SeedSummary(seeds=tuple(seeds), accuracies=accuracies, comparisons=comparisons)
