"""One output cell taken apart: which input cells, which weights, which products."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from conv._conv2d import prepare
from conv._geometry import IntPair, PaddingSpec, _is_int, output_shape
from conv._padding import source_index


@dataclass(frozen=True)
class CellExplanation:
    """The arithmetic behind one output cell of :func:`conv.conv2d`.

    Attributes
    ----------
    rows, cols : numpy.ndarray of int, shapes (KH,) and (KW,)
        Input coordinates under each kernel tap; negative or ``>= H`` / ``>= W``
        on padding cells.
    is_padding : numpy.ndarray of bool, shape (KH, KW)
        Whether the tap reads a padding cell rather than the input.
    source_rows, source_cols : numpy.ndarray of int, shape (KH, KW)
        The real input cell each tap's value comes from (itself inside the
        input, the mirrored/copied/wrapped cell on padding), -1 for zero padding.
    window : numpy.ndarray, shape (KH, KW, C // groups)
        The values multiplied: the channels of the filter's group.
    weights : numpy.ndarray, shape (KH, KW, C // groups)
        The kernel values used, already flipped when ``flip=True``.
    products : numpy.ndarray, shape (KH, KW, C // groups)
        ``window * weights``.
    value : float
        ``products.sum()``, the output cell.
    channels : numpy.ndarray of int, shape (C // groups,)
        The input channels the filter sees (all of them when ``groups=1``).
    """

    rows: np.ndarray
    cols: np.ndarray
    is_padding: np.ndarray
    source_rows: np.ndarray
    source_cols: np.ndarray
    window: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    value: float
    channels: np.ndarray


def _check_index(value: object, name: str, size: int) -> int:
    # Python's negative indexing would explain a different cell than was clicked.
    if not _is_int(value) or not 0 <= value < size:
        raise ValueError(f"{name} must be an int in 0..{size - 1}, got {value!r}")
    return int(value)


def explain_cell(
    x: ArrayLike,
    kernel: ArrayLike,
    row: int,
    col: int,
    *,
    filter_index: int = 0,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    pad_mode: str = "zeros",
    flip: bool = False,
    groups: int = 1,
) -> CellExplanation:
    """Take apart output cell ``(row, col)`` of ``conv2d(x, kernel, ...)``.

    Parameters
    ----------
    x, kernel, stride, padding, dilation, pad_mode, flip, groups
        As for :func:`conv.conv2d`.
    row, col : int
        The output cell, ``0 <= row < OH`` and ``0 <= col < OW``.
    filter_index : int
        Which filter of a ``(KH, KW, C, F)`` kernel; 0 otherwise.

    Returns
    -------
    CellExplanation

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(9.0).reshape(3, 3)
    >>> cell = explain_cell(x, np.ones((2, 2)), 0, 2, padding=((0, 0), (0, 1)))
    >>> cell.cols, cell.is_padding[0]
    (array([2, 3]), array([False,  True]))
    >>> cell.window[..., 0]
    array([[2., 0.],
           [5., 0.]])
    >>> cell.value
    7.0
    >>> rgb = np.ones((3, 3, 4))
    >>> explain_cell(rgb, np.ones((2, 2, 2, 4)), 0, 0, filter_index=3, groups=2).channels
    array([2, 3])
    >>> explain_cell(x, np.ones((2, 2)), 2, 0)
    Traceback (most recent call last):
    ...
    ValueError: row must be an int in 0..1, got 2
    """
    x3, k4, strides, pads, dilations = prepare(
        x, kernel, stride, padding, dilation, pad_mode, flip, groups
    )
    oh, ow = output_shape(
        x3.shape, k4.shape, stride=strides, padding=pads, dilation=dilations, groups=groups
    )[:2]
    row = _check_index(row, "row", oh)
    col = _check_index(col, "col", ow)
    f = _check_index(filter_index, "filter_index", k4.shape[3])
    kh, kw = k4.shape[:2]
    h, w = x3.shape[:2]
    rows = row * strides[0] - pads[0][0] + dilations[0] * np.arange(kh)
    cols = col * strides[1] - pads[1][0] + dilations[1] * np.arange(kw)
    outside_r = (rows < 0) | (rows >= h)
    outside_c = (cols < 0) | (cols >= w)
    is_padding = outside_r[:, None] | outside_c[None, :]
    src_r = source_index(rows, h, pad_mode)
    src_c = source_index(cols, w, pad_mode)
    source_rows = np.broadcast_to(src_r[:, None], (kh, kw)).copy()
    source_cols = np.broadcast_to(src_c[None, :], (kh, kw)).copy()
    # A zero-padding tap has no source in either direction, even if one index is inside.
    zero = (source_rows < 0) | (source_cols < 0)
    source_rows[zero] = -1
    source_cols[zero] = -1
    per_group = k4.shape[2]
    channels = np.arange(per_group) + f // (k4.shape[3] // groups) * per_group
    window = x3[np.maximum(source_rows, 0), np.maximum(source_cols, 0)][..., channels]
    window[zero] = 0
    weights = k4[..., f].copy()
    products = window * weights
    return CellExplanation(
        rows=rows,
        cols=cols,
        is_padding=is_padding,
        source_rows=source_rows,
        source_cols=source_cols,
        window=window,
        weights=weights,
        products=products,
        value=float(products.sum()),
        channels=channels,
    )
