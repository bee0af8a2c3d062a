"""Axis orders of uploaded arrays: which one a file is read in, and when a shape looks wrong.

PyTorch writes inputs as (C, H, W) or (1, C, H, W) and weights as
(F, C, KH, KW); the pages work channels-last, (H, W, C) and (KH, KW, C, F).
An upload read in the wrong order keeps a plausible shape and gives wrong
numbers, so the order is a setting (``x_layout``, ``k_layout``), the move is
:func:`conv.to_layout`, and a shape that looks like the other order is named.

Examples
--------
>>> import numpy as np
>>> channels_last(np.zeros((1, 3, 32, 32)), "CHW", "input").shape
(32, 32, 3)
>>> channels_last(np.zeros((8, 3, 5, 5)), "OIHW", "filter").shape
(5, 5, 3, 8)
>>> input_hint((3, 32, 32), "HWC")
'CHW'
>>> filter_hint((8, 3, 3, 3), "HWIO", channels=3)
'OIHW'
"""

from __future__ import annotations

import numpy as np

import conv

__all__ = [
    "LABELS", "SHORT", "channels_last", "filter_hint", "input_hint", "max_ndim", "shape_text",
]  # fmt: skip

LABELS = {
    "HWC": "H×W×C (channels last)",
    "CHW": "C×H×W (channels first; N×C×H×W with N = 1 too)",
    "HWIO": "KH×KW×C×F (TensorFlow, Keras)",
    "OIHW": "F×C×KH×KW (PyTorch, ONNX)",
}
#: The axis order alone, for sentences.
SHORT = {"HWC": "H×W×C", "CHW": "C×H×W", "HWIO": "KH×KW×C×F", "OIHW": "F×C×KH×KW"}
#: conv.to_layout's name for an upload with this many axes, per layout; absent: no move.
_SOURCE = {
    "CHW": {3: "CHW", 4: "NCHW"},
    "OIHW": {3: "CHW", 4: "OIHW"},  # a 3-D filter in PyTorch order is one filter, (C, KH, KW)
}
_TARGET = {"CHW": "HWC", "NCHW": "HWC", "OIHW": "HWIO"}


def max_ndim(layout: str, what: str) -> int:
    """How many axes an upload may have in ``layout`` (channels-first inputs may carry N)."""
    if what == "filter":
        return 4
    return 4 if layout == "CHW" else 3


def channels_last(array: np.ndarray, layout: str, what: str) -> np.ndarray:
    """``array`` (in ``layout``) as the pages use it: (H, W[, C]) or (KH, KW[, C[, F]])."""
    source = _SOURCE.get(layout, {}).get(array.ndim)
    if source is None:
        return array
    try:
        moved = conv.to_layout(array, source, _TARGET[source])
    except ValueError as error:
        raise ValueError(f"{what} read as {LABELS[layout]}: {error}") from None
    return np.ascontiguousarray(moved)


def shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def input_hint(shape: tuple[int, ...], layout: str) -> str | None:
    """The other input layout when ``shape`` (as uploaded) looks like it, else None.

    Channels are few (at most 4) and much fewer than rows or columns, so a
    small first axis beside two large ones is channels-first, and the
    reverse for a small last axis.
    """
    if len(shape) != 3:
        return None
    first, _, last = shape

    def few(c: int, others: tuple[int, int]) -> bool:
        return c <= 4 and 4 * c <= min(others)

    if layout == "HWC" and few(first, shape[1:]) and not few(last, shape[:2]):
        return "CHW"
    if layout == "CHW" and few(last, shape[:2]) and not few(first, shape[1:]):
        return "HWC"
    return None


def filter_hint(shape: tuple[int, ...], layout: str, channels: int | None) -> str | None:
    """The other filter layout when a 4-D ``shape`` (as uploaded) looks like it, else None.

    Kernels are nearly always square, so equal last axes beside unequal
    first ones read as (F, C, KH, KW), and the reverse; an input's channel
    count that only the other order matches says so too.
    """
    if len(shape) != 4:
        return None
    other = {"HWIO": "OIHW", "OIHW": "HWIO"}[layout]
    square_front, square_back = shape[0] == shape[1], shape[2] == shape[3]
    channel_axis = {"HWIO": 2, "OIHW": 1}
    if (
        channels is not None
        and shape[channel_axis[layout]] != channels
        and shape[channel_axis[other]] == channels
    ):
        return other
    looks_oihw = square_back and not square_front
    looks_hwio = square_front and not square_back
    if (layout == "HWIO" and looks_oihw) or (layout == "OIHW" and looks_hwio):
        return other
    return None
