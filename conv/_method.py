"""Choosing between the direct and FFT algorithms from the problem's sizes.

This module only prices: the work counts live next to the kernels they count
(:func:`conv._direct.direct_work`, :func:`conv._fft.fft_work`, summed over
dilation lattices by :func:`conv._lattice.work`).
"""

import math

from conv._lattice import work

#: Nanoseconds per unit of each work count below: a non-negative least-squares
#: fit (of relative error) to single-threaded float64 timings of conv._direct
#: and conv._fft on the project's 2-core machine, 180 problems of 64-512
#: pixels square, 1-32 channels and filters, 3x3 to 15x15 kernels, stride 1
#: and 2. The machine was shared while measuring, so the fit is rough: the
#: median prediction is 0.7x the measured time and 80 % lie within 0.3-1.4x.
#: That is plenty to pick the algorithm: where the choice matters the two
#: differ by far more.
COSTS = {
    "call": 8_400.0,  # fixed cost of any call
    "numpy_call": 1_600.0,  # one numpy/BLAS call inside the block loops
    "gather": 0.45,  # one value copied into the unrolled input (fit 0.65, then 1.5x faster)
    "unrolled_mac": 0.22,  # one multiply-add of the unrolled GEMM (thin, so slow)
    "tap_mac": 0.055,  # one multiply-add of a per-tap GEMM
    "tap_add": 0.53,  # one value of a per-tap product: written, added, read
    "phase_copy": 1.27,  # one value copied into a phase image (per-tap, stride > 1)
    "fft_call": 30_000.0,  # fixed extra of an FFT call (measured on small problems)
    "fft_point": 0.18,  # one point of one transform, times log2 of its size
    "spectrum_mac": 16.7,  # one complex multiply-add of spectra, temporaries included
}

#: ``auto``'s exactness-checked FFT against the plain one: 2.1-2.9x measured on the
#: 2048x2048 benchmark case (benchmarks/bench_exactness.py), the magnitudes' FFT.
EXACT_FFT_FACTOR = 2.5

#: float32 runs this much faster than float64 (measured).
SINGLE_SPEEDUP = {"direct": 0.65, "fft": 0.85}
_NO_SCALE = {"direct": 1.0, "fft": 1.0}


def choose_method(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    *,
    itemsize: int = 8,
    lazy: bool = False,
) -> str:
    """Return ``"direct"`` or ``"fft"``, whichever the cost model expects to be faster.

    ``padded_shape`` is (Hp, Wp, C), ``kernel_shape`` (KH, KW, C, F) and
    ``itemsize`` the bytes per float (8 for float64, 4 for float32).

    The model counts the work each algorithm does, exactly as
    :mod:`conv._direct` and :mod:`conv._fft` lay it out, and prices each
    kind of work with a constant from :data:`COSTS`:

    * direct on small problems (im2col of at most ``SMALL_IM2COL`` values):
      copying the im2col matrix and one GEMM;
    * direct, *unrolled* order (``C <= 2``, or ``F <= 4`` and ``C <= 16``):
      values copied into the width-unrolled input (about ``P * KW * C`` for
      ``P`` outputs, overlap rows of the row blocks included),
      ``P * KH * KW * C * F`` multiply-adds of thin GEMMs and every numpy
      call in the row-block loop (the shifted adds fit as free: they hide
      behind the copies);
    * direct, *per-tap* order: per tap a ``P * C * F`` GEMM and an add of
      ``P * F`` values; for stride > 1 also copying the phase images;
    * FFT: ``N log2 N`` per transform of ``N`` points, with ``C`` input and
      ``F`` output transforms per overlap-save tile (the input ones again for
      each group of filters) and ``C * F`` kernel transforms, plus the
      ``C * F`` complex multiply-adds per spectrum point, and a larger fixed
      cost per call than direct. Stride does not
      reduce it: the FFT computes every unit-stride output and keeps a subset.

    float32 scales the direct estimate by 0.65 and the FFT one by 0.85. So
    the FFT wins for large kernels on few channels, direct for small kernels,
    large strides, or many channels and filters, where ``C * F`` kernel
    spectra and spectrum products dominate.

    Examples
    --------
    >>> from conv._method import choose_method
    >>> choose_method((2048, 2048, 1), (31, 31, 1, 1), (1, 1), (1, 1))
    'fft'
    >>> choose_method((512, 512, 3), (3, 3, 3, 1), (1, 1), (1, 1))
    'direct'
    """
    method, _ = auto_choice(
        padded_shape, kernel_shape, stride, dilation, itemsize=itemsize, lazy=lazy
    )
    return method


def auto_choice(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    *,
    itemsize: int = 8,
    lazy: bool = False,
) -> tuple[str, float]:
    """What ``method="auto"`` runs, and its predicted nanoseconds.

    Its FFT also proves the exactness contract (:mod:`conv._exactness`), which
    costs about one more FFT: :data:`EXACT_FFT_FACTOR` times the plain FFT.
    That proof reads the padded input whole, so an input padded on reading
    (``lazy``: mostly padding) is summed directly, which is exact and padded
    per block.
    """
    direct, fft = predicted_ns(
        padded_shape, kernel_shape, stride, dilation, itemsize=itemsize, lazy=lazy
    )
    fft *= EXACT_FFT_FACTOR
    if lazy or not fft < direct:
        return "direct", direct
    return "fft", fft


def predicted_ns(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    *,
    itemsize: int = 8,
    lazy: bool = False,
) -> tuple[float, float]:
    """Predicted nanoseconds of ``(direct, fft)``; the FFT is ``inf`` where not worth planning.

    ``lazy`` says the input is padded on reading (see :mod:`conv._padded_input`).
    """
    scale = SINGLE_SPEEDUP if itemsize < 8 else _NO_SCALE
    direct = price(work(padded_shape, kernel_shape, stride, dilation, "direct", itemsize, lazy))
    if direct <= COSTS["call"] + COSTS["fft_call"]:
        # Cheaper than the FFT's fixed cost alone: no need to plan its tiles.
        return direct * scale["direct"], math.inf
    fft = price(work(padded_shape, kernel_shape, stride, dilation, "fft", itemsize, lazy))
    return direct * scale["direct"], fft * scale["fft"]


def price(counts: dict[str, float]) -> float:
    """Predicted float64 nanoseconds of a work count (``direct_work``, ``fft_work``)."""
    return sum(COSTS[kind] * amount for kind, amount in counts.items())
