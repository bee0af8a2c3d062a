"""Transposed convolution ("deconvolution"): the adjoint of :func:`conv.conv2d`.

Each input cell paints a copy of the kernel, scaled by its value, into the
output at ``stride`` steps; overlapping paint adds up. Computed as that
scatter: one GEMM per row block gives every (input cell, tap) product at
once, and one strided add per tap moves them into place. Every product is
needed (none meets an inserted zero, unlike the zero-insertion view), and
the row blocks keep the products in cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from conv._conv2d import as_float_array
from conv._geometry import (
    IntPair,
    Padding2D,
    _as_sequence,
    _explicit_padding,
    _is_int,
    as_pair,
    check_groups,
    transposed_size,
)

#: Bytes of one row block's products (input cells x taps x filters).
PRODUCT_BLOCK_BYTES = 1 << 22


@dataclass(frozen=True)
class TransposeGeometry:
    """Validated shapes and parameters of one transposed convolution."""

    input_shape: tuple[int, int, int]  # (H, W, C)
    kernel_shape: tuple[int, int, int, int]  # (KH, KW, C, F // groups)
    stride: tuple[int, int]
    padding: Padding2D
    output_padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    output_hw: tuple[int, int]

    @property
    def filters(self) -> int:
        return self.kernel_shape[3] * self.groups


def _shape(shape: object, name: str, ndims: tuple[int, ...]) -> tuple[int, ...]:
    shape = _as_sequence(shape)
    if (
        not isinstance(shape, (tuple, list))
        or len(shape) not in ndims
        or not all(_is_int(s) for s in shape)
    ):
        raise ValueError(
            f"{name} must be a tuple of {' or '.join(map(str, ndims))} ints, got {shape!r}"
        )
    shape = tuple(int(s) for s in shape)
    if min(shape) < 1:
        raise ValueError(f"{name} must have no empty axis, got {shape}")
    return shape


def _output_padding(value: object) -> tuple[int, int]:
    value = _as_sequence(value)
    if _is_int(value):
        pair = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_int(v) for v in value):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"output_padding must be an int or a pair of ints, got {value!r}")
    if min(pair) < 0:
        raise ValueError(f"output_padding must be non-negative, got {value!r}")
    return pair


def transpose_geometry(
    input_shape: object,
    kernel_shape: object,
    stride: object = 1,
    padding: object = 0,
    output_padding: object = 0,
    dilation: object = 1,
    groups: object = 1,
) -> TransposeGeometry:
    """Validate a transposed convolution's shapes and parameters as PyTorch does.

    Examples
    --------
    >>> transpose_geometry((4, 4, 2), (3, 3, 2, 1), stride=2, padding=1).output_hw
    (7, 7)
    >>> transpose_geometry((4, 4), (3, 3), stride=2, output_padding=2)
    Traceback (most recent call last):
    ...
    ValueError: output_padding=2 must be smaller than stride=2 or dilation=1
    """
    in_shape = _shape(input_shape, "input_shape", (2, 3))
    k_shape = _shape(kernel_shape, "kernel_shape", (2, 3, 4))
    c = in_shape[2] if len(in_shape) == 3 else 1
    if len(k_shape) == 2 and c != 1:
        raise ValueError(
            f"kernel of shape {k_shape} has no channel axis but input has {c} channels; "
            f"give a ({k_shape[0]}, {k_shape[1]}, {c}, F // groups) kernel"
        )
    if len(k_shape) >= 3 and k_shape[2] != c:
        raise ValueError(f"kernel has {k_shape[2]} input channels but input has C={c}")
    k4 = (*k_shape[:2], c, k_shape[3] if len(k_shape) == 4 else 1)
    groups = check_groups(groups, c, c)  # F = groups * F // groups always divides
    strides = as_pair(stride, "stride")
    dilations = as_pair(dilation, "dilation")
    if isinstance(padding, str):
        raise ValueError(
            f"padding must be numbers for a transposed convolution, got {padding!r}: "
            "an int, (rows, cols) or ((top, bottom), (left, right))"
        )
    pads = _explicit_padding(padding)
    out_pads = _output_padding(output_padding)
    for op, s, d in zip(out_pads, strides, dilations, strict=True):
        if op >= s and op >= d:
            shown = output_padding if _is_int(output_padding) else out_pads
            raise ValueError(
                f"output_padding={shown} must be smaller than stride={stride} "
                f"or dilation={dilation}"
            )
    out = tuple(
        transposed_size(n, k, s, d, *side, op)
        for n, k, s, d, side, op in zip(
            in_shape[:2], k4[:2], strides, dilations, pads, out_pads, strict=True
        )
    )
    if min(out) < 1:
        raise ValueError(
            f"padding={padding!r} leaves no output: transposed convolution of "
            f"{in_shape[0]}x{in_shape[1]} would give {out[0]}x{out[1]}"
        )
    return TransposeGeometry(
        (*in_shape[:2], c), k4, strides, pads, out_pads, dilations, groups, out
    )


def conv_transpose2d(
    x: ArrayLike,
    kernel: ArrayLike,
    *,
    stride: IntPair = 1,
    padding: int | tuple[int, int] | Padding2D = 0,
    output_padding: IntPair = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D transposed convolution, channels-last, with PyTorch's semantics.

    Input cell ``(i, j)`` adds ``x[i, j, c] * kernel[m, n, c, f]`` to output
    cell ``(i*sh + m*dh - top, j*sw + n*dw - left)``. It is exactly the
    adjoint (and so the input gradient) of :func:`conv.conv2d` with the same
    stride, padding, dilation and groups: for ``k`` of shape
    ``(KH, KW, C // groups, F)``,
    ``<conv2d(a, k, ...), b> == <a, conv_transpose2d(b, k.swapaxes(2, 3), ...)>``
    when ``output_padding`` restores ``a``'s size.

    Parameters
    ----------
    x : array_like
        ``(H, W)`` or channels-last ``(H, W, C)``.
    kernel : array_like
        ``(KH, KW, C, F // groups)``, PyTorch's ``(C, F // groups, KH, KW)``
        moved to channels-last; ``(KH, KW, C)`` or, for a 2-D ``x``,
        ``(KH, KW)`` for one output channel.
    stride, dilation : int or (int, int)
        Step between the painted kernel copies, and between kernel taps.
    padding : int, (rows, cols) or ((top, bottom), (left, right))
        Rows and columns cut from each side of the full result (the padding
        of the convolution this is the adjoint of).
    output_padding : int or (int, int)
        Extra rows and columns at the bottom and right, to pick one of the
        ``stride`` input sizes a strided convolution maps to the same output
        size. Must be smaller than ``stride`` or ``dilation``, per axis.
    groups : int
        Must divide ``C``; input channels of group ``g`` paint only the
        ``F // groups`` output channels of group ``g``.

    Returns
    -------
    numpy.ndarray
        ``(OH, OW, F)``, or ``(OH, OW)`` for a 2-D or 3-D kernel, with
        ``OH = (H - 1)*sh - top - bottom + dh*(KH - 1) + output_padding + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> conv_transpose2d(np.array([[1.0, 2.0]]), np.array([[1.0, 10.0]]), stride=2)
    array([[ 1., 10.,  2., 20.]])
    >>> conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=2, padding=1)
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> conv_transpose2d(np.ones((3, 3, 4)), np.ones((4, 4, 4, 2)), stride=2, groups=2).shape
    (8, 8, 4)
    """
    x = as_float_array(x, "x")
    kernel = as_float_array(kernel, "kernel")
    if x.ndim not in (2, 3) or x.size == 0:
        raise ValueError(f"x must be a non-empty (H, W) or (H, W, C) array, got shape {x.shape}")
    if kernel.ndim not in (2, 3, 4) or kernel.size == 0:
        raise ValueError(
            "kernel must be a non-empty (KH, KW), (KH, KW, C) or (KH, KW, C, F // groups) "
            f"array, got shape {kernel.shape}"
        )
    geo = transpose_geometry(
        x.shape, kernel.shape, stride, padding, output_padding, dilation, groups
    )
    dtype = np.result_type(x, kernel)
    out = scatter_taps(
        x.reshape(geo.input_shape).astype(dtype, copy=False),
        kernel.reshape(geo.kernel_shape).astype(dtype, copy=False),
        geo,
    )
    return out if kernel.ndim == 4 else out[..., 0]


