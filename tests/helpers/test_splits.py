"""helpers.splits: the lecture's early-stopping split and its stated fallback."""

import numpy as np
import pytest

from helpers.splits import tail_validation_split


def _data(n):
    return np.arange(n * 4).reshape(n, 2, 2), np.arange(n) % 10


def test_full_set_takes_the_first_and_the_last_images():
    images, labels = _data(60_000)
    split = tail_validation_split(images, labels, n_train=10_000)
    assert not split.is_fallback
    assert len(split.train[0]) == 10_000 and len(split.validation[0]) == 10_000
    np.testing.assert_array_equal(split.train[0], images[:10_000])
    np.testing.assert_array_equal(split.validation[1], labels[50_000:])
    assert "lecture's split" in split.description and "50,001-60,000" in split.description


@pytest.mark.parametrize(
    ("available", "n_train", "expected_train", "expected_val"),
    [
        (10_000, 10_000, 9_000, 1_000),
        (10_000, 2_000, 2_000, 8_000),
        (12_000, 10_000, 10_000, 2_000),
    ],
)
def test_too_few_images_fall_back_to_a_disjoint_split(
    available, n_train, expected_train, expected_val
):
    images, labels = _data(available)
    split = tail_validation_split(images, labels, n_train=n_train)
    assert split.is_fallback and split.description.startswith("FALLBACK")
    assert len(split.train[0]) == expected_train and len(split.validation[0]) == expected_val
    first_validation = split.validation[0][0]
    np.testing.assert_array_equal(first_validation, images[available - expected_val])
    assert expected_train <= available - expected_val  # disjoint


def test_mismatched_labels_are_rejected():
    with pytest.raises(ValueError):
        tail_validation_split(np.zeros((5, 2)), np.zeros(4), n_train=2)
