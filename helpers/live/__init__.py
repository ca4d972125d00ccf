"""Interactive probes for the notebooks: a slider that turns a digit, a softmax slider and the
momentum bowl.

Each probe is a pure computation (tested without widgets, in ``tests/helpers/test_live.py``)
and a thin ``show_*`` function that draws it under ``ipywidgets.interact``. The widgets need a
live kernel; in a static view (nbviewer, GitHub) the figure at the starting value is shown.

    from helpers import live
    live.show_rotation_slider({"final CNN": model}, test_images[0], test_labels[0], prepare_conv)
    live.show_softmax_slider(logits, true_class=3, chosen_class=5)
    live.show_momentum_bowl()
"""

from helpers.live.bowl import (
    BOWL_CURVATURE,
    BOWL_START,
    bowl_loss,
    descend,
    show_momentum_bowl,
    steps_to_reach,
)
from helpers.live.rotation import rotated_probabilities, show_rotation_slider
from helpers.live.softmax import logits_from_probabilities, show_softmax_slider, softmax_with_logit

__all__ = [
    "BOWL_CURVATURE",
    "BOWL_START",
    "bowl_loss",
    "descend",
    "logits_from_probabilities",
    "rotated_probabilities",
    "show_momentum_bowl",
    "show_rotation_slider",
    "show_softmax_slider",
    "softmax_with_logit",
    "steps_to_reach",
]
