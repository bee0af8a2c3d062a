"""Dilation split into undilated sub-problems, one per lattice of output rows and columns.

Along an axis with stride ``s`` and dilation ``d``, let ``g = gcd(s, d)``,
``s' = s/g`` and ``d' = d/g``. Output index ``i = a + d'*t`` (``0 <= a < d'``)
reads, through tap ``m``, padded index ``i*s + m*d = a*s + d*(s'*t + m)``: the
cells ``xp[a*s::d]`` correlated with the kernel *undilated* at stride ``s'``.

Rows always split when ``d' > 1``: each of the ``d'`` problems has a kernel
reach of ``KH - 1`` rows instead of ``d*(KH - 1)``, so the row blocks of the
direct kernel and the FFT's tiles stay small, and the rows of padding
between taps are never read. Columns split the same way for the FFT, where
it pays (:func:`splits_columns`): otherwise its transforms span the whole
padded width (with "full" padding and a large dilation, mostly padding) and
its dilated kernel is mostly zeros. Sub-problem ``(a, b)`` fills
``out[a::d'_h, b::d'_w]``. The direct kernel keeps its column dilation: it
reads each tap's columns as one slice of the rows it holds.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from conv._direct import correlate_direct, direct_peak_bytes, direct_work
from conv._fft import correlate_fft, fft_peak_bytes, fft_work
from conv._geometry import conv_size

KERNELS = {"direct": correlate_direct, "fft": correlate_fft}


def axis_lattices(n: int, k: int, s: int, d: int) -> list[tuple[int, int, int, int]]:
    """``[(a, first, count, outputs)]``: the lattices of one axis of ``n`` padded cells.

    Each sub-problem reads ``count`` padded cells ``first + d*r`` and yields
    the outputs ``a, a + d', ...`` (``outputs`` of them) along this axis.
    Empty when ``d' == 1``: the kernels handle that dilation themselves.

    Examples
    --------
    >>> axis_lattices(20, 3, 2, 4)  # d' = 2, s' = 1
    [(0, 0, 5, 3), (1, 2, 5, 3)]
    """
    g = math.gcd(s, d)
    d_sub, s_sub = d // g, s // g
    if d_sub == 1:
        return []
    size = conv_size(n, k, s, d)
    lattices = []
    for a in range(min(d_sub, size)):
        outputs = -(-(size - a) // d_sub)
        lattices.append((a, a * s, s_sub * (outputs - 1) + k, outputs))
    return lattices


#: Above this bound of the unsplit FFT's peak bytes, columns are split whatever
#: the cost model says: memory comes first on large problems, and the model
#: underprices the whole-width FFT there (2x on a 128x128x16, d16 "full" case).
SPLIT_ABOVE_BYTES = 8 << 20


@functools.lru_cache(maxsize=1024)
def splits_columns(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    method: str,
    itemsize: int = 8,
    lazy: bool = False,
) -> bool:
    """Whether :func:`correlate` splits the columns into lattices too (rows always split).

    Only for the FFT, only when ``d' > 1``, and only where it pays: the cost
    model (:mod:`conv._method`) expects it no slower, or the FFT with dilated
    columns would hold more than :data:`SPLIT_ABOVE_BYTES`. Split, the
    transforms span one column lattice with an undilated kernel instead of the
    whole padded width with zeros between the taps: 2-5x less memory, up to
    2.5x faster with many channels and filters or a stride sharing a factor
    with the dilation, but many more small FFT calls, up to 2.3x slower on small
    problems with few channels (benchmarks/bench_memory.py, and the
    measurements in the commit that added this).

    Examples
    --------
    >>> splits_columns((1248, 1248, 16), (63, 63, 16, 1), (2, 2), (8, 8), "fft")
    True
    >>> splits_columns((272, 272, 3), (3, 3, 3, 3), (1, 1), (8, 8), "fft")
    False
    >>> splits_columns((1248, 1248, 16), (63, 63, 16, 1), (2, 2), (8, 8), "direct")
    False
    """
    d_sub = dilation[1] // math.gcd(stride[1], dilation[1])
    if method != "fft" or d_sub == 1:
        return False
    from conv._method import price  # a cycle otherwise: the cost model prices work()

    whole = _split(padded_shape, kernel_shape, stride, dilation, False)
    parts = _split(padded_shape, kernel_shape, stride, dilation, True)
    if price(_fft_work(parts, kernel_shape)) <= price(_fft_work(whole, kernel_shape)):
        return True
    whole_peak = _peak(whole, padded_shape, kernel_shape, stride, dilation, "fft", itemsize, lazy)
    return whole_peak > SPLIT_ABOVE_BYTES


def _axis(n: int, k: int, s: int, d: int, split: bool):
    """``(lattices, step, sub_stride, sub_dilation, d')`` of one axis, split or whole."""
    lattices = axis_lattices(n, k, s, d) if split else []
    if not lattices:
        return [(0, 0, n, conv_size(n, k, s, d))], 1, s, d, 1
    g = math.gcd(s, d)
    return lattices, d, s // g, 1, d // g


def correlate(xp, k: np.ndarray, stride, dilation, method: str) -> np.ndarray:
    """Cross-correlate with the ``"direct"`` or ``"fft"`` kernel, split into lattices.

    ``xp`` is an array or a :class:`conv._padded_input.PaddedInput`. Sub-problem
    ``(a, b)`` reads the padded rows of row lattice ``a`` and columns of column
    lattice ``b`` (see :func:`axis_lattices`) and fills ``out[a::d'_h, b::d'_w]``.

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
    kh, kw, _, f = k.shape
    hp, wp = xp.shape[:2]
    lazy = not isinstance(xp, np.ndarray)
    shapes = xp.shape, k.shape, tuple(stride), tuple(dilation)
    split_w = splits_columns(*shapes, method, xp.itemsize, lazy)
    rows, step_h, sub_sh, sub_dh, dh_sub = _axis(hp, kh, sh, dh, True)
    cols, step_w, sub_sw, sub_dw, dw_sub = _axis(wp, kw, sw, dw, split_w)
    if dh_sub == dw_sub == 1:
        return kernel(xp, k, stride, dilation)
    out = np.empty((conv_size(hp, kh, sh, dh), conv_size(wp, kw, sw, dw), f), dtype=xp.dtype)
    for a, r0, nr, _ in rows:
        for b, c0, nc, _ in cols:
            if not lazy:
                sub = xp[
                    r0 : r0 + step_h * (nr - 1) + 1 : step_h,
                    c0 : c0 + step_w * (nc - 1) + 1 : step_w,
                ]
            else:
                sub = xp.lattice((r0, step_h, nr), (c0, step_w, nc))
            out[a::dh_sub, b::dw_sub] = kernel(sub, k, (sub_sh, sub_sw), (sub_dh, sub_dw))
    return out


def _axis_groups(n: int, k: int, s: int, d: int, split: bool):
    """``({count: lattices}, sub_stride, sub_dilation)`` of one axis, lattices grouped by size."""
    lattices, _, sub_s, sub_d, _ = _axis(n, k, s, d, split)
    sizes: dict[int, int] = {}
    for *_, count, _ in lattices:
        sizes[count] = sizes.get(count, 0) + 1
    return sizes, sub_s, sub_d


def _split(padded_shape, kernel_shape, stride, dilation, split_columns: bool):
    """``[(count, sub_shape, sub_stride, sub_dilation)]``: the sub-problems, grouped by shape.

    At most two lattice sizes per axis, so at most four groups however large ``d'``.
    """
    hp, wp, c = padded_shape
    rows, sh, dh = _axis_groups(hp, kernel_shape[0], stride[0], dilation[0], True)
    cols, sw, dw = _axis_groups(wp, kernel_shape[1], stride[1], dilation[1], split_columns)
    return [
        (nr * nc, (r, q, c), (sh, sw), (dh, dw)) for r, nr in rows.items() for q, nc in cols.items()
    ]


def _fft_work(split, kernel_shape) -> dict[str, float]:
    """:func:`conv._fft.fft_work` summed over grouped sub-problems."""
    return _sum_work([(n, fft_work(shape, kernel_shape, s, d)) for n, shape, s, d in split])


def _sum_work(parts) -> dict[str, float]:
    total: dict[str, float] = {}
    for n, counts in parts:
        for kind, amount in counts.items():
            total[kind] = total.get(kind, 0) + n * amount
    return total


def _sub_problems(padded_shape, kernel_shape, stride, dilation, method, itemsize, lazy):
    """:func:`_split` as :func:`correlate` splits for this method."""
    shapes = tuple(padded_shape), tuple(kernel_shape), tuple(stride), tuple(dilation)
    split_w = splits_columns(*shapes, method, itemsize, lazy)
    return _split(padded_shape, kernel_shape, stride, dilation, split_w)


def work(padded_shape, kernel_shape, stride, dilation, method, itemsize=8, lazy=False):
    """Work counts of :func:`correlate` by kind, summed over its sub-problems."""
    if tuple(dilation) == (1, 1):  # no lattices: skip the grouping (a small call's hot path)
        if method == "fft":
            return fft_work(padded_shape, kernel_shape, stride, dilation)
        return direct_work(padded_shape, kernel_shape, stride, dilation, itemsize, lazy=lazy)
    split = _sub_problems(padded_shape, kernel_shape, stride, dilation, method, itemsize, lazy)
    if method == "fft":
        return _fft_work(split, kernel_shape)
    return _sum_work(
        [
            (n, direct_work(shape, kernel_shape, s, d, itemsize, lazy=lazy))
            for n, shape, s, d in split
        ]
    )


def peak_bytes(padded_shape, kernel_shape, stride, dilation, method, itemsize=8, lazy=False):
    """Upper bound of the bytes :func:`correlate` allocates, its result included."""
    split = _sub_problems(padded_shape, kernel_shape, stride, dilation, method, itemsize, lazy)
    return _peak(split, padded_shape, kernel_shape, stride, dilation, method, itemsize, lazy)


def _peak(split, padded_shape, kernel_shape, stride, dilation, method, itemsize, lazy) -> int:
    """The largest sub-problem's peak, plus the whole output when there are several."""
    peak: Callable = fft_peak_bytes if method == "fft" else direct_peak_bytes
    largest = max(peak(shape, kernel_shape, s, d, itemsize, lazy=lazy) for _, shape, s, d in split)
    if len(split) == 1 and split[0][0] == 1 and split[0][1] == tuple(padded_shape):
        return largest
    (sh, sw), (dh, dw) = stride, dilation
    oh = conv_size(padded_shape[0], kernel_shape[0], sh, dh)
    ow = conv_size(padded_shape[1], kernel_shape[1], sw, dw)
    if method == "direct" and not lazy:
        # A lattice of an array is a strided view: where the direct kernel
        # would read a contiguous unit-stride input in place, it copies the
        # view whole, then zero-pads it to the phase image's shape (two copies).
        largest += 2 * max(shape[0] * shape[1] * shape[2] for _, shape, _, _ in split) * itemsize
    return largest + oh * ow * kernel_shape[3] * itemsize
