"""Choosing between the direct and FFT algorithms from the problem's sizes."""

import math

from conv._direct import UNROLL_MAX_CHANNELS, UNROLL_MAX_FILTERS
from conv._fft import fast_length

# Nanoseconds, fit to timings of conv._direct and conv._fft for float64 on the
# project's 2-core benchmark machine (benchmarks/bench_conv.py prints the
# measurements the fit is checked against).
_DIRECT_CALL = 30_000.0  # fixed cost of one call
_DIRECT_BLAS_CALL = 3_000.0  # one BLAS call plus its numpy add, per tap and block
_STACKED_TAP = 0.8  # per tap, pixel and filter; thin products, see _direct
_STACKED_THIN = 0.8  # extra per tap and pixel, divided by C (K=C GEMMs run slowly)
_PER_TAP = 2.3  # per tap and pixel: the add and reading the window
_PER_TAP_MAC = 0.021  # per multiply-add inside the (C, F) product
_PER_TAP_EDGE = 0.29  # per tap, pixel and channel-or-filter: GEMM edge costs
_PHASE_COPY = 1.0  # per input value copied into phase images (stride > 1)
_FFT_CALL = 80_000.0
_FFT_POINT = 0.25  # per transform, per point and log2 of the transform size
_FFT_PRODUCT = 8.2  # per spectrum point and (channel, filter) pair
# float32 BLAS and FFTs run this much faster than float64 (measured).
_SINGLE_SPEEDUP = {"direct": 0.65, "fft": 0.85}


def choose_method(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    *,
    itemsize: int = 8,
) -> str:
    """Return ``"direct"`` or ``"fft"``, whichever the cost model expects to be faster.

    ``padded_shape`` is (Hp, Wp, C), ``kernel_shape`` (KH, KW, C, F) and
    ``itemsize`` the bytes per float (8 for float64, 4 for float32).

    The model predicts each algorithm's time in nanoseconds from how
    :mod:`conv._direct` and :mod:`conv._fft` do their work; its constants
    are fit to measurements. With ``P = OH * OW`` outputs, ``T = KH * KW``
    taps, ``N`` the FFT size (``Hp`` and ``Wp`` rounded up to 5-smooth
    lengths):

    * direct, unrolled taps (``F <= 2``, ``C <= 16``):
      ``P * T * (0.8 F + 0.8 / C)``
    * direct, per-tap GEMMs: ``P * T * (2.3 + 0.021 C F + 0.29 (C + F))``
    * direct, stride > 1: plus ``1.0 * Hp * Wp * C`` for the phase images,
      and ``30 us + 3 us`` per BLAS call for both variants;
    * FFT: ``N log2(N) * 0.25 (C + F + C F) + 8.2 N C F + 80 us``: ``C``
      input, ``F`` output and ``C F`` kernel transforms plus the spectrum
      products. Stride does not reduce it: the FFT computes every unit-stride
      output and keeps a subset.

    float32 scales direct by 0.65 and FFT by 0.85. So the FFT wins for large
    kernels on few channels, and direct for small kernels, large strides or
    many channels and filters, where the ``C F`` kernel spectra dominate.

    Examples
    --------
    >>> from conv._method import choose_method
    >>> choose_method((2048, 2048, 1), (31, 31, 1, 1), (1, 1), (1, 1))
    'fft'
    >>> choose_method((512, 512, 3), (3, 3, 3, 1), (1, 1), (1, 1))
    'direct'
    """
    direct = direct_cost(padded_shape, kernel_shape, stride, dilation)
    fft = fft_cost(padded_shape, kernel_shape)
    if itemsize < 8:
        direct *= _SINGLE_SPEEDUP["direct"]
        fft *= _SINGLE_SPEEDUP["fft"]
    return "fft" if fft < direct else "direct"


def direct_cost(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> float:
    """Predicted float64 nanoseconds of :func:`conv._direct.correlate_direct`."""
    hp, wp, c = padded_shape
    kh, kw, _, f = kernel_shape
    (sh, sw), (dh, dw) = stride, dilation
    oh = (hp - dh * (kh - 1) - 1) // sh + 1
    ow = (wp - dw * (kw - 1) - 1) // sw + 1
    pixels, taps = oh * ow, kh * kw
    if f <= UNROLL_MAX_FILTERS and c <= UNROLL_MAX_CHANNELS:
        per_tap_pixel = _STACKED_TAP * f + _STACKED_THIN / c
        blocks = max(1, pixels * min(taps, 16) * f * 8 // (2 << 20))
    else:
        per_tap_pixel = _PER_TAP + _PER_TAP_MAC * c * f + _PER_TAP_EDGE * (c + f)
        blocks = max(1, pixels * (c + f) * 8 // (2 << 20))
    cost = _DIRECT_CALL + pixels * taps * per_tap_pixel + _DIRECT_BLAS_CALL * taps * blocks
    if (sh, sw) != (1, 1):
        cost += _PHASE_COPY * hp * wp * c
    return cost


def fft_cost(padded_shape: tuple[int, int, int], kernel_shape: tuple[int, int, int, int]) -> float:
    """Predicted float64 nanoseconds of :func:`conv._fft.correlate_fft`."""
    hp, wp, c = padded_shape
    f = kernel_shape[3]
    n = fast_length(hp) * fast_length(wp)
    transforms = c + f + c * f
    return _FFT_CALL + n * math.log2(max(n, 2)) * _FFT_POINT * transforms + _FFT_PRODUCT * n * c * f
