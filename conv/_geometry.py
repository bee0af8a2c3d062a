"""Where the window goes: argument pairs, padding amounts and output sizes.

Everything here works on shapes only, so the app can show sizes and refuse
bad settings before any array is touched.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

IntPair = int | tuple[int, int]
PaddingSpec = str | int | tuple[int, int] | tuple[tuple[int, int], tuple[int, int]]
Padding2D = tuple[tuple[int, int], tuple[int, int]]

PADDING_NAMES = ("valid", "same", "full")


def _is_int(value: object) -> bool:
    if type(value) is int:  # the common case, without the slow ABC check below
        return True
    # bool is an int subclass, but stride=True is a bug, not a request for 1.
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _as_sequence(value: object) -> object:
    return value.tolist() if isinstance(value, np.ndarray) else value


def conv_size(
    size: int, kernel: int, stride: int = 1, dilation: int = 1, before: int = 0, after: int = 0
) -> int:
    """Window positions along one axis of a convolution; 0 when the kernel does not fit.

    The one home of ``floor((n + before + after - d*(k - 1) - 1) / s) + 1``.

    Examples
    --------
    >>> conv_size(33, 5, stride=2), conv_size(5, 3, dilation=2), conv_size(5, 3, dilation=3)
    (15, 1, 0)
    """
    span = size + before + after - dilation * (kernel - 1) - 1
    return span // stride + 1 if span >= 0 else 0


def transposed_size(
    size: int,
    kernel: int,
    stride: int = 1,
    dilation: int = 1,
    before: int = 0,
    after: int = 0,
    output_padding: int = 0,
) -> int:
    """Output length along one axis of a transposed convolution (PyTorch's formula).

    ``(n - 1)*s - before - after + d*(k - 1) + output_padding + 1``; PyTorch's
    ``padding=p`` is ``before = after = p``. May be 0 or negative, which callers refuse.

    Examples
    --------
    >>> transposed_size(4, 3, stride=2, before=1, after=1, output_padding=1)
    8
    """
    return (size - 1) * stride - before - after + dilation * (kernel - 1) + output_padding + 1


def pool_size(
    size: int,
    kernel: int,
    stride: int,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Output length along one axis of PyTorch's max/avg pooling.

    With ``ceil_mode`` the division rounds up, but the last window must start
    inside the input or the left padding (PyTorch drops it otherwise); the
    window may then overhang the padded input, even when it is the only one.

    Examples
    --------
    >>> pool_size(5, 2, 2), pool_size(5, 2, 2, ceil_mode=True)
    (2, 3)
    >>> pool_size(4, 2, 2, padding=1, ceil_mode=True)
    3
    >>> pool_size(1, 2, 2), pool_size(1, 2, 2, ceil_mode=True), pool_size(1, 3, 2, ceil_mode=True)
    (0, 1, 0)
    """
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    # Floor division as PyTorch's div_rtn: with ceil_mode a window that overhangs
    # the padded input still counts, so a 1-cell input pools to 1 with kernel 2.
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return max(out, 0)


def as_pair(value: object, name: str) -> tuple[int, int]:
    """Turn a positive int or (rows, cols) pair into a pair of Python ints.

    Examples
    --------
    >>> as_pair(2, "stride")
    (2, 2)
    >>> as_pair((1, 3), "dilation")
    (1, 3)
    >>> as_pair((0, 1), "stride")
    Traceback (most recent call last):
    ...
    ValueError: stride must be positive integers, got (0, 1)
    """
    value = _as_sequence(value)
    if _is_int(value):
        pair = (int(value), int(value))
    elif (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 2
        and all(_is_int(v) for v in value)
    ):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"{name} must be an int or a pair of ints (rows, cols), got {value!r}")
    if min(pair) < 1:
        raise ValueError(f"{name} must be positive integers, got {value!r}")
    return pair


