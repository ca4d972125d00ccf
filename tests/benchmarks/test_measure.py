"""benchmarks.measure and benchmarks.flops: FLOP counts, run settings, the data a run gets."""

from __future__ import annotations

import keras
import pytest

from benchmarks.flops import achieved_gflops
from benchmarks.measure import (
    RunSettings,
    forward_flops_per_sample,
    input_data,
    resolved_steps_per_execution,
    training_data,
)
from helpers import models

from .conftest import FULL_DIR, SUBSET_DIR, needs_subset


def test_dense_flops_are_two_per_weight():
    model = models.baseline_mse()
    assert forward_flops_per_sample(model) == 2 * (784 * 30 + 30 * 10)


def test_conv_flops_count_every_output_position():
    model = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(4, 3)])
    # 4x4 output positions, each a 3x3x2 dot product per filter
    assert forward_flops_per_sample(model) == 2 * (3 * 3 * 2) * 4 * (4 * 4)


def test_achieved_gflops_counts_forward_and_backward():
    assert achieved_gflops(1_000_000, 1_000.0) == pytest.approx(3.0)


def test_whole_epoch_per_call_becomes_the_steps_of_one_epoch():
    assert resolved_steps_per_execution("epoch", 6_000) == 6_000
    assert resolved_steps_per_execution(32, 6_000) == 32
    assert resolved_steps_per_execution(None, 6_000) is None


def test_unknown_pipeline_is_refused():
    with pytest.raises(ValueError, match="numpy"):
        input_data("pandas", [1], [1], 1, 0)


def test_ten_k_settings_take_the_first_images(tiny_mnist_dir):
    # overtraining-style limit: the first n images, no validation
    dataset, (x, y), validation, description = training_data(
        RunSettings("baseline_mse", 0, 1, data_dir=str(tiny_mnist_dir), train_images=12)
    )
    assert validation is None and description == ""
    assert (x == dataset.x_train[:12]).all() and (y == dataset.y_train[:12]).all()


def test_early_stopping_validates_on_the_end_of_the_training_set(tiny_mnist_dir):
    # 30 images cannot hold the lecture's 10k + 10k: the stated fallback, still disjoint
    dataset, (x, _), (x_val, _), description = training_data(
        RunSettings("early_stopping_10k", 0, 1, data_dir=str(tiny_mnist_dir))
    )
    assert "FALLBACK" in description
    assert len(x) + len(x_val) <= 30
    assert (x_val == dataset.x_train[-len(x_val) :]).all()


@needs_subset
def test_early_stopping_on_the_subset_says_it_fell_back():
    _, (x, _), (x_val, _), description = training_data(
        RunSettings("early_stopping_10k", 0, 1, data_dir=str(SUBSET_DIR))
    )
    assert (len(x), len(x_val)) == (9_000, 1_000)
    assert "FALLBACK" in description


@pytest.mark.skipif(
    not (FULL_DIR / "train-images-idx3-ubyte.gz").is_file(),
    reason=f"the shared full MNIST is not at {FULL_DIR}",
)
def test_early_stopping_on_full_mnist_uses_the_lectures_split():
    dataset, (x, _), (x_val, _), description = training_data(
        RunSettings("early_stopping_10k", 0, 1, data_dir=str(FULL_DIR))
    )
    assert dataset.source.is_full
    assert (x == dataset.x_train[:10_000]).all()
    assert (x_val == dataset.x_train[50_000:]).all()
    assert "lecture's split" in description
