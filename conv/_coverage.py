"""Which input rows and columns the windows read: :func:`unread` and :func:`unreached`.

A stride longer than the window, or a dilation, leaves rows between windows
or between taps that no tap ever reads; a stride that jumps past the last
real rows into the bottom padding drops those rows too. The network never
sees what sits there, so these rows are worth drawing on the input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from conv._geometry import IntPair, PaddingSpec, _window_geometry, as_pair
from conv._padding import _check_fits, check_pad_mode, source_index


def _read_positions(padded: int, kernel: int, stride: int, dilation: int, out: int) -> np.ndarray:
    """Sorted padded coordinates read by any tap of any window along one axis.

    Tap ``m`` reads ``m*d, m*d + s, ..., m*d + (out - 1)*s``: an interval on
    the lattice of its residue ``m*d mod s``. A difference array per residue
    marks the union in ``O(kernel + padded)``, however many windows there are.
    """
    starts = np.arange(kernel) * dilation
    residue, first = starts % stride, starts // stride
    lattice = padded // stride + 2
    diff = np.zeros((stride, lattice + out), dtype=np.int64)
    np.add.at(diff, (residue, first), 1)
    np.add.at(diff, (residue, first + out), -1)
    covered = np.cumsum(diff, axis=1) > 0
    r, q = np.nonzero(covered)
    positions = q * stride + r
    return np.unique(positions[positions < padded])


def unread(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    pad_mode: str = "zeros",
) -> tuple[np.ndarray, np.ndarray]:
    """Input rows and columns that no tap of any window reads.

    Rows between strided windows, between dilated taps and past the last
    window all count. With a ``pad_mode`` other than ``"zeros"``, a row that a
    read padding cell copies (reflected, replicated or wrapped) counts as read.
    Rows and columns are independent: a cell is read exactly when its row and
    its column both are.

    Parameters
    ----------
    input_shape, kernel_shape, stride, padding, dilation, pad_mode
        As for :func:`conv.conv2d` (shapes instead of arrays).

    Returns
    -------
    (rows, cols) : (numpy.ndarray, numpy.ndarray)
        Sorted 0-based ``int64`` indices into the input's rows and columns.

    Examples
    --------
    >>> rows, cols = unread((9, 7), (2, 3), stride=(4, 2), dilation=(1, 2))
    >>> rows.tolist(), cols.tolist()
    ([2, 3, 6, 7, 8], [1, 3, 5])
    >>> [a.tolist() for a in unread((5, 5), (1, 1), stride=3, padding=((0, 2), (0, 0)))]
    [[1, 2, 4], [1, 2, 4]]
    >>> unread((5, 5), (1, 1), stride=2, padding=1)[0].tolist()
    [0, 2, 4]
    >>> unread((5, 5), (1, 1), stride=2, padding=1, pad_mode="replicate")[0].tolist()
    [2]
    """
    check_pad_mode(pad_mode)
    in_shape, k_shape, strides, pads, padded, _, out = _window_geometry(
        input_shape, kernel_shape, stride, padding, dilation
    )
    dilations = as_pair(dilation, "dilation")
    _check_fits(in_shape, pads, pad_mode)  # the padding conv2d would refuse, refused here too
    result = []
    for axis in (0, 1):
        positions = _read_positions(
            padded[axis], k_shape[axis], strides[axis], dilations[axis], out[axis]
        )
        sources = source_index(positions - pads[axis][0], in_shape[axis], pad_mode)
        read = np.zeros(in_shape[axis], dtype=bool)
        read[sources[sources >= 0]] = True
        result.append(np.flatnonzero(~read).astype(np.int64))
    return result[0], result[1]


def unreached(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
) -> tuple[int, int]:
    """How many input rows at the bottom and columns at the right no window reads.

    The rows after the last one any tap reads (with zero padding), including
    those a stride jumps over into the bottom padding. Gaps between windows or
    taps higher up are not counted: :func:`unread` lists every unread row.

    Returns
    -------
    (rows, cols) : (int, int)

    Examples
    --------
    >>> unreached((6, 7), (3, 3), stride=2)
    (1, 0)
    >>> unreached((6, 7), (3, 3), stride=2, padding="same")
    (0, 0)
    >>> unreached((5, 5), (1, 1), stride=3, padding=((0, 2), (0, 0)))
    (1, 1)
    """
    missed_rows_cols = unread(
        input_shape, kernel_shape, stride=stride, padding=padding, dilation=dilation
    )
    counts = []
    for size, missed in zip(tuple(input_shape)[:2], missed_rows_cols, strict=True):
        # The unread rows that follow the last read row form a run ending at size - 1.
        tail = 0
        while tail < len(missed) and missed[len(missed) - 1 - tail] == size - 1 - tail:
            tail += 1
        counts.append(tail)
    return tuple(counts)
