"""Student-friendly checks for the graded practices.

Every check returns ``None`` when the answer is right and otherwise raises
:class:`CheckFailed` (an ``AssertionError``) whose message says *what* was checked, what was
*expected*, what was *found*, and a *hint*. nbgrader scores a test cell 0 when it raises, and
the student reads the message as immediate feedback (in Jupyter and in Colab alike)::

    from helpers.grading import check_regularizer
    check_regularizer(model.layers[-1], "l1", 0.01)
    # CheckFailed: kernel regularizer of layer 'dense_1': expected L1 with strength 0.01,
    # found L2 with strength 0.01.
    #   Hint: use kernel_regularizer=keras.regularizers.L1(0.01) on that layer.

The package has one module per concern, all re-exported here:

- :mod:`helpers.grading.checks`: checks of plain values (equal, close, in range, shape, dtype,
  raises) and :class:`CheckFailed`;
- :mod:`helpers.grading.keras`: checks of what the student built (layer types, units,
  activations, regularizers, kernel sizes, parameter counts, what ``compile`` was given) rather
  than of training luck, and :func:`loss_name` / :func:`activation_name` / :func:`penalty`,
  which read a model's settings as plain values for :func:`record`;
- :mod:`helpers.grading.evidence`: :func:`record`, which hands a value to the grader as
  *evidence* (docs/grading.md, "Evidence protocol") and does nothing visible outside grading;
- :mod:`helpers.grading.blanks`: blank answers (:func:`knowledge_check`,
  :func:`require_answers`).

Importing it does not import TensorFlow; the Keras checks import it on first use.
"""

from __future__ import annotations

from helpers.grading.blanks import (
    NotAnswered,
    grading_mode,
    is_answered,
    knowledge_check,
    require_answers,
)
from helpers.grading.checks import (
    CheckFailed,
    check,
    check_close,
    check_dtype,
    check_equal,
    check_in_range,
    check_raises,
    check_shape,
)
from helpers.grading.evidence import EVIDENCE_MIME, GRADING_ENV, record
from helpers.grading.keras import (
    activation_name,
    check_activation,
    check_compiled,
    check_kernel_size,
    check_layer_types,
    check_loss,
    check_metric,
    check_model,
    check_optimizer,
    check_param_count,
    check_regularizer,
    check_units,
    loss_name,
    model_layers,
    penalty,
)

__all__ = [
    "EVIDENCE_MIME",
    "GRADING_ENV",
    "CheckFailed",
    "NotAnswered",
    "activation_name",
    "check",
    "check_activation",
    "check_close",
    "check_compiled",
    "check_dtype",
    "check_equal",
    "check_in_range",
    "check_kernel_size",
    "check_layer_types",
    "check_loss",
    "check_metric",
    "check_model",
    "check_optimizer",
    "check_param_count",
    "check_raises",
    "check_regularizer",
    "check_shape",
    "check_units",
    "grading_mode",
    "is_answered",
    "knowledge_check",
    "loss_name",
    "model_layers",
    "penalty",
    "record",
    "require_answers",
]
