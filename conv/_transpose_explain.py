"""One output cell of a transposed convolution taken apart, and where the paint overlaps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from conv._conv2d import as_float_array
from conv._explain import _check_index
from conv._geometry import IntPair, Padding2D
from conv._transpose import transpose_geometry


@dataclass(frozen=True)
class TransposeCellExplanation:
    """The input cells and kernel taps that reach one output cell of :func:`conv.conv_transpose2d`.

    One entry per (input cell, tap) pair that paints the cell, in tap order
    (row-major over the kernel); ``N`` of them, possibly none.

    Attributes
    ----------
    rows, cols : numpy.ndarray of int, shape (N,)
        The input cells.
    tap_rows, tap_cols : numpy.ndarray of int, shape (N,)
        The kernel tap each of them paints with.
    channels : numpy.ndarray of int, shape (C // groups,)
        The input channels of the output channel's group.
    values : numpy.ndarray, shape (N, C // groups)
        ``x[rows, cols, channels]``.
    weights : numpy.ndarray, shape (N, C // groups)
        ``kernel[tap_rows, tap_cols, channels, filter_index % (F // groups)]``.
    products : numpy.ndarray, shape (N, C // groups)
        ``values * weights``.
    value : float
        ``products.sum()``, the output cell.
    """

    rows: np.ndarray
    cols: np.ndarray
    tap_rows: np.ndarray
    tap_cols: np.ndarray
    channels: np.ndarray
    values: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    value: float


def _reaching(index: int, size: int, taps: int, stride: int, dilation: int, before: int):
    """Input indices ``i`` and taps ``m`` with ``i*stride + m*dilation - before == index``."""
    m = np.arange(taps)
    offset = index + before - m * dilation
    hit = (offset % stride == 0) & (offset >= 0) & (offset // stride < size)
    return offset[hit] // stride, m[hit]


def explain_transpose_cell(
    x: ArrayLike,
    kernel: ArrayLike,
    row: int,
    col: int,
    *,
    filter_index: int = 0,
    stride: IntPair = 1,
    padding: int | tuple[int, int] | Padding2D = 0,
    output_padding: IntPair = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> TransposeCellExplanation:
    """Take apart output cell ``(row, col, filter_index)`` of ``conv_transpose2d(x, kernel, ...)``.

    Parameters
    ----------
    x, kernel, stride, padding, output_padding, dilation, groups
        As for :func:`conv.conv_transpose2d`.
    row, col : int
        The output cell, ``0 <= row < OH`` and ``0 <= col < OW``.
    filter_index : int
        The output channel, ``0 <= filter_index < F``.

    Returns
    -------
    TransposeCellExplanation

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 2.0]])
    >>> cell = explain_transpose_cell(x, np.array([[1.0, 10.0, 100.0]]), 0, 2, stride=2)
    >>> cell.cols, cell.tap_cols, cell.products[:, 0]
    (array([1, 0]), array([0, 2]), array([  2., 100.]))
    >>> cell.value
    102.0
    """
    x = as_float_array(x, "x")
    kernel = as_float_array(kernel, "kernel")
    geo = transpose_geometry(
        x.shape, kernel.shape, stride, padding, output_padding, dilation, groups
    )
    x3 = x.reshape(geo.input_shape)
    k4 = kernel.reshape(geo.kernel_shape)
    row = _check_index(row, "row", geo.output_hw[0])
    col = _check_index(col, "col", geo.output_hw[1])
    f = _check_index(filter_index, "filter_index", geo.filters)
    per_group = geo.input_shape[2] // geo.groups
    group, f_in_group = divmod(f, geo.kernel_shape[3])
    channels = np.arange(per_group) + group * per_group
    (h, w, _), (kh, kw, _, _) = geo.input_shape, geo.kernel_shape
    i, m = _reaching(row, h, kh, geo.stride[0], geo.dilation[0], geo.padding[0][0])
    j, n = _reaching(col, w, kw, geo.stride[1], geo.dilation[1], geo.padding[1][0])
    rows, cols = np.repeat(i, len(j)), np.tile(j, len(i))
    tap_rows, tap_cols = np.repeat(m, len(n)), np.tile(n, len(m))
    values = x3[rows[:, None], cols[:, None], channels[None, :]]
    weights = k4[tap_rows[:, None], tap_cols[:, None], channels[None, :], f_in_group]
    products = values * weights
    return TransposeCellExplanation(
        rows=rows,
        cols=cols,
        tap_rows=tap_rows,
        tap_cols=tap_cols,
        channels=channels,
        values=values,
        weights=weights,
        products=products,
        value=float(products.sum()),
    )


def transpose_overlap(
    input_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    *,
    stride: IntPair = 1,
    padding: int | tuple[int, int] | Padding2D = 0,
    output_padding: IntPair = 0,
    dilation: IntPair = 1,
) -> np.ndarray:
    """How many (input cell, tap) pairs paint each output cell, as an (OH, OW) int array.

    Uneven counts are the checkerboard a transposed convolution prints when
    the kernel size is not a multiple of the stride.

    Examples
    --------
    >>> transpose_overlap((3, 3), (3, 3), stride=2)[:3, :3]
    array([[1, 1, 2],
           [1, 1, 2],
           [2, 2, 4]])
    >>> transpose_overlap((3, 3), (4, 4), stride=2, padding=1)[:3, :3]  # even inside
    array([[1, 2, 2],
           [2, 4, 4],
           [2, 4, 4]])
    """
    # Channels do not change where the paint lands: check and use the spatial sizes only.
    transpose_geometry(input_shape, kernel_shape, stride, padding, output_padding, dilation)
    geo = transpose_geometry(
        tuple(input_shape)[:2], tuple(kernel_shape)[:2], stride, padding, output_padding, dilation
    )
    counts = []
    for axis in (0, 1):
        n, k = geo.input_shape[axis], geo.kernel_shape[axis]
        before = geo.padding[axis][0]
        counts.append(
            [
                len(_reaching(o, n, k, geo.stride[axis], geo.dilation[axis], before)[0])
                for o in range(geo.output_hw[axis])
            ]
        )
    return np.outer(counts[0], counts[1])
