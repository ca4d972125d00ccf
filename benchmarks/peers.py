"""The PyTorch peer: the lecture's models and training loop in PyTorch eager on the CPU.

Same architectures as ``helpers.models`` (Glorot-uniform weights, zero biases, as Keras
initialises them), the same losses and optimizer settings, the same batch sizes, and a plain
eager loop over a tensor shuffled once per epoch. It measures what a hand-written loop in
another framework reaches on this machine, as a yardstick for the course's Keras settings.

    python -m benchmarks.peers RUN_JSON    # one run in its own process, prints one JSON line

PyTorch is an optional extra (``pip install -e '.[peers]'``: ``torch==2.13.0``, CPU build),
never a dependency of the course. This module does not import TensorFlow or Keras, so the two
runtimes never share a process; ``torch`` itself is imported only inside the functions.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from benchmarks.flops import achieved_gflops, torch_forward_flops
from helpers import data

SKIP_MESSAGE = "skipped: torch not installed (pip install -e '.[peers]')"
DENSE_INPUT = (784,)
CONV_INPUT = (1, 28, 28)  # channels first, PyTorch's layout


@dataclass(frozen=True)
class PeerSpec:
    """How the peer trains one model: its input, loss and optimizer (as helpers.models).

    ``loss`` is ``"mse"`` (on sigmoid outputs, as Keras' mean_squared_error) or
    ``"cross_entropy"`` (softmax folded into the loss); ``optimizer`` is ``"sgd"`` or
    ``"adadelta"`` (rho 0.95, epsilon 1e-7: Keras' defaults).
    """

    name: str
    input_kind: str  # "dense" (N, 784) or "conv" (N, 1, 28, 28)
    loss: str
    optimizer: str
    learning_rate: float


PEER_SPECS: dict[str, PeerSpec] = {
    spec.name: spec
    for spec in (
        PeerSpec("baseline_mse", "dense", "mse", "sgd", 3.0),
        PeerSpec("softmax_cross_entropy", "dense", "cross_entropy", "sgd", 1.0),
        PeerSpec("dense_512_dropout", "dense", "cross_entropy", "adadelta", 1.0),
        PeerSpec("cnn_5x5x16", "conv", "cross_entropy", "adadelta", 1.0),
        PeerSpec("cnn_two_conv", "conv", "cross_entropy", "adadelta", 1.0),
    )
}


@dataclass(frozen=True)
class PeerSettings:
    """One peer run. ``threads`` None: one per core, as TensorFlow's default."""

    experiment: str
    seed: int
    epochs: int
    batch_size: int
    data_dir: str | None = None  # None: helpers.data's own order (MNIST_DATA_DIR first)
    train_images: int | None = None  # None: every training image
    threads: int | None = None


@dataclass(frozen=True)
class PeerMeasurement:
    """Figures of one peer run. Accuracy is a fraction in [0, 1]; times are seconds."""

    settings: dict[str, Any]
    torch_version: str
    threads: int
    train_images: int
    test_accuracy: float
    parameters: int
    epoch_seconds: list[float]
    epoch_cpu_seconds: list[float]  # process CPU time per epoch (user + system, all threads)
    seconds_per_epoch: float  # mean over epochs after the first, as benchmarks.measure
    samples_per_second: float
    forward_flops_per_sample: int
    achieved_gflops: float  # forward + backward (≈ 3× forward), at samples_per_second
    torch_matmul_peak_gflops: float  # PyTorch's own best fp32 matmul rate, same process
    peak_memory_mb: float


def torch_available() -> bool:
    """True when ``import torch`` would succeed (without importing it)."""
    return importlib.util.find_spec("torch") is not None


def build(name: str) -> Any:
    """The PyTorch twin of the ``helpers.models`` model behind the experiment ``name``.

    Outputs are what the loss takes: sigmoid activations for MSE, logits for cross-entropy
    (Keras' softmax output plus categorical cross-entropy is the same function).
    """
    from torch import nn

    if name in ("baseline_mse", "softmax_cross_entropy"):
        layers: list[nn.Module] = [nn.Linear(784, 30), nn.Sigmoid(), nn.Linear(30, 10)]
        if name == "baseline_mse":
            layers.append(nn.Sigmoid())
    elif name == "dense_512_dropout":
        layers = [
            nn.Linear(784, 512),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(512, 10),
        ]
    elif name == "cnn_5x5x16":
        layers = [
            nn.Conv2d(1, 16, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Dropout(0.2),
            nn.Flatten(),
            nn.Linear(16 * 12 * 12, 10),
        ]
    elif name == "cnn_two_conv":
        layers = [
            nn.Conv2d(1, 32, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Dropout(0.2),
            nn.Linear(32 * 4 * 4, 512),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        ]
    else:
        raise KeyError(f"no PyTorch peer for {name!r}; there are: {', '.join(PEER_SPECS)}")
    model = nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(layer.weight)  # Keras' glorot_uniform
            nn.init.zeros_(layer.bias)
    return model


def input_shape(name: str) -> tuple[int, ...]:
    """Shape of one input of the peer model ``name`` (without the batch axis)."""
    return DENSE_INPUT if PEER_SPECS[name].input_kind == "dense" else CONV_INPUT


def count_parameters(model: Any) -> int:
    """Trainable weights plus biases, as Keras' ``count_params()``."""
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


def optimizer(spec: PeerSpec, model: Any) -> Any:
    """The optimizer of ``spec`` over ``model``'s parameters, with Keras' settings."""
    import torch

    if spec.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=spec.learning_rate)
    if spec.optimizer == "adadelta":
        return torch.optim.Adadelta(model.parameters(), lr=spec.learning_rate, rho=0.95, eps=1e-7)
    raise ValueError(f"unknown optimizer {spec.optimizer!r}")


def loss_function(spec: PeerSpec) -> Any:
    """Loss of ``spec`` on (outputs, one-hot float targets), mean over the batch."""
    from torch.nn import functional

    if spec.loss == "mse":
        return functional.mse_loss  # mean over samples and units, as Keras' MSE
    if spec.loss == "cross_entropy":
        return functional.cross_entropy  # takes logits and probability targets
    raise ValueError(f"unknown loss {spec.loss!r}")


def torch_matmul_peak_gflops(sizes: tuple[int, ...] = (1024, 2048), repeats: int = 10) -> float:
    """PyTorch's best fp32 square matmul rate in GFLOP/s (as measure.matmul_peak_gflops)."""
    import torch

    best = 0.0
    generator = torch.Generator().manual_seed(1)
    for size in sizes:
        a = torch.randn(size, size, generator=generator)
        b = torch.randn(size, size, generator=generator)
        torch.mm(a, b)  # warm-up
        for _ in range(repeats):
            start = time.perf_counter()
            torch.mm(a, b)
            best = max(best, 2 * size**3 / (time.perf_counter() - start) / 1e9)
    return best


def tensors(settings: PeerSettings, spec: PeerSpec) -> tuple[Any, Any, Any, Any]:
    """Training and test inputs (float32 in [0, 1]) and one-hot float32 targets, as tensors."""
    import torch

    dataset = data.load_mnist_dataset(settings.data_dir, verbose=False)
    x_train, y_train = dataset.x_train, dataset.y_train
    if settings.train_images is not None:
        x_train, y_train = data.first_n(x_train, y_train, min(settings.train_images, len(x_train)))

    def inputs(images: np.ndarray) -> Any:
        if spec.input_kind == "dense":
            return torch.from_numpy(data.prepare_dense(images))
        return torch.from_numpy(data.scale_images(images)[:, np.newaxis].copy())

    return (
        inputs(x_train),
        torch.from_numpy(data.one_hot(y_train)),
        inputs(dataset.x_test),
        torch.from_numpy(dataset.y_test.astype(np.int64)),
    )


def accuracy(model: Any, x: Any, labels: Any, batch_size: int = 1000) -> float:
    """Fraction of ``x`` whose arg-max output equals ``labels`` (evaluation mode)."""
    import torch

    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            predicted = model(x[start : start + batch_size]).argmax(dim=1)
            correct += int((predicted == labels[start : start + batch_size]).sum())
    return correct / len(x)


def train(settings: PeerSettings) -> PeerMeasurement:
    """Train the peer of ``settings.experiment`` eagerly and measure it."""
    import torch

    spec = PEER_SPECS[settings.experiment]
    threads = settings.threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    peak = torch_matmul_peak_gflops()
    x, y, x_test, y_test = tensors(settings, spec)
    torch.manual_seed(settings.seed)
    generator = torch.Generator().manual_seed(settings.seed)
    model = build(spec.name)
    flops = torch_forward_flops(model, input_shape(spec.name))
    step = optimizer(spec, model)
    loss_of = loss_function(spec)
    batch = settings.batch_size
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(settings.epochs):
        start, cpu_start = time.perf_counter(), time.process_time()
        model.train()
        order = torch.randperm(len(x), generator=generator)
        x_epoch, y_epoch = x[order], y[order]
        for first in range(0, len(x), batch):
            step.zero_grad(set_to_none=True)
            loss = loss_of(model(x_epoch[first : first + batch]), y_epoch[first : first + batch])
            loss.backward()
            step.step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    later = wall[1:] or wall
    seconds_per_epoch = float(np.mean(later))
    samples_per_second = len(x) / seconds_per_epoch
    return PeerMeasurement(
        settings=asdict(settings),
        torch_version=torch.__version__,
        threads=threads,
        train_images=len(x),
        test_accuracy=accuracy(model, x_test, y_test),
        parameters=count_parameters(model),
        epoch_seconds=wall,
        epoch_cpu_seconds=cpu,
        seconds_per_epoch=seconds_per_epoch,
        samples_per_second=samples_per_second,
        forward_flops_per_sample=flops,
        achieved_gflops=achieved_gflops(flops, samples_per_second),
        torch_matmul_peak_gflops=peak,
        peak_memory_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def main(argv: list[str]) -> int:
    """Entry point: train the peer run described by the JSON in ``argv[0]``, print JSON."""
    settings = PeerSettings(**json.loads(argv[0]))
    print(json.dumps(asdict(train(settings))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
