"""Shapes, padding and costs of every layer type, from shapes alone.

``op`` names the operation everywhere: ``"conv"`` (:func:`conv.conv2d`),
``"transpose"`` (:func:`conv.conv_transpose2d`) or ``"pool"``
(:func:`conv.pool2d`, whose ``kernel_shape`` is the window ``(KH, KW)``).
Parameters that an operation does not have must stay at their defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conv import _geometry
from conv._geometry import IntPair, Padding2D, PaddingSpec
from conv._pool import pool_geometry
from conv._transpose import transpose_geometry

OPS = ("conv", "transpose", "pool")


def _check_op(op: object, output_padding: object, ceil_mode: object, groups: object) -> str:
    if not isinstance(op, str) or op not in OPS:
        raise ValueError(f"op must be one of {OPS}, got {op!r}")
    for name, value, default, owner in (
        ("output_padding", output_padding, 0, "transpose"),
        ("ceil_mode", ceil_mode, False, "pool"),
    ):
        if op != owner and value != default:
            raise ValueError(f"{name}={value!r} applies to op={owner!r} only, not op={op!r}")
    if op == "pool" and groups != 1:
        raise ValueError(f"groups={groups!r} does not apply to op='pool'")
    return op


def output_shape(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    op: str = "conv",
    stride: IntPair | None = None,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    groups: int = 1,
    output_padding: IntPair = 0,
    ceil_mode: bool = False,
) -> tuple[int, ...]:
    """Shape of the result of a convolution, transposed convolution or pooling.

    Parameters
    ----------
    input_shape : tuple of int
        ``(H, W)`` or ``(H, W, C)``.
    kernel_shape : tuple of int
        As the operation's ``kernel``: ``(KH, KW, C // groups, F)`` for
        ``"conv"``, ``(KH, KW, C, F // groups)`` for ``"transpose"`` (or
        shorter, as those functions accept), the window ``(KH, KW)`` for ``"pool"``.
    op : {"conv", "transpose", "pool"}
    stride : int, (int, int) or None
        None means 1, or the window size for ``"pool"``.
    padding, dilation, groups, output_padding, ceil_mode
        As for the operation. ``"valid"`` means no padding for every
        operation; ``"same"`` and ``"full"`` exist for ``"conv"`` only.

    Returns
    -------
    tuple of int
        ``"conv"``: ``(OH, OW)`` or ``(OH, OW, F)`` for a 4-D kernel;
        ``"transpose"``: ``(OH, OW)`` or ``(OH, OW, F)`` for a 4-D kernel;
        ``"pool"``: ``(OH, OW)`` or ``(OH, OW, C)``, like the input.

    Examples
    --------
    >>> output_shape((33, 33, 3), (5, 5, 3), stride=2)
    (15, 15)
    >>> output_shape((64, 64, 32), (3, 3, 1, 32), padding="same", groups=32)
    (64, 64, 32)
    >>> output_shape((128, 128, 32), (4, 4, 32, 16), op="transpose", stride=2, padding=1)
    (256, 256, 16)
    >>> output_shape((5, 5, 16), (2, 2), op="pool", ceil_mode=True)
    (3, 3, 16)
    """
    op = _check_op(op, output_padding, ceil_mode, groups)
    padding = 0 if padding == "valid" and op != "conv" else padding
    if op == "conv":
        return _geometry.output_shape(
            input_shape,
            kernel_shape,
            stride=1 if stride is None else stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
        )
    if op == "transpose":
        geo = transpose_geometry(
            input_shape,
            kernel_shape,
            1 if stride is None else stride,
            padding,
            output_padding,
            dilation,
            groups,
        )
        return geo.output_hw + ((geo.filters,) if len(kernel_shape) == 4 else ())
    window = _window(kernel_shape)
    geo = pool_geometry(input_shape, window, stride, padding, dilation, ceil_mode)
    return geo.output_hw + tuple(input_shape[2:])


def _window(kernel_shape: object) -> object:
    # A pooling window is (KH, KW); a filter-shaped tuple is a mistake, not a window.
    if isinstance(kernel_shape, (tuple, list)) and len(kernel_shape) != 2:
        raise ValueError(f"kernel_shape must be the pooling window (KH, KW), got {kernel_shape!r}")
    return tuple(kernel_shape) if isinstance(kernel_shape, list) else kernel_shape


def resolve_padding(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    op: str = "conv",
    stride: IntPair | None = None,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    groups: int = 1,
    output_padding: IntPair = 0,
    ceil_mode: bool = False,
) -> Padding2D:
    """Padding of each side as ((top, bottom), (left, right)), for any ``op``.

    For ``"conv"`` the rows and columns added to the input (``"same"``
    and ``"full"`` resolved); for ``"transpose"`` the rows and columns cut
    from the full result; for ``"pool"`` those added to the input
    (``ceil_mode``'s overhang past them is not padding: it is ignored).
    All arguments are validated as by :func:`output_shape`.

    Examples
    --------
    >>> resolve_padding((6, 6), (3, 3), stride=2, padding="same")
    ((0, 1), (0, 1))
    >>> resolve_padding((4, 4), (4, 4), op="transpose", stride=2, padding=1)
    ((1, 1), (1, 1))
    >>> resolve_padding((5, 5), (3, 3), op="pool", padding=(1, 0))
    ((1, 1), (0, 0))
    """
    output_shape(
        input_shape,
        kernel_shape,
        op=op,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        output_padding=output_padding,
        ceil_mode=ceil_mode,
    )
    if op == "conv":
        return _geometry.resolve_padding(
            input_shape,
            kernel_shape,
            stride=1 if stride is None else stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
        )
    padding = 0 if padding == "valid" else padding
    if op == "transpose":
        return _geometry._explicit_padding(padding)
    rows, cols = pool_geometry(input_shape, _window(kernel_shape), stride, padding).padding
    return ((rows, rows), (cols, cols))


@dataclass(frozen=True)
class LayerCounts:
    """Size and cost of one convolution or transposed convolution layer.

    Attributes
    ----------
    params : int
        Weights (``KH * KW * C * F / groups``), plus ``F`` biases if asked.
    macs : int
        Multiply-adds of one forward pass on one image.
    output_shape : tuple of int
        ``(OH, OW, F)``.
    """

    params: int
    macs: int
    output_shape: tuple[int, int, int]


def layer_counts(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    op: str = "conv",
    stride: IntPair | None = None,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    groups: int = 1,
    output_padding: IntPair = 0,
    bias: bool = False,
) -> LayerCounts:
    """Parameter and multiply-add counts of a convolution or transposed convolution.

    A convolution does ``OH * OW * F * KH * KW * C / groups`` multiply-adds;
    a transposed convolution ``H * W * C * KH * KW * F / groups``, since every
    input cell meets every tap of its group (products that the padding
    later cuts away included, as frameworks compute and count them).
    Dilation and stride change the output size, not the work per cell.

    Examples
    --------
    >>> dense = layer_counts((56, 56, 64), (3, 3, 64, 64), padding=1)
    >>> depthwise = layer_counts((56, 56, 64), (3, 3, 1, 64), padding=1, groups=64)
    >>> dense.params, depthwise.params, dense.macs // depthwise.macs
    (36864, 576, 64)
    >>> layer_counts((4, 4, 8), (4, 4, 8, 3), op="transpose", stride=2, bias=True)
    LayerCounts(params=387, macs=6144, output_shape=(10, 10, 3))
    """
    if op == "pool":
        raise ValueError("op='pool' has no parameters or multiply-adds; use 'conv' or 'transpose'")
    if len(kernel_shape) != 4:
        raise ValueError(f"kernel_shape must be 4-D (KH, KW, ., .), got {kernel_shape!r}")
    if not isinstance(bias, bool):
        raise ValueError(f"bias must be True or False, got {bias!r}")
    shape = output_shape(
        input_shape,
        kernel_shape,
        op=op,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        output_padding=output_padding,
    )
    kh, kw, a, b = (int(s) for s in kernel_shape)
    weights = kh * kw * a * b  # (C // g) * F for conv, C * (F // g) for transpose
    h, w = input_shape[:2]
    cells = shape[0] * shape[1] * shape[2] if op == "conv" else h * w * a
    per_cell = kh * kw * (a if op == "conv" else b)
    return LayerCounts(
        params=weights + (shape[2] if bias else 0),
        macs=int(cells * per_cell),
        output_shape=tuple(int(s) for s in shape),
    )
