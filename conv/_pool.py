"""Max and average pooling per channel, with PyTorch's sizes, padding and divisors.

Both reductions are separable, so each row block is reduced along the
columns first (``KW`` strided views) and then along the rows (``KH``
views of that), about half the element operations of ``KH * KW`` views
of the input, on blocks that stay in cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from conv._conv2d import as_float_array
from conv._geometry import IntPair, _as_sequence, _is_int, as_pair, pool_size

POOL_MODES = ("max", "avg")

#: Bytes of input rows one block reduces: the column pass's result stays in L2.
BLOCK_BYTES = 1 << 19


@dataclass(frozen=True)
class PoolGeometry:
    """Validated parameters of one pooling and its output size."""

    input_hw: tuple[int, int]
    size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    ceil_mode: bool
    output_hw: tuple[int, int]


def _padding_pair(padding: object) -> tuple[int, int]:
    padding = _as_sequence(padding)
    if _is_int(padding):
        pair = (int(padding), int(padding))
    elif (
        isinstance(padding, (tuple, list))
        and len(padding) == 2
        and all(_is_int(p) for p in padding)
    ):
        pair = (int(padding[0]), int(padding[1]))
    else:
        raise ValueError(
            f"padding must be an int or a pair (rows, cols) for pooling, got {padding!r}"
        )
    if min(pair) < 0:
        raise ValueError(f"padding must be non-negative, got {padding!r}")
    return pair


def pool_geometry(
    input_shape: object,
    size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: object = False,
) -> PoolGeometry:
    """Validate pooling parameters as PyTorch does and compute the output size.

    Examples
    --------
    >>> pool_geometry((5, 5), 2, ceil_mode=True).output_hw
    (3, 3)
    >>> pool_geometry((5, 5), 3, padding=2)
    Traceback (most recent call last):
    ...
    ValueError: padding=2 must be at most half the pooling size=3 (PyTorch's rule)
    """
    shape = _as_sequence(input_shape)
    if (
        not isinstance(shape, (tuple, list))
        or len(shape) not in (2, 3)
        or not all(_is_int(s) for s in shape)
        or min(shape) < 1
    ):
        raise ValueError(f"input_shape must be a tuple of 2 or 3 positive ints, got {shape!r}")
    sizes = as_pair(size, "size")
    strides = sizes if stride is None else as_pair(stride, "stride")
    pads = _padding_pair(padding)
    dilations = as_pair(dilation, "dilation")
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise ValueError(f"ceil_mode must be True or False, got {ceil_mode!r}")
    for p, k in zip(pads, sizes, strict=True):
        if p > k // 2:
            raise ValueError(
                f"padding={padding!r} must be at most half the pooling size={size!r} "
                "(PyTorch's rule)"
            )
    in_hw = (int(shape[0]), int(shape[1]))
    out = tuple(
        pool_size(n, k, s, p, d, bool(ceil_mode))
        for n, k, s, p, d in zip(in_hw, sizes, strides, pads, dilations, strict=True)
    )
    if min(out) < 1:
        raise ValueError(
            f"pooling size={size!r} with dilation={dilation!r} and padding={padding!r} "
            f"does not fit the {in_hw[0]}x{in_hw[1]} input: output would be {out[0]}x{out[1]}"
        )
    return PoolGeometry(in_hw, sizes, strides, pads, dilations, bool(ceil_mode), out)


def check_pool_options(
    mode: object, dilation: object, count_include_pad: object, divisor_override: object
) -> None:
    """Refuse what PyTorch's max_pool2d / avg_pool2d refuse."""
    if not isinstance(mode, str) or mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {POOL_MODES}, got {mode!r}")
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise ValueError(f"count_include_pad must be True or False, got {count_include_pad!r}")
    if divisor_override is not None:
        if mode != "avg":
            raise ValueError(f"divisor_override applies to mode='avg' only, got mode={mode!r}")
        if not _is_int(divisor_override) or divisor_override == 0:
            raise ValueError(f"divisor_override must be a non-zero int, got {divisor_override!r}")
    if mode == "avg" and as_pair(dilation, "dilation") != (1, 1):
        raise ValueError(f"dilation={dilation!r} applies to mode='max' only (as in PyTorch)")


def avg_divisors(geo: PoolGeometry, count_include_pad: bool, divisor_override) -> np.ndarray:
    """The (OH, OW) divisor of each average, PyTorch's rule: padding counts, overhang does not."""
    if divisor_override is not None:
        return np.full(geo.output_hw, float(divisor_override))
    counts = []
    for n, k, s, p, o in zip(
        geo.input_hw, geo.size, geo.stride, geo.padding, geo.output_hw, strict=True
    ):
        start = np.arange(o) * s - p
        stop = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, stop = np.maximum(start, 0), np.minimum(stop, n)
        counts.append(stop - start)
    return np.outer(counts[0], counts[1]).astype(np.float64)


def pool2d(
    x: ArrayLike,
    size: IntPair,
    *,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
    mode: str = "max",
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """Max or average pooling of each channel, as PyTorch's ``max_pool2d`` / ``avg_pool2d``.

    Parameters
    ----------
    x : array_like
        ``(H, W)`` or channels-last ``(H, W, C)``.
    size : int or (int, int)
        Window height and width.
    stride : int, (int, int) or None
        Step between windows; ``None`` means ``size`` (PyTorch's default).
    padding : int or (int, int)
        Added to both sides of rows and columns, at most half the window.
        Max pooling pads with ``-inf`` (padding never wins), average
        pooling with zeros.
    dilation : int or (int, int)
        Step between window taps; max pooling only, as in PyTorch.
    ceil_mode : bool
        Round the output size up, so a last, partial window covers the
        remaining rows and columns, provided it starts inside the input or
        the left padding. Its cells past the padding are ignored.
    mode : {"max", "avg"}
    count_include_pad : bool
        Average pooling: whether padding cells count in the divisor.
    divisor_override : int or None
        Average pooling: divide every sum by this instead.

    Returns
    -------
    numpy.ndarray
        ``(OH, OW)`` or ``(OH, OW, C)``, float32 for float32 input and
        float64 otherwise; see :func:`conv.output_shape` with ``op="pool"``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> pool2d(x, 2)
    array([[ 5.,  7.],
           [13., 15.]])
    >>> pool2d(x, 3, stride=2, ceil_mode=True, mode="avg")
    array([[ 5. ,  6.5],
           [11. , 12.5]])
    >>> pool2d(x, 3, stride=2, padding=1, mode="avg", count_include_pad=False)
    array([[ 2.5,  4. ],
           [ 8.5, 10. ]])
    """
    x = as_float_array(x, "x")
    if x.ndim not in (2, 3) or x.size == 0:
        raise ValueError(f"x must be a non-empty (H, W) or (H, W, C) array, got shape {x.shape}")
    check_pool_options(mode, dilation, count_include_pad, divisor_override)
    geo = pool_geometry(x.shape, size, stride, padding, dilation, ceil_mode)
    x3 = x.reshape(*x.shape[:2], -1)
    out = _reduce(x3, geo, mode)
    if mode == "avg":
        divisors = avg_divisors(geo, count_include_pad, divisor_override)
        out /= divisors.astype(out.dtype)[:, :, None]
    return out if x.ndim == 3 else out[..., 0]


def _padded(x3: np.ndarray, geo: PoolGeometry, fill: float) -> np.ndarray:
    """``x3`` framed by ``fill`` so that every window lies inside it (a view if none needed)."""
    frames = []
    for n, k, s, p, d, o in zip(
        geo.input_hw, geo.size, geo.stride, geo.padding, geo.dilation, geo.output_hw, strict=True
    ):
        # ceil_mode's last window may reach past the bottom padding.
        frames.append((p, max((o - 1) * s + d * (k - 1) + 1 - n - p, 0)))
    if frames == [(0, 0), (0, 0)]:
        return x3
    (top, bottom), (left, right) = frames
    out = np.full(
        (x3.shape[0] + top + bottom, x3.shape[1] + left + right, x3.shape[2]), fill, x3.dtype
    )
    out[top : top + x3.shape[0], left : left + x3.shape[1]] = x3
    return out


def _reduce(x3: np.ndarray, geo: PoolGeometry, mode: str) -> np.ndarray:
    """Window maxima or sums, (OH, OW, C)."""
    combine = np.maximum if mode == "max" else np.add
    xp = _padded(x3, geo, -np.inf if mode == "max" else 0.0)
    (kh, kw), (sh, sw), (dh, dw) = geo.size, geo.stride, geo.dilation
    oh, ow = geo.output_hw
    c = xp.shape[2]
    out = np.empty((oh, ow, c), dtype=xp.dtype)
    block_rows = max(1, BLOCK_BYTES // (xp.shape[1] * c * xp.itemsize * sh))
    col_stop = (ow - 1) * sw + 1
    scratch = np.empty(((min(block_rows, oh) - 1) * sh + dh * (kh - 1) + 1, ow, c), xp.dtype)
    for r0 in range(0, oh, block_rows):
        r1 = min(oh, r0 + block_rows)
        rows = r1 - r0
        first_row = r0 * sh
        span = (rows - 1) * sh + dh * (kh - 1) + 1
        block = xp[first_row : first_row + span]
        cols = scratch[:span]
        if kw == 1:
            np.copyto(cols, block[:, 0:col_stop:sw])
        else:
            combine(block[:, 0:col_stop:sw], block[:, dw : dw + col_stop : sw], out=cols)
        for n in range(2, kw):
            combine(cols, block[:, n * dw : n * dw + col_stop : sw], out=cols)
        acc = out[r0:r1]
        row_stop = (rows - 1) * sh + 1
        np.copyto(acc, cols[0:row_stop:sh])
        for m in range(1, kh):
            combine(acc, cols[m * dh : m * dh + row_stop : sh], out=acc)
    return out
