"""nn-tricks course helpers: data, plotting, live training curves, experiments and grading.

Importing the package is cheap: it does not import TensorFlow. It sets the quiet-logging
environment variables and makes the first TensorFlow/Keras import (``import keras`` in a
notebook, ``helpers.set_seed``, or a module of this package that needs Keras) silence its
native start-up logging, so that notebook cells stay free of stderr.
"""

from helpers.session import (
    fast_or_full,
    import_tensorflow_quietly,
    install_quiet_imports,
    is_fast_mode,
    run_mode_summary,
    set_seed,
)

install_quiet_imports()
from helpers import feedback  # noqa: E402,F401  one-line errors in IPython (helpers/feedback.py)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "fast_or_full",
    "import_tensorflow_quietly",
    "is_fast_mode",
    "run_mode_summary",
    "set_seed",
]
