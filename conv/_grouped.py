"""Grouped and depthwise cross-correlation of a padded, channels-last array.

With ``groups = G`` the ``C`` channels and ``F`` filters split into ``G``
groups and filter ``f`` sees only the ``C // G`` channels of its group.

* **Depthwise** (one channel per group, ``C // G == 1``): each output channel
  is a weighted sum of shifted copies of one input channel, so the whole
  layer is ``KH * KW`` broadcast multiply-adds over ``(rows, OW, F)`` row
  blocks that stay in cache. That is every multiply-add the layer needs and
  no more, where ``G`` separate GEMMs with an inner dimension of 1 would run
  far below BLAS speed.
* **Other groups**: each group is an ordinary convolution on a contiguous
  copy of its channels, computed by the same direct or FFT algorithm as
  ``groups=1`` (so it keeps their blocking and cost model). The block-diagonal
  dense kernel would do ``G`` times the work.
"""

from __future__ import annotations

import numpy as np

from conv._direct import correlate_direct
from conv._exactness import (
    DirectWorkError,
    check_direct_cost,
    correlate_auto_fft,
    direct_cost,
)
from conv._fft import correlate_fft
from conv._method import choose_method

#: Bytes of one row block's output and temporary in the depthwise loop: the
#: measured sweet spot keeps both in the L2 cache.
DEPTHWISE_BLOCK_BYTES = 1 << 18


def correlate_grouped(
    xp: np.ndarray,
    k: np.ndarray,
    stride: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
    method: str = "auto",
    max_direct_macs: int | None = None,
) -> np.ndarray:
    """Cross-correlate ``xp`` (Hp, Wp, C) with ``k`` (KH, KW, C // groups, F) in groups.

    Arguments are trusted (the public :func:`conv.conv2d` validates them);
    ``xp`` is already padded and shares ``k``'s float dtype. ``method`` is
    used for each group of more than one channel; ``"auto"`` picks per
    group, avoiding the FFT when ``xp`` holds NaN or infinity.
    ``max_direct_macs`` bounds the direct sums of the whole call, as
    :func:`conv.conv2d`'s: each group may use its share.

    Examples
    --------
    >>> import numpy as np
    >>> from conv._grouped import correlate_grouped
    >>> xp = np.ones((3, 3, 2))
    >>> k = np.ones((2, 2, 1, 2)) * np.array([1.0, -1.0])
    >>> correlate_grouped(xp, k, (1, 1), (1, 1), 2)[0, 0]
    array([ 4., -4.])
    """
    c = xp.shape[2]
    f = k.shape[3]
    per_group = c // groups
    share = None if max_direct_macs is None else max_direct_macs // groups
    if per_group == 1:
        check_direct_cost(direct_cost(xp.shape, k.shape, stride, dilation), max_direct_macs)
        return _depthwise(xp, k[:, :, 0, :], stride, dilation, f // groups)
    filters = f // groups
    parts = []
    for g in range(groups):
        xg = np.ascontiguousarray(xp[..., g * per_group : (g + 1) * per_group])
        kg = np.ascontiguousarray(k[..., g * filters : (g + 1) * filters])
        chosen = method
        if method == "auto":
            chosen = choose_method(xg.shape, kg.shape, stride, dilation, itemsize=xg.itemsize)
        if method == "auto" and chosen == "fft":
            # auto's FFT keeps the exactness contract, group by group (conv._exactness).
            try:
                parts.append(correlate_auto_fft(xg, kg, stride, dilation, share))
            except DirectWorkError as error:
                error.fft_result = None  # one group's: not what the call returns
                raise
            continue
        if chosen == "direct":
            check_direct_cost(direct_cost(xg.shape, kg.shape, stride, dilation), share)
        correlate = correlate_fft if chosen == "fft" else correlate_direct
        parts.append(correlate(xg, kg, stride, dilation))
    return np.concatenate(parts, axis=2)


def _depthwise(
    xp: np.ndarray,
    weights: np.ndarray,
    stride: tuple[int, int],
    dilation: tuple[int, int],
    multiplier: int,
) -> np.ndarray:
    """Depthwise correlation: filter ``f`` reads only channel ``f // multiplier``.

    ``out[i, j, f] = sum over m, n of xp[i*sh + m*dh, j*sw + n*dw, f // multiplier] * w[m, n, f]``
    with ``weights`` (KH, KW, F) and ``F = C * multiplier``.
    """
    if multiplier > 1:
        # Channel c feeds filters c*multiplier ... (c+1)*multiplier - 1.
        xp = np.repeat(xp, multiplier, axis=2)
    hp, wp, f = xp.shape
    kh, kw, _ = weights.shape
    (sh, sw), (dh, dw) = stride, dilation
    oh = (hp - dh * (kh - 1) - 1) // sh + 1
    ow = (wp - dw * (kw - 1) - 1) // sw + 1
    out = np.empty((oh, ow, f), dtype=xp.dtype)
    block_rows = max(1, DEPTHWISE_BLOCK_BYTES // (ow * f * xp.itemsize))
    scratch = np.empty((min(block_rows, oh), ow, f), dtype=xp.dtype)
    col_stop = (ow - 1) * sw + 1
    for r0 in range(0, oh, block_rows):
        r1 = min(oh, r0 + block_rows)
        acc = out[r0:r1]
        product = scratch[: r1 - r0]
        first = True
        for m in range(kh):
            top = r0 * sh + m * dh
            rows = xp[top : top + (r1 - r0 - 1) * sh + 1 : sh]
            for n in range(kw):
                window = rows[:, n * dw : n * dw + col_stop : sw]
                if first:
                    np.multiply(window, weights[m, n], out=acc)
                    first = False
                else:
                    np.multiply(window, weights[m, n], out=product)
                    acc += product
    return out
