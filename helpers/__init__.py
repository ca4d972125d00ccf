"""nn-tricks course helpers: data, plotting, live training curves, experiments and grading.

Importing the package imports TensorFlow and Keras with their native start-up logging
silenced, so that notebook cells stay free of stderr.
"""

from helpers.session import (
    fast_or_full,
    import_tensorflow_quietly,
    is_fast_mode,
    run_mode_summary,
    set_seed,
)

import_tensorflow_quietly()

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "fast_or_full",
    "import_tensorflow_quietly",
    "is_fast_mode",
    "run_mode_summary",
    "set_seed",
]
