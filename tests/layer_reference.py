"""Slow, obviously-correct loops for grouped, transposed convolution and pooling.

Written from the definitions (PyTorch's documentation), sharing no code with
``conv``. All take channels-last float64 arrays.
"""

from __future__ import annotations

import math

import numpy as np


def grouped_conv(x, k, stride, pads, dilation, groups):
    """x (H, W, C), k (KH, KW, C // G, F), pads ((t, b), (l, r)); zeros padding."""
    h, w, _ = x.shape
    kh, kw, cg, f = k.shape
    (sh, sw), (dh, dw) = stride, dilation
    (top, bottom), (left, right) = pads
    oh = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    ow = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    fg = f // groups
    out = np.zeros((oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            for fi in range(f):
                g = fi // fg
                for m in range(kh):
                    for n in range(kw):
                        r, q = i * sh + m * dh - top, j * sw + n * dw - left
                        if 0 <= r < h and 0 <= q < w:
                            for ci in range(cg):
                                out[i, j, fi] += x[r, q, g * cg + ci] * k[m, n, ci, fi]
    return out


def transposed_conv(x, k, stride, padding, output_padding, dilation, groups):
    """x (H, W, C), k (KH, KW, C, F // G): scatter each input cell's scaled kernel."""
    h, w, c = x.shape
    kh, kw, _, fg = k.shape
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = stride, padding, output_padding, dilation
    oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    ow = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    cg = c // groups
    out = np.zeros((oh, ow, fg * groups))
    for i in range(h):
        for j in range(w):
            for ci in range(c):
                g = ci // cg
                for m in range(kh):
                    for n in range(kw):
                        r, q = i * sh + m * dh - ph, j * sw + n * dw - pw
                        if 0 <= r < oh and 0 <= q < ow:
                            for fj in range(fg):
                                out[r, q, g * fg + fj] += x[i, j, ci] * k[m, n, ci, fj]
    return out


def _pool_len(n, k, s, p, d, ceil_mode):
    # PyTorch's pooling_output_shape, transcribed.
    num = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = math.floor(num / s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def pool(x, size, stride, padding, dilation, ceil_mode, mode, count_include_pad, divisor):
    """x (H, W, C); PyTorch's max_pool2d / avg_pool2d loops."""
    h, w, c = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = size, stride, padding, dilation
    oh = _pool_len(h, kh, sh, ph, dh, ceil_mode)
    ow = _pool_len(w, kw, sw, pw, dw, ceil_mode)
    out = np.zeros((oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, q0 = i * sh - ph, j * sw - pw
            if mode == "max":
                for ch in range(c):
                    best = -np.inf
                    for m in range(kh):
                        for n in range(kw):
                            r, q = r0 + m * dh, q0 + n * dw
                            if 0 <= r < h and 0 <= q < w:
                                v = x[r, q, ch]
                                if v > best or np.isnan(v):
                                    best = v
                    out[i, j, ch] = best
            else:
                r1, q1 = min(r0 + kh, h + ph), min(q0 + kw, w + pw)
                size_all = (r1 - r0) * (q1 - q0)
                ra, qa, rb, qb = max(r0, 0), max(q0, 0), min(r1, h), min(q1, w)
                d = divisor or (size_all if count_include_pad else (rb - ra) * (qb - qa))
                out[i, j] = x[ra:rb, qa:qb].sum(axis=(0, 1)) / d
    return out
