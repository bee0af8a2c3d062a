"""The exactness contract of ``method="auto"``: keep the FFT only where it is as exact as direct.

Direct summation of a cell's ``n`` products errs by at most about
``n * u * sum|x * w|`` over the cell's window (``u`` the unit roundoff), so
its error is *relative to that cell's own magnitudes*. The FFT's error is
global instead: about ``u * log2(N) * ||x||_2 * ||w||_2`` in every cell of an
``N``-point transform, however small the cell. A cell whose window holds only
small numbers next to a large region elsewhere therefore loses its digits
under the FFT (and a huge or non-finite value anywhere spoils every cell).

:func:`correlate_auto_fft` runs the FFT and then proves, per cell, that its
error bound is below :func:`tolerance` times ``sum|x * w|`` over the window,
using a lower bound on that sum; cells it cannot prove are recomputed by
direct summation (all of them when there are many). Measured against an
exact reference, the FFT's worst error was below 0.45 of
``u * ||x||_2 * ||w||_2`` over random, positive, log-normal and mixed-scale
inputs, so the ``log2(N)`` factor of :func:`fft_error_bound` leaves a margin
of at least 20x.
"""

from __future__ import annotations

import math

import numpy as np

from conv._direct import correlate_direct
from conv._geometry import conv_size
from conv._lattice import correlate
from conv._method import predicted_ns

#: The contract is ``TOLERANCE_UNITS`` unit roundoffs times ``sum|x * w|``:
#: 1e-12 for float64, ~5.4e-4 for float32 (the same multiple of its rounding unit).
TOLERANCE_UNITS = 1e-12 / 2.0**-53

#: Nanoseconds to gather one window value when cells are summed one by one:
#: 2.4-5.8 measured here, against 0.07-1.7 per multiply-add of a direct pass
#: (``python benchmarks/bench_exactness.py --gather``). Unproven cells are
#: gathered only while that is cheaper than one direct pass over every cell.
GATHER_NS = 4.0

#: What gathering one window value counts as, in multiply-adds, against a
#: caller's ``max_direct_macs``: at 2 ns per multiply-add (the slowest direct
#: rate measured, ``benchmarks/bench_budget.py``) 5 cover the 5.8 ns above.
GATHER_MACS = 5

#: Values per gathered chunk of windows when recomputing cells directly.
GATHER_VALUES = 1 << 21


def tolerance(dtype: np.dtype) -> float:
    """The contract's relative bound for ``dtype``: 1e-12 for float64.

    Examples
    --------
    >>> import numpy as np
    >>> from conv._exactness import tolerance
    >>> tolerance(np.float64), round(tolerance(np.float32), 6)
    (1e-12, 0.000537)
    """
    return TOLERANCE_UNITS * float(np.finfo(dtype).eps) / 2