def check_groups(groups: object, channels: int, filters: int) -> int:
    """``groups`` as an int that divides both ``channels`` (C) and ``filters`` (F).

    Examples
    --------
    >>> check_groups(2, 4, 6)
    2
    >>> check_groups(3, 4, 6)
    Traceback (most recent call last):
    ...
    ValueError: groups=3 must divide C=4
    """
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"groups must be a positive int, got {groups!r}")
    for name, size in (("C", channels), ("F", filters)):
        if size % groups:
            raise ValueError(f"groups={groups} must divide {name}={size}")
    return int(groups)


def _check_shapes(
    input_shape: Sequence[int], kernel_shape: Sequence[int], groups: object = 1
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Validate an (H, W[, C]) input shape against a (KH, KW[, C // groups[, F]]) kernel shape."""
    shapes = []
    for name, shape, ndims in (
        ("input_shape", input_shape, (2, 3)),
        ("kernel_shape", kernel_shape, (2, 3, 4)),
    ):
        shape = _as_sequence(shape)
        if (
            not isinstance(shape, Sequence)
            or isinstance(shape, str)
            or len(shape) not in ndims
            or not all(_is_int(s) for s in shape)
        ):
            raise ValueError(
                f"{name} must be a tuple of {' or '.join(map(str, ndims))} ints, got {shape!r}"
            )
        shape = tuple(int(s) for s in shape)
        if min(shape) < 1:
            raise ValueError(f"{name} must have no empty axis, got {shape}")
        shapes.append(shape)
    in_shape, k_shape = shapes
    channels = in_shape[2] if len(in_shape) == 3 else 1
    if len(k_shape) == 2 and channels != 1:
        raise ValueError(
            f"kernel of shape {k_shape} has no channel axis but input has {channels} channels; "
            f"give a ({k_shape[0]}, {k_shape[1]}, {channels}) kernel"
        )
    filters = k_shape[3] if len(k_shape) == 4 else 1
    groups = check_groups(groups, channels, filters)
    if len(k_shape) >= 3 and k_shape[2] * groups != channels:
        if groups == 1:
            raise ValueError(f"kernel has {k_shape[2]} channels but input has {channels}")
        raise ValueError(
            f"kernel has {k_shape[2]} channels per group but C={channels} with "
            f"groups={groups} needs C // groups = {channels // groups}"
        )
    return in_shape, k_shape


def _explicit_padding(padding: object) -> Padding2D:
    """Turn an int, (rows, cols) or ((top, bottom), (left, right)) into the last form."""
    padding = _as_sequence(padding)
    is_seq = isinstance(padding, Sequence) and not isinstance(padding, str)
    if _is_int(padding):
        pads = ((padding, padding), (padding, padding))
    elif is_seq and len(padding) == 2 and all(_is_int(p) for p in padding):
        pads = ((padding[0], padding[0]), (padding[1], padding[1]))
    elif (
        is_seq
        and len(padding) == 2
        and all(
            isinstance(side, Sequence) and len(side) == 2 and all(_is_int(p) for p in side)
            for side in padding
        )
    ):
        pads = (tuple(padding[0]), tuple(padding[1]))
    else:
        raise ValueError(
            "padding must be 'valid', 'same', 'full', an int, a pair (rows, cols) or "
            f"((top, bottom), (left, right)), got {padding!r}"
        )
    if min(min(side) for side in pads) < 0:
        raise ValueError(f"padding must be non-negative, got {padding!r}")
    return tuple((int(a), int(b)) for a, b in pads)


def resolve_padding(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    groups: int = 1,
) -> Padding2D:
    """Rows and columns of padding added to each side, as ((top, bottom), (left, right)).

    Parameters
    ----------
    input_shape : tuple of int
        ``(H, W)`` or ``(H, W, C)``.
    kernel_shape : tuple of int
        ``(KH, KW)``, ``(KH, KW, C)`` or ``(KH, KW, C // groups, F)``.
    stride, dilation : int or (int, int)
        Step between windows and between kernel taps, per (rows, cols).
    padding : str, int or tuple
        ``"valid"`` (none), ``"same"`` (output ``ceil(H / stride)``; the odd
        extra row or column goes bottom/right, TensorFlow's rule), ``"full"``
        (``dilation * (k - 1)`` each side, every overlap), an int, a
        ``(rows, cols)`` pair, or ``((top, bottom), (left, right))``.

    Returns
    -------
    ((int, int), (int, int))

    Examples
    --------
    >>> resolve_padding((5, 5), (3, 3), padding="same")
    ((1, 1), (1, 1))
    >>> resolve_padding((6, 6), (3, 3), stride=2, padding="same")
    ((0, 1), (0, 1))
    >>> resolve_padding((5, 5), (3, 3), padding="full", dilation=2)
    ((4, 4), (4, 4))
    >>> resolve_padding((5, 5), (3, 3), padding=(1, 2))
    ((1, 1), (2, 2))
    """
    in_shape, k_shape = _check_shapes(input_shape, kernel_shape, groups)
    strides = as_pair(stride, "stride")
    dilations = as_pair(dilation, "dilation")
    return _resolve(in_shape, k_shape, strides, padding, dilations)


def _resolve(in_shape, k_shape, strides, padding, dilations) -> Padding2D:
    """:func:`resolve_padding` on already validated shapes, strides and dilations."""
    if not isinstance(padding, str):
        return _explicit_padding(padding)
    if padding == "valid":
        return ((0, 0), (0, 0))
    pads = []
    for size, k, s, d in zip(in_shape[:2], k_shape[:2], strides, dilations, strict=True):
        extent = d * (k - 1) + 1
        if padding == "full":
            pads.append((extent - 1, extent - 1))
        elif padding == "same":
            total = max((math.ceil(size / s) - 1) * s + extent - size, 0)
            pads.append((total // 2, total - total // 2))
        else:
            raise ValueError(f"padding must be one of {PADDING_NAMES} or numbers, got {padding!r}")
    return tuple(pads)


def _window_geometry(input_shape, kernel_shape, stride, padding, dilation, groups=1):
    """Validated pieces shared by output_shape, conv2d and conv._coverage."""
    in_shape, k_shape = _check_shapes(input_shape, kernel_shape, groups)
    strides = as_pair(stride, "stride")
    dilations = as_pair(dilation, "dilation")
    pads = _resolve(in_shape, k_shape, strides, padding, dilations)
    padded = tuple(n + a + b for n, (a, b) in zip(in_shape[:2], pads, strict=True))
    extent = tuple(d * (k - 1) + 1 for k, d in zip(k_shape[:2], dilations, strict=True))
    if extent[0] > padded[0] or extent[1] > padded[1]:
        raise ValueError(
            f"effective kernel {extent[0]}x{extent[1]} ({k_shape[0]}x{k_shape[1]}, "
            f"dilation {dilation}) is larger than the padded input {padded[0]}x{padded[1]}"
        )
    out = tuple(
        conv_size(n, k, s, d, *side)
        for n, k, s, d, side in zip(
            in_shape[:2], k_shape[:2], strides, dilations, pads, strict=True
        )
    )
    return in_shape, k_shape, strides, pads, padded, extent, out


def output_shape(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    groups: int = 1,
) -> tuple[int, ...]:
    """Shape of ``conv2d``'s result, without computing it.

    ``(OH, OW)`` for a 2-D or 3-D kernel shape, ``(OH, OW, F)`` for a 4-D one,
    with ``OH = (H + top + bottom - dilation * (KH - 1) - 1) // stride + 1``.
    Arguments are as for :func:`conv.conv2d` (a grouped kernel is
    ``(KH, KW, C // groups, F)``); a kernel wider than the padded input
    raises ``ValueError``.

    Examples
    --------
    >>> output_shape((5, 5), (3, 3))
    (3, 3)
    >>> output_shape((33, 33, 3), (5, 5, 3), stride=2)
    (15, 15)
    >>> output_shape((28, 28, 1), (3, 3, 1, 8), padding="same")
    (28, 28, 8)
    >>> output_shape((5, 5), (5, 5), dilation=2)
    Traceback (most recent call last):
    ...
    ValueError: effective kernel 9x9 (5x5, dilation 2) is larger than the padded input 5x5
    """
    _, k_shape, *_, out = _window_geometry(
        input_shape, kernel_shape, stride, padding, dilation, groups
    )
    return out + k_shape[3:]
