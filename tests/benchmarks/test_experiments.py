"""benchmarks.experiments: the lecture's headline table, each row buildable."""

import pytest

from benchmarks.experiments import experiment_by_name, headline_experiments


def test_headline_experiments_cover_the_lecture_table():
    names = [e.name for e in headline_experiments()]
    assert len(names) == len(set(names)) == 7
    figures = {e.name: e.lecture_accuracy for e in headline_experiments()}
    assert figures["baseline_mse"] == 96.62
    assert figures["early_stopping_10k"] == 93.48
    assert experiment_by_name("early_stopping_10k").train_images == 10_000


def test_unknown_experiment_lists_the_known_ones():
    with pytest.raises(KeyError, match="baseline_mse"):
        experiment_by_name("nope")


def test_every_experiment_builds_its_model():
    for experiment in headline_experiments():
        assert experiment.build(10).count_params() > 0
