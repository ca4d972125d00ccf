"""FLOP counts of the benchmark models, shared by the Keras runs and the PyTorch peer.

Only dense and convolution layers count (activations, pooling, dropout, the optimizer ≈ 0):
``2 × multiply-adds`` per forward pass of one input, and ≈ 3× that for a training step
(the backward pass costs about two forward passes). Neither Keras nor PyTorch is imported
at module level, so a process of either framework can use this module.
"""

from __future__ import annotations

from typing import Any

BACKWARD_TO_FORWARD_COST = 2.0  # backward pass ≈ twice the forward FLOPs (two matmuls per one)


def achieved_gflops(forward_flops: int, samples_per_second: float) -> float:
    """Training rate in GFLOP/s: forward plus backward (≈ 3× forward) at the given speed."""
    return forward_flops * (1 + BACKWARD_TO_FORWARD_COST) * samples_per_second / 1e9


def keras_forward_flops(model: Any) -> int:
    """Forward FLOPs per input of a built Keras model (Dense and Conv2D layers)."""
    import keras

    flops = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            inputs, units = layer.kernel.shape
            flops += 2 * int(inputs) * int(units)
        elif isinstance(layer, keras.layers.Conv2D):
            height, width, in_channels, filters = (int(d) for d in layer.kernel.shape)
            out_height, out_width = (int(d) for d in layer.output.shape[1:3])
            flops += 2 * height * width * in_channels * filters * out_height * out_width
    return flops


def torch_forward_flops(model: Any, shape: tuple[int, ...]) -> int:
    """Forward FLOPs per input of ``shape`` (no batch axis) of a PyTorch module (Linear and
    Conv2d layers, counted as :func:`keras_forward_flops` counts Dense and Conv2D)."""
    import torch
    from torch import nn

    flops = 0

    def count(layer: nn.Module, _inputs: Any, output: Any) -> None:
        nonlocal flops
        if isinstance(layer, nn.Linear):
            flops += 2 * layer.in_features * layer.out_features
        elif isinstance(layer, nn.Conv2d):
            height, width = layer.kernel_size
            positions = int(output.shape[-2]) * int(output.shape[-1])
            per_position = height * width * layer.in_channels // layer.groups
            flops += 2 * per_position * layer.out_channels * positions

    handles = [
        layer.register_forward_hook(count)
        for layer in model.modules()
        if isinstance(layer, (nn.Linear, nn.Conv2d))
    ]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros((1, *shape)))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return flops
