"""A slow, obviously-correct 2-D convolution to check ``conv`` against.

Written from the definition with plain loops and index arithmetic, sharing
no code with ``conv``: padding values are looked up one index at a time
instead of building a padded array, so a bug in ``conv.pad`` or the
kernels cannot hide behind the same bug here.
"""

from __future__ import annotations

import numpy as np


def pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def padding_amounts(in_hw, k_hw, stride, padding, dilation):
    """((top, bottom), (left, right)) straight from the definitions."""
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    if padding == "valid":
        return ((0, 0), (0, 0))
    if padding == "full":
        return ((dh * (k_hw[0] - 1),) * 2, (dw * (k_hw[1] - 1),) * 2)
    if padding == "same":
        pads = []
        for n, k, s, d in ((in_hw[0], k_hw[0], sh, dh), (in_hw[1], k_hw[1], sw, dw)):
            out = -(-n // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        return tuple(pads)
    if isinstance(padding, int):
        return ((padding, padding), (padding, padding))
    if isinstance(padding[0], int):
        return ((padding[0], padding[0]), (padding[1], padding[1]))
    return (tuple(padding[0]), tuple(padding[1]))


def output_size(n, k, s, d, before, after):
    """Number of window positions along one axis, or 0 if the kernel does not fit."""
    span = n + before + after - (k - 1) * d - 1
    return span // s + 1 if span >= 0 else 0


def source(i, n, mode):
    """The input index a padded coordinate ``i`` reads, or None for a zero."""
    if 0 <= i < n:
        return i
    if mode == "zeros":
        return None
    if mode == "replicate":
        return 0 if i < 0 else n - 1
    if mode == "circular":
        return i + n if i < 0 else i - n
    if mode == "reflect":
        return -i if i < 0 else 2 * (n - 1) - i
    raise AssertionError(mode)


def fits(in_hw, pads, mode):
    """Whether PyTorch accepts this much padding in this mode."""
    for n, side in zip(in_hw, pads, strict=True):
        for p in side:
            if mode == "reflect" and p >= n:
                return False
            if mode == "circular" and p > n:
                return False
    return True


def padded_value(x3, r, c, ch, mode):
    """``x_pad[r, c, ch]`` with ``r, c`` relative to the input's top-left corner."""
    i = source(r, x3.shape[0], mode)
    j = source(c, x3.shape[1], mode)
    if i is None or j is None:
        return 0.0
    return float(x3[i, j, ch])


def reference_conv2d(
    x, kernel, stride=1, padding="valid", dilation=1, pad_mode="zeros", flip=False
):
    """Loop over output cells, filters, taps and channels; float64 result.

    Returns None when the kernel does not fit or the padding mode refuses the
    amount, which is exactly when ``conv.conv2d`` must raise.
    """
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    x3 = x if x.ndim == 3 else x[:, :, None]
    h, w, c = x3.shape
    kh, kw = kernel.shape[:2]
    k4 = kernel.reshape(kh, kw, c, -1)
    f_count = k4.shape[3]
    (sh, sw), (dh, dw) = pair(stride), pair(dilation)
    (top, bottom), (left, right) = padding_amounts((h, w), (kh, kw), stride, padding, dilation)
    oh = output_size(h, kh, sh, dh, top, bottom)
    ow = output_size(w, kw, sw, dw, left, right)
    if oh == 0 or ow == 0 or not fits((h, w), ((top, bottom), (left, right)), pad_mode):
        return None
    out = np.zeros((oh, ow, f_count))
    for i in range(oh):
        for j in range(ow):
            for f in range(f_count):
                total = 0.0
                for m in range(kh):
                    for n in range(kw):
                        # True convolution reads the kernel back to front.
                        km, kn = (kh - 1 - m, kw - 1 - n) if flip else (m, n)
                        r = i * sh + m * dh - top
                        col = j * sw + n * dw - left
                        for ch in range(c):
                            total += padded_value(x3, r, col, ch, pad_mode) * k4[km, kn, ch, f]
                out[i, j, f] = total
    return out if kernel.ndim == 4 else out[:, :, 0]


def reference_pad(x3, pads, mode):
    """``x3`` (H, W, C) padded by looking up each padded row and column's source."""
    (top, bottom), (left, right) = pads
    h, w = x3.shape[:2]
    rows = [source(r - top, h, mode) for r in range(h + top + bottom)]
    cols = [source(c - left, w, mode) for c in range(w + left + right)]
    out = np.zeros((len(rows), len(cols), x3.shape[2]), dtype=x3.dtype)
    for r, i in enumerate(rows):
        for c, j in enumerate(cols):
            if i is not None and j is not None:
                out[r, c] = x3[i, j]
    return out
