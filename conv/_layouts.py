"""Moving weights and inputs between frameworks' axis orders.

Weights moved with the wrong transpose keep plausible shapes and give wrong
values, so the move is named by layout letters instead of axis numbers:
O output channels (filters), I input channels, H and W kernel rows and
columns; N batch, C channels, H and W rows and columns for inputs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

# Who uses which: PyTorch Conv2d weights and ONNX Conv are OIHW, TensorFlow,
# Keras, JAX's usual choice and this library's (KH, KW, C, F) are HWIO,
# PyTorch ConvTranspose2d weights are IOHW (I = the transposed layer's input).
WEIGHT_LAYOUTS = ("OIHW", "HWIO", "OHWI", "IOHW", "HWOI", "IHWO")
INPUT_LAYOUTS = ("NCHW", "NHWC", "CHW", "HWC", "HW")


def _check_layout(layout: object, name: str) -> str:
    known = WEIGHT_LAYOUTS + INPUT_LAYOUTS
    if not isinstance(layout, str) or (
        layout not in known
        and not (sorted(layout) in (sorted("OIHW"), sorted("NCHW")) and len(set(layout)) == 4)
    ):
        raise ValueError(
            f"{name} must be a layout such as {', '.join(known)} (any order of "
            f"OIHW or NCHW), got {layout!r}"
        )
    return layout


def to_layout(array: ArrayLike, src: str, dst: str) -> np.ndarray:
    """``array`` with its axes moved from layout ``src`` to layout ``dst``.

    A batch axis ``N`` may be added (length 1) or dropped (when of length 1),
    and a channel axis ``C`` likewise, so ``"HWC"`` goes to ``"NCHW"`` and
    back. Weight layouts (letters O, I, H, W) do not mix with input layouts.

    Parameters
    ----------
    array : array_like
        With ``len(src)`` axes.
    src, dst : str
        Layouts, e.g. ``"OIHW"`` (PyTorch, ONNX), ``"HWIO"`` (TensorFlow,
        Keras, this library), ``"IOHW"`` (PyTorch transposed convolution),
        ``"NCHW"``, ``"NHWC"``, ``"CHW"``, ``"HWC"``.

    Returns
    -------
    numpy.ndarray
        A view where only axes move.

    Examples
    --------
    >>> import numpy as np
    >>> torch_weight = np.zeros((8, 3, 5, 5))  # (F, C, KH, KW)
    >>> to_layout(torch_weight, "OIHW", "HWIO").shape
    (5, 5, 3, 8)
    >>> to_layout(np.zeros((32, 32, 3)), "HWC", "NCHW").shape
    (1, 3, 32, 32)
    >>> to_layout(np.zeros((2, 3, 4, 4)), "NCHW", "HWC")
    Traceback (most recent call last):
    ...
    ValueError: array has 2 along N, which "HWC" drops; only length 1 can go
    """
    src = _check_layout(src, "src")
    dst = _check_layout(dst, "dst")
    a = np.asarray(array)
    if a.ndim != len(src):
        raise ValueError(f"array must have {len(src)} axes for src {src!r}, got shape {a.shape}")
    droppable = set("NC")
    if (set(src) ^ set(dst)) - droppable:
        raise ValueError(f"src {src!r} and dst {dst!r} name different axes; they cannot convert")
    for letter in set(src) - set(dst):
        if a.shape[src.index(letter)] != 1:
            raise ValueError(
                f"array has {a.shape[src.index(letter)]} along {letter}, which "
                f'"{dst}" drops; only length 1 can go'
            )
    kept = [letter for letter in src if letter in dst]
    a = a.reshape([a.shape[src.index(letter)] for letter in kept])
    a = a.transpose([kept.index(letter) for letter in dst if letter in kept])
    for axis, letter in enumerate(dst):
        if letter not in kept:
            a = np.expand_dims(a, axis)
    return a
