"""The work of a convolution from shapes alone, before any array exists.

:func:`estimate` answers, for the arguments :func:`conv.conv2d` would get,
what it would do: the algorithm ``method="auto"`` picks (assuming a finite
input), the output shape, the multiply-adds performed, the bytes of any
padded copy, the peak extra memory, the predicted time on this machine, and
the rows of :func:`conv.explain_cell`'s products table for one cell. An app
can refuse a request over its budget with these numbers before touching data.

``macs`` counts the multiply-adds the chosen method actually performs: for
direct, every product of its GEMMs (wrap-around columns and block overlap
included); for the FFT, ``4`` real multiply-adds per complex spectrum
product plus ``N log2 N`` per transform of ``N`` points. ``peak_bytes`` is an
upper bound on the extra memory of the call, the output included: the
padded copy, scratch, phase images or spectra, and the kernel's own copy.
``seconds`` prices the work with the cost model of :mod:`conv._method`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from conv._conv2d import METHODS
from conv._geometry import IntPair, PaddingSpec, _window_geometry, as_pair
from conv._lattice import peak_bytes, work
from conv._method import auto_choice, predicted_ns
from conv._padded_input import pads_eagerly
from conv._padding import _check_fits, check_pad_mode


@dataclass(frozen=True)
class Work:
    """What one :func:`conv.conv2d` call would do, from :func:`estimate`."""

    method: str  #: "direct" or "fft"
    output_shape: tuple[int, ...]  #: as conv.output_shape
    macs: int  #: multiply-adds the method performs
    padded_bytes: int  #: bytes of the padded copy (0 when padded per block, or unpadded)
    peak_bytes: int  #: upper bound of the call's extra memory, output included
    seconds: float  #: the cost model's predicted time
    explain_rows: int  #: rows of explain_cell's products table: KH*KW*C


def estimate(
    input_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    pad_mode: str = "zeros",
    method: str = "auto",
    dtype: DTypeLike = np.float64,
) -> Work:
    """Estimate ``conv2d``'s work, memory and time for these shapes, without computing it.

    Parameters
    ----------
    input_shape, kernel_shape : tuple of int
        As the arrays :func:`conv.conv2d` would get: ``(H, W[, C])`` and
        ``(KH, KW[, C[, F]])``.
    stride, padding, dilation, pad_mode, method
        As for :func:`conv.conv2d`.
    dtype : float32 or float64
        The dtype the computation runs in.

    Returns
    -------
    Work

    Raises
    ------
    ValueError
        For any argument :func:`conv.conv2d` would refuse.

    Examples
    --------
    >>> from conv import estimate
    >>> w = estimate((33, 33, 3), (5, 5, 3), stride=2)
    >>> w.method, w.output_shape, w.macs, w.explain_rows
    ('direct', (15, 15), 16875, 75)
    >>> estimate((2048, 2048), (31, 31)).method
    'fft'
    """
    in_shape, k_shape, strides, pads, padded, *_ = _window_geometry(
        input_shape, kernel_shape, stride, padding, dilation
    )
    check_pad_mode(pad_mode)
    _check_fits(in_shape, pads, pad_mode)
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    dilations = as_pair(dilation, "dilation")
    c = in_shape[2] if len(in_shape) == 3 else 1
    f = k_shape[3] if len(k_shape) == 4 else 1
    k4 = (k_shape[0], k_shape[1], c, f)
    padded_shape = (*padded, c)
    unpadded = pads == ((0, 0), (0, 0))
    eager = not unpadded and pads_eagerly((*in_shape[:2], c), pads)
    lazy = not unpadded and not eager
    itemsize = dtype.itemsize
    direct_ns, fft_ns = predicted_ns(
        padded_shape, k4, strides, dilations, itemsize=itemsize, lazy=lazy
    )
    exact_fft = method == "auto"
    if method == "auto":
        method, auto_ns = auto_choice(
            padded_shape, k4, strides, dilations, itemsize=itemsize, lazy=lazy
        )
        fft_ns = auto_ns if method == "fft" else fft_ns
    if method == "fft" and fft_ns == float("inf"):  # forced: price what auto skipped
        _, fft_ns = predicted_ns(padded_shape, k4, strides, dilations, itemsize=itemsize)
    counts = work(padded_shape, k4, strides, dilations, method, itemsize, lazy)
    if method == "fft":
        macs = 4 * counts["spectrum_mac"] + counts["fft_point"]
    else:
        macs = counts.get("tap_mac", 0) + counts.get("unrolled_mac", 0)
    padded_bytes = padded[0] * padded[1] * c * itemsize if eager else 0
    kernel_copy = k_shape[0] * k_shape[1] * c * f * itemsize
    peak = padded_bytes + kernel_copy
    transform = peak_bytes(padded_shape, k4, strides, dilations, method, itemsize, lazy)
    # auto's FFT proves its exactness with a second FFT, of the magnitudes.
    peak += transform * (2 if exact_fft and method == "fft" else 1)
    if method == "fft":
        peak += in_shape[0] * in_shape[1] * c  # the finiteness check's bool array
    out_shape = _window_geometry(input_shape, kernel_shape, stride, padding, dilation)[-1]
    return Work(
        method=method,
        output_shape=out_shape + k_shape[3:],
        macs=int(macs),
        padded_bytes=int(padded_bytes),
        peak_bytes=int(peak),
        seconds=(fft_ns if method == "fft" else direct_ns) * 1e-9,
        explain_rows=k_shape[0] * k_shape[1] * c,
    )
