"""helpers.live: the pure computations under the notebooks' sliders (no widgets needed)."""

import numpy as np
import pytest

from helpers import live
from helpers.live import bowl


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


def test_descend_takes_any_gradient_and_keeps_the_bowl_as_default():
    def zero_gradient(w):
        return np.zeros(2)

    still = live.descend(0.5, 0.9, steps=5, start=np.array([1.0, 2.0]), gradient=zero_gradient)
    assert np.allclose(still, [[1.0, 2.0]] * 6)
    bowl_path = live.descend(0.02, 0.9, 20)
    explicit = live.descend(0.02, 0.9, 20, gradient=lambda w: live.BOWL_CURVATURE * w)
    assert np.allclose(bowl_path, explicit)


def test_saddle_loss_and_gradient_agree_and_have_a_saddle_and_two_minima():
    from helpers.formulas import numerical_gradient

    assert bowl.saddle_loss(np.zeros(2)) == 0.0
    assert np.allclose(bowl.saddle_loss(np.array([[0.0, 1.0], [0.0, -1.0]])), [-0.25, -0.25])
    assert np.allclose(bowl.saddle_gradient(np.array([[0.0, 1.0], [0.0, -1.0]])), 0.0)
    assert bowl.saddle_loss(np.ones((3, 4, 2))).shape == (3, 4)
    for point in ([0.3, -0.7], [-2.0, 1.2], [1.0, 1e-3]):
        point = np.array(point)
        assert np.allclose(
            bowl.saddle_gradient(point), numerical_gradient(bowl.saddle_loss, point), atol=1e-5
        )
    # uphill along w_1, downhill along w_2: a saddle, not a minimum
    assert bowl.saddle_loss(np.array([0.1, 0.0])) > 0 > bowl.saddle_loss(np.array([0.0, 0.1]))


def test_plain_gd_on_the_ridge_of_the_saddle_never_leaves_it():
    at_the_saddle = live.descend(0.1, 0.0, 500, start=np.zeros(2), gradient=bowl.saddle_gradient)
    assert np.all(at_the_saddle == 0.0)
    on_the_ridge = live.descend(
        0.1, 0.9, 500, start=np.array([-2.0, 0.0]), gradient=bowl.saddle_gradient
    )
    assert np.all(on_the_ridge[:, 1] == 0.0) and np.allclose(on_the_ridge[-1], 0.0, atol=1e-6)
    assert bowl.steps_to_escape(on_the_ridge) is None


def test_momentum_escapes_the_saddle_sooner_and_both_end_in_a_minimum():
    escapes = {}
    for mu in (0.0, 0.9):
        path = live.descend(0.1, mu, 400, start=bowl.SADDLE_START, gradient=bowl.saddle_gradient)
        escapes[mu] = bowl.steps_to_escape(path)
        assert np.allclose(path[-1], [0.0, 1.0], atol=1e-3)  # the start has w_2 > 0
        assert np.allclose(bowl.saddle_loss(path[-1]), -0.25)
    assert escapes[0.0] is not None and escapes[0.9] is not None
    assert escapes[0.9] < escapes[0.0]
    # plain GD multiplies w_2 by about 1 + η per step near the saddle: log(0.5e6) / log(1.1)
    assert abs(escapes[0.0] - np.log(0.5 / 1e-6) / np.log(1.1)) < 5


def test_steps_to_escape_reads_the_distance_off_the_ridge():
    path = np.array([[0.0, 0.0], [0.0, -0.2], [0.0, -0.6], [0.0, 0.9]])
    assert bowl.steps_to_escape(path) == 2
    assert bowl.steps_to_escape(path, distance=0.8) == 3
    assert bowl.steps_to_escape(path, distance=2.0) is None


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


def test_the_saddle_figure_draws_both_paths_and_their_losses(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()))
    bowl.draw_saddle_descent(steps=200)
    (figure,) = shown
    contours, losses = figure.axes[:2]
    labels = [text.get_text() for text in contours.get_legend().get_texts()]
    assert labels[0].startswith("plain GD: off the ridge at step")
    assert labels[1].startswith("momentum 0.9: off the ridge at step")
    assert len(losses.get_lines()) == 3  # two loss curves and the saddle's level
    plt.close(figure)
