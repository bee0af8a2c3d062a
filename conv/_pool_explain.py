"""One output cell of a pooling taken apart: its window, the winner or the divisor."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from conv._conv2d import as_float_array
from conv._explain import _check_index
from conv._geometry import IntPair
from conv._pool import avg_divisors, check_pool_options, pool_geometry


@dataclass(frozen=True)
class PoolCellExplanation:
    """The window behind one output cell of :func:`conv.pool2d`.

    Attributes
    ----------
    rows, cols : numpy.ndarray of int, shapes (KH,) and (KW,)
        Input coordinates of each tap; negative or ``>= H`` / ``>= W`` off the input.
    is_padding : numpy.ndarray of bool, shape (KH, KW)
        Taps on the padding (inside the padded frame but off the input).
    is_outside : numpy.ndarray of bool, shape (KH, KW)
        Taps past the padded frame, which only ``ceil_mode``'s last window
        has; they take no part at all.
    window : numpy.ndarray, shape (KH, KW)
        What the pooling sees: the input on the input, ``-inf`` (max) or 0
        (avg) elsewhere.
    value : float
        The output cell.
    winner : (int, int) or None
        Max pooling: the input cell whose value won (the first NaN if any,
        else the first maximum in row-major order, as PyTorch's indices).
        None for average pooling, and when dilated taps all miss the input
        (then ``value`` is ``-inf``, as in PyTorch).
    divisor : float or None
        Average pooling: what the window's sum was divided by. None for max.
    """

    rows: np.ndarray
    cols: np.ndarray
    is_padding: np.ndarray
    is_outside: np.ndarray
    window: np.ndarray
    value: float
    winner: tuple[int, int] | None
    divisor: float | None


def explain_pool_cell(
    x: ArrayLike,
    size: IntPair,
    row: int,
    col: int,
    *,
    channel: int = 0,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
    mode: str = "max",
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> PoolCellExplanation:
    """Take apart output cell ``(row, col, channel)`` of ``pool2d(x, size, ...)``.

    Parameters
    ----------
    x, size, stride, padding, dilation, ceil_mode, mode, count_include_pad, divisor_override
        As for :func:`conv.pool2d`.
    row, col : int
        The output cell, ``0 <= row < OH`` and ``0 <= col < OW``.
    channel : int
        Which channel of an ``(H, W, C)`` input; 0 otherwise.

    Returns
    -------
    PoolCellExplanation

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 5.0, 2.0], [3.0, 4.0, 0.0]])
    >>> cell = explain_pool_cell(x, 2, 0, 1, ceil_mode=True)
    >>> cell.cols, cell.is_outside[0], cell.winner, cell.value
    (array([2, 3]), array([False,  True]), (0, 2), 2.0)
    >>> explain_pool_cell(x, 2, 0, 0, padding=1, mode="avg").divisor
    4.0
    """
    x = as_float_array(x, "x")
    if x.ndim not in (2, 3) or x.size == 0:
        raise ValueError(f"x must be a non-empty (H, W) or (H, W, C) array, got shape {x.shape}")
    check_pool_options(mode, dilation, count_include_pad, divisor_override)
    geo = pool_geometry(x.shape, size, stride, padding, dilation, ceil_mode)
    x3 = x.reshape(*x.shape[:2], -1)
    row = _check_index(row, "row", geo.output_hw[0])
    col = _check_index(col, "col", geo.output_hw[1])
    ch = _check_index(channel, "channel", x3.shape[2])
    coords, inside, framed = [], [], []
    for o, n, k, s, p, d in zip(
        (row, col), geo.input_hw, geo.size, geo.stride, geo.padding, geo.dilation, strict=True
    ):
        index = o * s - p + d * np.arange(k)
        coords.append(index)
        inside.append((index >= 0) & (index < n))
        framed.append(index < n + p)
    on_input = inside[0][:, None] & inside[1][None, :]
    is_outside = ~(framed[0][:, None] & framed[1][None, :])
    window = np.full(on_input.shape, -np.inf if mode == "max" else 0.0)
    rows, cols = coords
    window[on_input] = x3[np.ix_(np.where(inside[0], rows, 0), np.where(inside[1], cols, 0))][
        ..., ch
    ][on_input]
    winner = divisor = None
    if mode == "max" and not on_input.any():
        # Dilated taps can all miss the input (PyTorch answers -inf there too).
        value = -np.inf
    elif mode == "max":
        candidates = np.where(on_input, window, -np.inf)
        nan = np.isnan(candidates)
        # A window of -inf only still has a winner: its first input cell.
        scored = np.where(on_input, candidates, np.nan) if not nan.any() else nan
        flat = int(np.argmax(nan)) if nan.any() else int(np.nanargmax(scored))
        m, n = divmod(flat, window.shape[1])
        winner = (int(rows[m]), int(cols[n]))
        value = float(window[m, n])
    else:
        divisor = float(avg_divisors(geo, count_include_pad, divisor_override)[row, col])
        value = float(window[~is_outside].sum() / divisor)
    return PoolCellExplanation(
        rows=rows,
        cols=cols,
        is_padding=~on_input & ~is_outside,
        is_outside=is_outside,
        window=window,
        value=value,
        winner=winner,
        divisor=divisor,
    )