def scatter_taps(x: np.ndarray, k: np.ndarray, geo: TransposeGeometry) -> np.ndarray:
    """The transposed convolution of validated ``x`` (H, W, C) and ``k`` (KH, KW, C, Fg)."""
    h, w, c = x.shape
    kh, kw, _, fg = k.shape
    g = geo.groups
    cg = c // g
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    (top, _), (left, _) = geo.padding
    oh, ow = geo.output_hw
    # Full (uncropped) result, grown where output_padding reaches past it.
    full_h = max((h - 1) * sh + dh * (kh - 1) + 1, top + oh)
    full_w = max((w - 1) * sw + dw * (kw - 1) + 1, left + ow)
    full = np.zeros((full_h, full_w, g, fg), dtype=x.dtype)
    # (G, C // G, KH*KW*Fg): group g's channels times every tap and filter of it.
    weights = k.reshape(kh, kw, g, cg, fg).transpose(2, 3, 0, 1, 4).reshape(g, cg, kh * kw * fg)
    weights = np.ascontiguousarray(weights)
    block_rows = max(1, PRODUCT_BLOCK_BYTES // (w * kh * kw * g * fg * x.itemsize))
    for r0 in range(0, h, block_rows):
        r1 = min(h, r0 + block_rows)
        rows = r1 - r0
        cells = x[r0:r1].reshape(rows * w, g, cg).transpose(1, 0, 2)
        # (G, cells, KH*KW*Fg) -> (rows, W, KH, KW, G, Fg)
        products = np.matmul(cells, weights).reshape(g, rows, w, kh, kw, fg)
        products = products.transpose(1, 2, 3, 4, 0, 5)
        for m in range(kh):
            r = r0 * sh + m * dh
            target_rows = full[r : r + (rows - 1) * sh + 1 : sh]
            for n in range(kw):
                target_rows[:, n * dw : n * dw + (w - 1) * sw + 1 : sw] += products[:, :, m, n]
    out = full[top : top + oh, left : left + ow]
    return np.ascontiguousarray(out.reshape(oh, ow, g * fg))