def fft_error_bound(xp: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per filter, a bound on any output cell's FFT error: ``u log2(N) ||x||_2 ||k_f||_2``.

    ``N`` bounds the transform size from above (the FFT rounds each axis up
    to a fast length below twice its size).

    Examples
    --------
    >>> import numpy as np
    >>> from conv._exactness import fft_error_bound
    >>> b = fft_error_bound(np.ones((64, 64, 1)), np.ones((3, 3, 1, 2)))
    >>> bool(1e-13 < b[0] < 1e-12), bool(b[0] == b[1])
    (True, True)
    """
    u = float(np.finfo(xp.dtype).eps) / 2
    points = 4 * xp.shape[0] * xp.shape[1]
    x_norm = float(np.linalg.norm(xp.reshape(-1)))
    k_norms = np.sqrt(np.einsum("mncf,mncf->f", k, k, dtype=np.float64))
    return u * math.log2(points) * x_norm * k_norms


def correlate_auto_fft(
    xp: np.ndarray,
    k: np.ndarray,
    stride: tuple[int, int],
    dilation: tuple[int, int],
    max_direct_macs: int | None = None,
) -> np.ndarray:
    """The FFT (split by dilation lattices) where it meets the contract, direct sums elsewhere.

    Same arguments and result as :func:`conv._direct.correlate_direct`. Where
    summing the cells it cannot prove would take more than ``max_direct_macs``
    multiply-adds (:func:`direct_cost`), it raises ValueError instead. Every
    cell ends within ``tolerance(dtype) * sum|x * w|`` of the exact sum (plus
    underflow, which every method rounds); non-finite values anywhere, or
    magnitudes whose products could overflow, send the whole call to direct.

    Examples
    --------
    >>> import numpy as np
    >>> from conv._exactness import correlate_auto_fft
    >>> x = np.ones((40, 40, 1)); x[:, 20:] = 1e-8
    >>> out = correlate_auto_fft(x, np.ones((9, 9, 1, 1)), (1, 1), (1, 1))[..., 0]
    >>> bool(abs(out[0, -1] - 81e-8) <= 1e-12 * 81e-8)  # a plain FFT errs by ~6e-9 of it
    True
    """

    def direct(why: str, **unproven) -> np.ndarray:
        macs = direct_cost(xp.shape, k.shape, stride, dilation)
        check_direct_cost(macs, max_direct_macs, why, **unproven)
        return correlate_direct(xp, k, stride, dilation)

    if not (np.isfinite(xp).all() and np.isfinite(k).all()):
        # An FFT smears NaN and inf over every cell; the direct sum keeps them in their windows.
        return direct("x or the kernel holds NaN or infinity, which an FFT spreads to every cell")
    x_max, k_max = float(np.abs(xp).max()), float(np.abs(k).max())
    if x_max == 0 or k_max == 0:
        return correlate_direct(xp, k, stride, dilation)  # all zeros: nothing to sum
    # Powers of two scale exactly: run the FFT on values near 1, so that
    # neither its sums overflow nor its products underflow.
    ex, ek = math.frexp(x_max)[1], math.frexp(k_max)[1]
    taps = k.shape[0] * k.shape[1] * k.shape[2]
    if ex + ek + math.log2(taps) > np.finfo(xp.dtype).maxexp - 2:
        return direct(f"values up to {x_max:.3g} times {k_max:.3g} could overflow the FFT's sums")
    near_one = np.finfo(xp.dtype).maxexp // 5  # norms and spectra stay far from overflow
    scaled = max(abs(ex), abs(ek)) > near_one
    xs = np.ldexp(xp, -ex).astype(xp.dtype) if scaled else xp
    ks = np.ldexp(k, -ek).astype(k.dtype) if scaled else k
    # Split by dilation lattices as the plain FFT is (and as conv.estimate prices it); each
    # sub-problem's error is within the whole input's bound (smaller norms and transforms).
    out = correlate(xs, ks, stride, dilation, "fft")
    bound = fft_error_bound(xs, ks)
    bad = _unproven_cells(out, xs, ks, stride, dilation, bound)
    if bad is not None:
        # A window that reads only zeros sums to exactly 0 (black borders, zero padding):
        # no proof or direct sum needed.
        empty = zero_windows(xp, k.shape, stride, dilation)
        out[empty] = 0
        bad &= ~empty
        bad = bad if bad.any() else None
    if bad is not None:
        n, cells = int(bad.sum()), bad.size
        error = math.ldexp(float(bound.max()), ex + ek) if scaled else float(bound.max())
        why = (
            f"the FFT's error (up to {error:.2g} in any cell) may exceed "
            f"{tolerance(xp.dtype):.2g} × the own magnitude of {n:,} of the {cells:,} cells"
        )
        values = n * taps
        direct_ns = predicted_ns(xp.shape, k.shape, stride, dilation, itemsize=xp.itemsize)[0]
        whole = values * GATHER_NS >= direct_ns  # one direct pass, else gather these cells
        gathered = values * (k.shape[3] + GATHER_MACS)
        macs = direct_cost(xp.shape, k.shape, stride, dilation) if whole else gathered
        if max_direct_macs is not None and macs > max_direct_macs:
            # What the FFT gave is handed over: a caller may take it, within its bound.
            fft = np.ldexp(out, ex + ek).astype(out.dtype) if scaled else out
            raise DirectWorkError(
                macs, max_direct_macs, why, fft_error=error, cells=n,
                tolerance=tolerance(xp.dtype), fft_result=fft,
            )  # fmt: skip
        if whole:
            return correlate_direct(xp, k, stride, dilation)
    if scaled:
        out = np.ldexp(out, ex + ek).astype(out.dtype)
    if bad is not None:
        # From the unscaled values: scaling may have pushed the small ones into subnormals.
        out[bad] = _cells_direct(xp, k, stride, dilation, np.nonzero(bad))
    return out


def zero_windows(
    xp: np.ndarray, kernel_shape: tuple, stride: tuple[int, int], dilation: tuple[int, int]
) -> np.ndarray:
    """(OH, OW) mask of the output cells whose window's span holds only zeros, in every channel.

    Counted exactly, with a summed-area table of the nonzero pixels over each
    window's whole span (the dilated taps lie inside it).

    Examples
    --------
    >>> import numpy as np
    >>> from conv._exactness import zero_windows
    >>> x = np.zeros((5, 6, 1)); x[0, 5] = 1.0
    >>> zero_windows(x, (2, 2, 1, 1), (1, 2), (2, 1)).astype(int)
    array([[1, 1, 0],
           [1, 1, 1],
           [1, 1, 1]])
    """
    hp, wp = xp.shape[:2]
    kh, kw = kernel_shape[:2]
    (sh, sw), (dh, dw) = stride, dilation
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    # Less memory than the magnitudes' pass before it: 4 bytes a pixel, and a bool per value.
    table = np.zeros((hp + 1, wp + 1), dtype=np.int32 if hp * wp < 2**31 else np.int64)
    np.cumsum(np.cumsum((xp != 0).any(axis=2), axis=0), axis=1, out=table[1:, 1:])
    r0, c0 = np.arange(0, hp - eh + 1, sh), np.arange(0, wp - ew + 1, sw)
    r1, c1 = r0 + eh, c0 + ew
    inside = table[r1][:, c1] - table[r0][:, c1] - table[r1][:, c0] + table[r0][:, c0]
    return inside == 0


def direct_cost(padded_shape, kernel_shape, stride, dilation) -> int:
    """Multiply-adds of one direct pass: output cells times taps, channels and filters.

    Examples
    --------
    >>> from conv._exactness import direct_cost
    >>> direct_cost((33, 33, 3), (5, 5, 3, 1), (2, 2), (1, 1))  # 15 * 15 * 5 * 5 * 3
    16875
    """
    (hp, wp, c), (kh, kw, _, f) = padded_shape, kernel_shape
    (sh, sw), (dh, dw) = stride, dilation
    return conv_size(hp, kh, sh, dh) * conv_size(wp, kw, sw, dw) * kh * kw * c * f


class DirectWorkError(ValueError):
    """A call would sum more multiply-adds directly than its ``max_direct_macs`` allows.

    ``macs`` is what it would take, ``limit`` the ``max_direct_macs`` given and
    ``why`` what made direct sums necessary ("" when direct was chosen).
    ``fft_error``, ``cells``, ``tolerance`` and ``fft_result`` are set when
    they were cells the FFT computed but could not prove within ``tolerance``
    times their own magnitude (``cells`` of them): ``fft_result`` is the FFT's
    output (``conv2d``'s shape; windows of zeros exactly 0), every cell within
    ``fft_error`` of its exact sum.
    """

    def __init__(
        self,
        macs: int,
        limit: int,
        why: str = "",
        *,
        fft_error: float | None = None,
        cells: int | None = None,
        tolerance: float | None = None,
        fft_result: np.ndarray | None = None,
    ) -> None:
        self.macs, self.limit, self.why = macs, limit, why
        self.fft_error, self.cells, self.tolerance = fft_error, cells, tolerance
        self.fft_result = fft_result
        super().__init__(
            (f"{why}: " if why else "")
            + f"summing directly would take {macs:,} multiply-adds, more than "
            f"max_direct_macs={limit:,}"
        )


def check_direct_cost(macs: int, max_direct_macs: int | None, why: str = "", **unproven) -> None:
    """Raise :class:`DirectWorkError`, naming both numbers, if ``macs`` is over ``max_direct_macs``.

    ``unproven`` holds :class:`DirectWorkError`'s keyword-only attributes.

    Examples
    --------
    >>> from conv._exactness import check_direct_cost
    >>> check_direct_cost(10**9, 10**8, "because")
    Traceback (most recent call last):
    ...
    conv._exactness.DirectWorkError: because: summing directly would take 1,000,000,000 ...
    """
    if max_direct_macs is not None and macs > max_direct_macs:
        raise DirectWorkError(macs, max_direct_macs, why, **unproven)


def _unproven_cells(out, xs, ks, stride, dilation, bound) -> np.ndarray | None:
    """(OH, OW) mask of cells whose sum|x * w| may be below bound / tolerance; None if none."""
    need = bound / tolerance(xs.dtype)
    # Free first: |exact| <= sum|x * w|, and the FFT is within `bound` of exact.
    weak = (np.abs(out) < need + bound).any(axis=2)
    if not weak.any():
        return None
    # Then sum|x * w| itself, by a float32 FFT of the magnitudes scaled into
    # [0, 1]: its own error bound, and float32's rounding, are subtracted.
    x_max, k_max = float(np.abs(xs).max()), float(np.abs(ks).max())
    xa = np.empty(xs.shape, np.float32)  # scaled in place: no temporary as large as x
    np.multiply(xs, 1 / x_max, out=xa, casting="unsafe")
    np.abs(xa, out=xa)
    ka = (np.abs(ks) / k_max).astype(np.float32)
    scale = x_max * k_max
    magnitude = correlate(xa, ka, stride, dilation, "fft")
    # sum|x * w| >= (magnitude - its bound) * (1 - 2**-20) * scale, compared without
    # a float64 copy of the magnitudes.
    threshold = need / (scale * (1 - 2.0**-20)) + fft_error_bound(xa, ka)
    bad = (magnitude < threshold).any(axis=2)
    return bad if bad.any() else None


def _cells_direct(xp, k, stride, dilation, cells) -> np.ndarray:
    """Output cells ``(rows, cols)`` summed directly from their gathered windows."""
    kh, kw, c, f = k.shape
    (sh, sw), (dh, dw) = stride, dilation
    rows, cols = cells
    m = (rows[:, None] * sh + np.arange(kh)[None, :] * dh)[:, :, None]
    n = (cols[:, None] * sw + np.arange(kw)[None, :] * dw)[:, None, :]
    weights = k.reshape(kh * kw * c, f)
    out = np.empty((len(rows), f), dtype=xp.dtype)
    step = max(1, GATHER_VALUES // (kh * kw * c))
    for s in range(0, len(rows), step):
        windows = xp[m[s : s + step], n[s : s + step]]  # (cells, KH, KW, C)
        out[s : s + step] = windows.reshape(len(windows), -1) @ weights
    return out
