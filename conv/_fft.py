"""FFT-based cross-correlation of a padded, channels-last array."""

import numpy as np


def correlate_fft(
    xp: np.ndarray,
    k: np.ndarray,
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> np.ndarray:
    """Same contract as :func:`conv._direct.correlate_direct`, via ``numpy.fft``."""
    hp, wp = xp.shape[:2]
    kh, kw = k.shape[:2]
    (sh, sw), (dh, dw) = stride, dilation
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    # Correlation is convolution with the kernel rotated 180 degrees; the
    # dilated kernel is the kernel with zeros between its taps.
    kd = np.zeros((eh, ew) + k.shape[2:], dtype=k.dtype)
    kd[::dh, ::dw] = k
    kd = kd[::-1, ::-1]
    fx = np.fft.rfft2(xp, s=(hp, wp), axes=(0, 1))
    fk = np.fft.rfft2(kd, s=(hp, wp), axes=(0, 1))
    full = np.fft.irfft2(np.einsum("hwc,hwcf->hwf", fx, fk), s=(hp, wp), axes=(0, 1))
    out = full[eh - 1 :: sh, ew - 1 :: sw]
    return np.ascontiguousarray(out, dtype=xp.dtype)
