"""Layer descriptions for :func:`conv.trace_layers`, named and ordered as in ``torch.nn``.

Examples
--------
>>> from conv.layers import Conv2d, MaxPool2d, Pointwise
>>> stack = [Conv2d(3, 16, 3, padding=1), Pointwise("ReLU"), MaxPool2d(2)]
>>> print(stack[0])
Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
"""

from conv._layers import (
    POINTWISE,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Flatten,
    Layer,
    Linear,
    MaxPool2d,
    Pointwise,
)

__all__ = [
    "POINTWISE",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "AvgPool2d",
    "BatchNorm2d",
    "Conv2d",
    "ConvTranspose2d",
    "Flatten",
    "Layer",
    "Linear",
    "MaxPool2d",
    "Pointwise",
]
