"""Benchmarks of the course: the lecture's accuracy table reproduced, and how fast it runs.

Run with ``make bench`` (everything, default mode) or ``make bench-quick`` (a few minutes);
``python -m benchmarks.speed`` compares the course's Keras settings with PyTorch eager
(``pip install -e '.[peers]'``) and the matmul peak. Data: ``benchmarks.data_choice``.
"""

import helpers  # noqa: F401  (first: imports TensorFlow with its start-up logging silenced)
