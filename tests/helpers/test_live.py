"""helpers.live: the pure computations under the notebooks' sliders (no widgets needed)."""

import numpy as np
import pytest

from helpers import live


def test_bowl_loss_is_the_weighted_quadratic():
    assert live.bowl_loss(np.zeros(2)) == 0.0
    assert np.isclose(live.bowl_loss(np.array([1.0, 1.0])), 0.5 * (1 + 20))
    assert live.bowl_loss(np.ones((3, 2))).shape == (3,)


def test_descend_starts_at_the_start_and_takes_the_steps():
    path = live.descend(0.02, 0.0, steps=10)
    assert path.shape == (11, 2) and np.allclose(path[0], live.BOWL_START)
    # one plain step: w - η ∇L = w - η c w
    assert np.allclose(path[1], live.BOWL_START * (1 - 0.02 * live.BOWL_CURVATURE))


def test_momentum_reaches_the_centre_sooner_and_plain_gd_diverges_above_2_over_20():
    plain = live.steps_to_reach(live.descend(0.02, 0.0, 1000))
    heavy = live.steps_to_reach(live.descend(0.02, 0.9, 1000))
    assert plain is not None and heavy is not None and heavy < plain
    assert live.steps_to_reach(live.descend(0.11, 0.0, 200)) is None
    assert live.bowl_loss(live.descend(0.11, 0.0, 200)[-1]) > live.bowl_loss(live.BOWL_START)


def test_softmax_with_logit_replaces_one_logit_and_stays_stable():
    logits = np.array([1.0, 2.0, 3.0])
    probabilities = live.softmax_with_logit(logits, 0, 3.0)
    assert np.isclose(probabilities.sum(), 1.0) and np.isclose(probabilities[0], probabilities[2])
    assert np.allclose(logits, [1.0, 2.0, 3.0])  # the input is not changed
    assert np.all(np.isfinite(live.softmax_with_logit(np.array([1000.0, 0.0]), 1, 1001.0)))


def test_logits_from_probabilities_invert_the_softmax_up_to_a_constant():
    probabilities = np.array([0.1, 0.2, 0.7])
    logits = live.logits_from_probabilities(probabilities)
    assert np.allclose(live.softmax_with_logit(logits, 0, logits[0]), probabilities)
    assert np.isfinite(live.logits_from_probabilities(np.array([0.0, 1.0]))).all()


def test_rotated_probabilities_turn_the_image_and_ask_every_model():
    image = np.zeros((28, 28), dtype=np.uint8)
    image[4:24, 13:15] = 255  # a vertical bar

    def counts_bright_columns(batch, training):
        assert training is False and batch.shape == (1, 784)
        columns = (batch.reshape(28, 28) > 0.5).any(axis=0).sum()
        return np.eye(10, dtype=np.float32)[[min(int(columns), 9)]]

    models = {"bar": counts_bright_columns}
    from helpers.data import prepare_dense

    same, same_probabilities = live.rotated_probabilities(models, image, 0, prepare_dense)
    assert np.array_equal(same, image)
    turned, turned_probabilities = live.rotated_probabilities(models, image, 90, prepare_dense)
    assert turned.shape == (28, 28) and not np.array_equal(turned, image)
    assert same_probabilities["bar"].argmax() == 2 and turned_probabilities["bar"].argmax() == 9


@pytest.mark.parametrize("show", ["bowl", "softmax"])
def test_the_sliders_build_without_a_kernel(show, monkeypatch):
    pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    if show == "bowl":
        live.show_momentum_bowl()
    else:
        live.show_softmax_slider(np.array([0.0, 1.0, 2.0]), true_class=0, chosen_class=2)
