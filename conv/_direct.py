"""Direct (spatial-domain) cross-correlation of a padded, channels-last array."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def correlate_direct(
    xp: np.ndarray,
    k: np.ndarray,
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> np.ndarray:
    """Cross-correlate ``xp`` (Hp, Wp, C) with ``k`` (KH, KW, C, F).

    Both arrays share one float dtype and ``xp`` is already padded; the
    result is ``(OH, OW, F)`` in that dtype. Arguments are trusted: the
    public :func:`conv.conv2d` validates them.
    """
    kh, kw = k.shape[:2]
    (sh, sw), (dh, dw) = stride, dilation
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    windows = sliding_window_view(xp, (eh, ew), axis=(0, 1))[::sh, ::sw, :, ::dh, ::dw]
    out = np.tensordot(windows, k.transpose(2, 0, 1, 3), axes=((2, 3, 4), (0, 1, 2)))
    return np.ascontiguousarray(out, dtype=xp.dtype)
