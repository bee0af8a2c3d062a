"""FFT-based cross-correlation of a padded, channels-last array.

Cross-correlation is a product in the frequency domain:
``irfft2(rfft2(x) * conj(rfft2(k)))`` is the *circular* correlation, and its
entries whose window does not wrap around are exactly the valid outputs. So
the transform only needs to be as large as the input, rounded up to a length
with small prime factors, never ``H + KH - 1``.

Overlap-save keeps the transforms in cache and the memory bounded: output
rows are computed in tiles of about :data:`TILE_POINTS` points, each tile
transforming only the input rows it needs, and the kernel spectra are built
for groups of filters of at most :data:`FILTER_BLOCK_ELEMENTS` values. Many
channels times filters are contracted per frequency by batched ``matmul``.
"""

import math

import numpy as np

from conv._geometry import conv_size

#: Points per overlap-save tile: small enough for the transforms to run in
#: cache, which makes tiles 2-3x faster than one whole-image transform here.
TILE_POINTS = 1 << 17

#: Complex values in one filter group's kernel spectra.
FILTER_BLOCK_ELEMENTS = 1 << 22


def correlate_fft(
    xp: np.ndarray,
    k: np.ndarray,
    stride: tuple[int, int],
    dilation: tuple[int, int],
    *,
    tile_rows: int | None = None,
    filter_block: int | None = None,
) -> np.ndarray:
    """Same contract as :func:`conv._direct.correlate_direct`, via ``numpy.fft``.

    ``tile_rows`` (unit-stride output rows per overlap-save tile) and
    ``filter_block`` (filters per group) override the memory heuristics so
    tests can force tiling on small arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from conv._fft import correlate_fft
    >>> xp = np.arange(16.0).reshape(4, 4, 1)
    >>> k = np.ones((2, 2, 1, 1))
    >>> correlate_fft(xp, k, (2, 2), (1, 1))[..., 0].round(10)
    array([[10., 18.],
           [42., 50.]])
    """
    hp, wp, c = xp.shape
    kh, kw, _, f = k.shape
    (sh, sw), (dh, dw) = stride, dilation
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    rows1, cols1 = hp - eh + 1, wp - ew + 1  # unit-stride output size
    oh, ow = conv_size(hp, kh, sh, dh), conv_size(wp, kw, sw, dw)
    tile_rows, nh, nw, default_block = fft_layout(xp.shape, k.shape, stride, dilation, tile_rows)
    filter_block = filter_block or default_block

    # The dilated kernel is the kernel with zeros between its taps.
    kd = np.zeros((eh, ew, c, f), dtype=k.dtype)
    kd[::dh, ::dw] = k
    out = np.empty((oh, ow, f), dtype=xp.dtype)
    for f0 in range(0, f, filter_block):
        f1 = min(f, f0 + filter_block)
        fk = np.conj(np.fft.rfft2(kd[..., f0:f1], s=(nh, nw), axes=(0, 1)))
        for t0 in range(0, rows1, tile_rows):
            t1 = min(rows1, t0 + tile_rows)
            # A padded-on-read xp pads only this tile's rows.
            fx = np.fft.rfft2(xp[t0 : t1 + eh - 1], s=(nh, nw), axes=(0, 1))
            spectrum = _contract_channels(fx, fk)
            full = np.fft.irfft2(spectrum, s=(nh, nw), axes=(0, 1))
            out[t0 // sh : (t1 - 1) // sh + 1, :, f0:f1] = full[: t1 - t0 : sh, :cols1:sw]
    return out


def _contract_channels(fx: np.ndarray, fk: np.ndarray) -> np.ndarray:
    """``sum_c fx[h, w, c] * fk[h, w, c, f]``: the spectrum of every filter's output."""
    c, f = fk.shape[2:]
    if c * f >= 16:
        # A batch of (1, C) @ (C, F) products: BLAS beats elementwise passes
        # 4-8x once there is enough to multiply.
        return np.matmul(fx[..., None, :], fk)[..., 0, :]
    spectrum = fx[..., 0, None] * fk[..., 0, :]
    for ch in range(1, c):
        spectrum += fx[..., ch, None] * fk[..., ch, :]
    return spectrum


def fft_layout(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    tile_rows: int | None = None,
) -> tuple[int, int, int, int]:
    """Return ``(tile_rows, nh, nw, filter_block)`` as :func:`correlate_fft` uses them.

    Examples
    --------
    >>> fft_layout((2048, 2048, 1), (31, 31, 1, 1), (1, 1), (1, 1))
    (90, 120, 2048, 34)
    """
    hp, wp, c = padded_shape
    eh = dilation[0] * (kernel_shape[0] - 1) + 1
    tile_rows, nh, nw = tile_geometry(hp, wp, eh, stride[0], tile_rows)
    filter_block = max(1, FILTER_BLOCK_ELEMENTS // (nh * (nw // 2 + 1) * c))
    return tile_rows, nh, nw, filter_block


def fft_work(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> dict[str, float]:
    """Count the work of :func:`correlate_fft` by kind (the kinds of ``conv._method.COSTS``).

    Examples
    --------
    >>> fft_work((64, 64, 1), (5, 5, 1, 1), (1, 1), (1, 1))["spectrum_mac"]
    2112
    """
    hp, _, c = padded_shape
    kh, _, _, f = kernel_shape
    eh = dilation[0] * (kh - 1) + 1
    tile_rows, nh, nw, filter_block = fft_layout(padded_shape, kernel_shape, stride, dilation)
    tiles = -(-(hp - eh + 1) // tile_rows)
    groups = -(-f // filter_block)
    n = nh * nw
    transforms = tiles * (groups * c + f) + c * f
    return {
        "call": 1,
        "fft_call": 1,
        "numpy_call": tiles * groups * (c + 3),
        "fft_point": transforms * n * math.log2(max(n, 2)),
        "spectrum_mac": tiles * c * f * nh * (nw // 2 + 1),
    }


def fft_peak_bytes(
    padded_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int, int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    itemsize: int = 8,
    *,
    lazy: bool = False,
) -> int:
    """Upper bound of the bytes :func:`correlate_fft` allocates, its result included.

    Counts the output, the dilated kernel, a filter group's kernel spectra
    (three copies: the half-done transform, the transform and its conjugate)
    and a tile's input rows (when padded on reading), input spectra (two
    copies), product spectra (three) and inverse transform.

    Examples
    --------
    >>> fft_peak_bytes((64, 64, 1), (5, 5, 1, 1), (1, 1), (1, 1))
    332104
    """
    hp, wp, c = padded_shape
    kh, kw, _, f = kernel_shape
    (dh, dw) = dilation
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    tile_rows, nh, nw, filter_block = fft_layout(padded_shape, kernel_shape, stride, dilation)
    fb = min(f, filter_block)
    half = nh * (nw // 2 + 1)  # points of one half spectrum
    out = conv_size(hp, kh, stride[0], dh) * conv_size(wp, kw, stride[1], dw) * f
    real = out + eh * ew * c * f + nh * nw * fb  # output, dilated kernel, inverse transform
    real += 2 * (tile_rows + eh - 1) * wp * c if lazy else 0  # as read, then cut to shape
    complex_ = half * (3 * c * fb + 2 * c + 3 * fb)
    # Some of numpy's transforms of float32 data work in complex128: count 16 bytes.
    return real * itemsize + complex_ * 16


def tile_geometry(
    hp: int, wp: int, eh: int, sh: int, tile_rows: int | None = None
) -> tuple[int, int, int]:
    """Return ``(tile_rows, nh, nw)``: unit-stride output rows per tile and FFT size.

    Examples
    --------
    >>> from conv._fft import tile_geometry
    >>> tile_geometry(2048, 2048, 31, 1)
    (90, 120, 2048)
    """
    rows1 = hp - eh + 1
    nw = fast_length(wp)
    if tile_rows is None:
        # At least three fresh rows per overlapping one, or the overlap costs
        # more than the cache saves.
        tile_rows = max(TILE_POINTS // nw, 4 * (eh - 1), 16) - eh + 1
    # Whole strides per tile keep every tile's first row on the output grid.
    tile_rows = max(sh, min(tile_rows, rows1) // sh * sh)
    nh = fast_length(tile_rows + eh - 1)
    tile_rows = (nh - eh + 1) // sh * sh  # use the rows the FFT length pads in
    return tile_rows, nh, nw


def fast_length(n: int) -> int:
    """Return the smallest ``2**a * 3**b * 5**c`` that is at least ``n``.

    FFTs of such lengths are several times faster than of nearby primes.

    Examples
    --------
    >>> from conv._fft import fast_length
    >>> [fast_length(n) for n in (1, 7, 31, 97, 2049)]
    [1, 8, 32, 100, 2160]
    """
    n = int(n)
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            # Smallest power of two taking p35 to at least n.
            p = p35 << max(0, (-(-n // p35) - 1).bit_length())
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best
