"""Dilation split into undilated sub-problems, one per lattice of output rows.

With row stride ``s`` and row dilation ``d``, let ``g = gcd(s, d)``, ``s' = s/g``
and ``d' = d/g``. Output row ``i = a + d'*t`` (``0 <= a < d'``) reads, through
tap ``m``, padded row ``i*s + m*d = a*s + d*(s'*t + m)``: the rows
``xp[a*s::d]`` correlated with the kernel *undilated* at stride ``s'``.

So a large dilation (``d' > 1``) becomes ``d'`` problems whose kernel reach is
``KH - 1`` rows instead of ``d*(KH - 1)``: the row blocks of the direct
kernel, the FFT's tiles and its dilated kernel stay small, and the rows of
padding between taps are never read. Columns keep their dilation: a wide
reach only widens the rows the kernels already hold.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from conv._direct import correlate_direct, direct_peak_bytes, direct_work
from conv._fft import correlate_fft, fft_peak_bytes, fft_work
from conv._geometry import conv_size

KERNELS = {"direct": correlate_direct, "fft": correlate_fft}


def row_lattices(hp: int, kh: int, sh: int, dh: int) -> list[tuple[int, int, int, int]]:
    """``[(a, first_row, rows, outputs)]`` per lattice, plus the sub-stride, for one row axis.

    Each sub-problem reads ``rows`` padded rows ``first_row + dh*r`` and
    yields output rows ``a, a + d', ...`` (``outputs`` of them). Empty when
    ``d' == 1``: the kernels handle that dilation themselves.

    Examples
    --------
    >>> row_lattices(20, 3, 2, 4)  # d' = 2, s' = 1
    [(0, 0, 5, 3), (1, 2, 5, 3)]
    """
    g = math.gcd(sh, dh)
    d_sub, s_sub = dh // g, sh // g
    if d_sub == 1:
        return []
    oh = conv_size(hp, kh, sh, dh)
    lattices = []
    for a in range(min(d_sub, oh)):
        outputs = -(-(oh - a) // d_sub)
        lattices.append((a, a * sh, s_sub * (outputs - 1) + kh, outputs))
    return lattices


def correlate(xp, k: np.ndarray, stride, dilation, method: str) -> np.ndarray:
    """Cross-correlate with the ``"direct"`` or ``"fft"`` kernel, split by :func:`row_lattices`.

    ``xp`` is an array or a :class:`conv._padded_input.PaddedInput`.

    Examples
    --------
    >>> x = np.arange(64.0).reshape(8, 8, 1)
    >>> k = np.ones((2, 2, 1, 1))
    >>> bool(np.allclose(correlate(x, k, (1, 1), (3, 3), "fft"),
    ...                  correlate_direct(x, k, (1, 1), (3, 3))))
    True
    """
    kernel = KERNELS[method]
    (sh, sw), (dh, dw) = stride, dilation
    lattices = row_lattices(xp.shape[0], k.shape[0], sh, dh)
    if not lattices:
        return kernel(xp, k, stride, dilation)
    s_sub = sh // math.gcd(sh, dh)
    ow = conv_size(xp.shape[1], k.shape[1], sw, dw)
    oh = conv_size(xp.shape[0], k.shape[0], sh, dh)
    out = np.empty((oh, ow, k.shape[3]), dtype=xp.dtype)
    d_sub = dh // math.gcd(sh, dh)
    for a, first, rows, _ in lattices:
        if isinstance(xp, np.ndarray):
            sub = xp[first : first + dh * (rows - 1) + 1 : dh]
        else:
            sub = xp.row_lattice(first, dh, rows)
        out[a::d_sub] = kernel(sub, k, (s_sub, sw), (1, dw))
    return out


def _split(padded_shape, kernel_shape, stride, dilation):
    """``[(count, sub_shape, sub_stride, sub_dilation)]``: the sub-problems, grouped by shape."""
    (sh, sw), (dh, dw) = stride, dilation
    lattices = row_lattices(padded_shape[0], kernel_shape[0], sh, dh)
    if not lattices:
        return [(1, tuple(padded_shape), stride, dilation)]
    s_sub = sh // math.gcd(sh, dh)
    counts: dict[int, int] = {}
    for *_, rows, _ in lattices:
        counts[rows] = counts.get(rows, 0) + 1
    return [(n, (rows, *padded_shape[1:]), (s_sub, sw), (1, dw)) for rows, n in counts.items()]


def work(padded_shape, kernel_shape, stride, dilation, method, itemsize=8, lazy=False):
    """Work counts of :func:`correlate` by kind, summed over its sub-problems."""
    if dilation[0] == 1:  # no lattices: skip the grouping (a small call's hot path)
        if method == "fft":
            return fft_work(padded_shape, kernel_shape, stride, dilation)
        return direct_work(padded_shape, kernel_shape, stride, dilation, itemsize, lazy=lazy)
    total: dict[str, float] = {}
    for n, shape, s, d in _split(padded_shape, kernel_shape, stride, dilation):
        if method == "fft":
            counts = fft_work(shape, kernel_shape, s, d)
        else:
            counts = direct_work(shape, kernel_shape, s, d, itemsize, lazy=lazy)
        for kind, amount in counts.items():
            total[kind] = total.get(kind, 0) + n * amount
    return total


def peak_bytes(padded_shape, kernel_shape, stride, dilation, method, itemsize=8, lazy=False):
    """Upper bound of the bytes :func:`correlate` allocates, its result included."""
    peak: Callable = fft_peak_bytes if method == "fft" else direct_peak_bytes
    split = _split(padded_shape, kernel_shape, stride, dilation)
    largest = max(peak(shape, kernel_shape, s, d, itemsize, lazy=lazy) for _, shape, s, d in split)
    if len(split) == 1 and split[0][0] == 1 and split[0][1] == tuple(padded_shape):
        return largest
    (sh, sw), (dh, dw) = stride, dilation
    oh = conv_size(padded_shape[0], kernel_shape[0], sh, dh)
    ow = conv_size(padded_shape[1], kernel_shape[1], sw, dw)
    return largest + oh * ow * kernel_shape[3] * itemsize
