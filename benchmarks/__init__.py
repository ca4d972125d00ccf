"""Benchmarks of the course: the lecture's accuracy table reproduced, and how fast it runs.

Run with ``make bench`` (everything, default mode) or ``make bench-quick`` (a few minutes).
"""

import helpers  # noqa: F401  (first: imports TensorFlow with its start-up logging silenced)
