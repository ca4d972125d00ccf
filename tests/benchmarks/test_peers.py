"""benchmarks.peers: the PyTorch twins match the Keras models (parameters and FLOPs), the loop
trains, and everything skips cleanly where torch is not installed."""

from __future__ import annotations

import importlib.util

import pytest

from benchmarks import peers
from benchmarks.experiments import experiment_by_name
from benchmarks.flops import keras_forward_flops

from .conftest import SUBSET_DIR, needs_subset

EXPERIMENTS = sorted(peers.PEER_SPECS)
NO_TORCH = "PyTorch is the [peers] extra: pip install -e '.[peers]'"


def test_torch_available_follows_the_import_machinery(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert peers.torch_available() is False


def test_every_speed_model_has_a_peer_spec():
    from benchmarks.speed import SPEED_CASES

    assert {case.experiment for case in SPEED_CASES} == set(peers.PEER_SPECS)
    for case in SPEED_CASES:
        spec = peers.PEER_SPECS[case.experiment]
        assert experiment_by_name(case.experiment).input_kind == spec.input_kind
        assert case.input_kind == spec.input_kind


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_torch_model_has_the_keras_parameters_and_flops(name):
    pytest.importorskip("torch", reason=NO_TORCH)
    keras_model = experiment_by_name(name).build(10)
    torch_model = peers.build(name)
    assert peers.count_parameters(torch_model) == keras_model.count_params()
    flops = peers.torch_forward_flops(torch_model, peers.input_shape(name))
    assert flops == keras_forward_flops(keras_model)


def test_unknown_peer_lists_the_known_ones():
    pytest.importorskip("torch", reason=NO_TORCH)
    with pytest.raises(KeyError, match="cnn_5x5x16"):
        peers.build("nope")


@pytest.mark.parametrize("name", ["baseline_mse", "dense_512_dropout", "cnn_5x5x16"])
def test_optimizer_and_loss_match_keras(name):
    torch = pytest.importorskip("torch", reason=NO_TORCH)
    spec = peers.PEER_SPECS[name]
    optimizer = peers.optimizer(spec, peers.build(name))
    group = optimizer.param_groups[0]
    assert group["lr"] == spec.learning_rate
    if spec.optimizer == "adadelta":
        assert isinstance(optimizer, torch.optim.Adadelta)
        assert (group["rho"], group["eps"]) == (0.95, 1e-7)
    else:
        assert isinstance(optimizer, torch.optim.SGD) and group["momentum"] == 0


@needs_subset
def test_one_short_epoch_trains_and_reports(tmp_path):
    pytest.importorskip("torch", reason=NO_TORCH)
    settings = peers.PeerSettings(
        "baseline_mse", 0, 1, 10, data_dir=str(SUBSET_DIR), train_images=200, threads=1
    )
    measurement = peers.train(settings)
    assert measurement.train_images == 200
    assert measurement.parameters == 784 * 30 + 30 + 30 * 10 + 10
    assert measurement.samples_per_second > 0 and measurement.torch_matmul_peak_gflops > 0
    assert 0.0 <= measurement.test_accuracy <= 1.0
    assert len(measurement.epoch_seconds) == len(measurement.epoch_cpu_seconds) == 1
