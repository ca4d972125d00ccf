"""Data splits the lecture uses that the course's default split does not cover.

``tail_validation_split`` is the lecture's early-stopping setting: the FIRST ``n_train``
training images for training and the LAST ``n_validation`` images of the training set for
validation (on full MNIST: images 0..9,999 and 50,000..59,999, disjoint). When the loader has
too few images for both (the 10,000-image offline subset, or fast mode), it falls back to a
disjoint split of what there is and says so in ``description``. Arrays are NumPy, any shape
with the examples along the first axis; nothing here imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TailSplit:
    """Training and validation data taken from the two ends of the training set.

    Attributes:
        train: ``(images, labels)``, the first images.
        validation: ``(images, labels)``, images from the end, disjoint from ``train``.
        is_fallback: True when the requested sizes did not fit and a smaller split was used.
        description: one printable line saying which images went where.
    """

    train: tuple[np.ndarray, np.ndarray]
    validation: tuple[np.ndarray, np.ndarray]
    is_fallback: bool
    description: str


def tail_validation_split(
    images: np.ndarray,
    labels: np.ndarray,
    n_train: int,
    n_validation: int = 10_000,
    min_validation_fraction: float = 0.1,
) -> TailSplit:
    """The first ``n_train`` examples for training, the last ``n_validation`` for validation.

    Fallback, when ``len(images) < n_train + n_validation``: validation is every example
    after the first ``n_train``, but at least ``min_validation_fraction`` of all examples
    (training then shrinks so that the two stay disjoint).
    """
    available = len(images)
    if len(labels) != available:
        raise ValueError(f"{available} images but {len(labels)} labels")
    if n_train < 1 or n_validation < 1:
        raise ValueError("n_train and n_validation must be positive")
    if available >= n_train + n_validation:
        start = available - n_validation
        return TailSplit(
            train=(images[:n_train], labels[:n_train]),
            validation=(images[start:], labels[start:]),
            is_fallback=False,
            description=(
                f"lecture's split: training on images 1-{n_train:,}, validation on the last "
                f"{n_validation:,} ({start + 1:,}-{available:,}) of {available:,}"
            ),
        )
    n_val = max(available - n_train, int(np.ceil(min_validation_fraction * available)))
    n_val = min(n_val, available - 1)
    n_tr = min(n_train, available - n_val)
    start = available - n_val
    return TailSplit(
        train=(images[:n_tr], labels[:n_tr]),
        validation=(images[start:], labels[start:]),
        is_fallback=True,
        description=(
            f"FALLBACK (only {available:,} training images, the lecture's split needs "
            f"{n_train + n_validation:,}): training on images 1-{n_tr:,}, validation on the "
            f"last {n_val:,} ({start + 1:,}-{available:,})"
        ),
    )
