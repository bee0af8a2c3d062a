"""The work one request may ask for, checked from shapes before any work starts.

The hosted demo is public: a link alone must not hold the server for long or
take its memory. Every request is priced from its shapes and refused, with
the numbers and what to change, when over :mod:`conv.app.limits`.
"""

from __future__ import annotations

import math

import conv
from conv.app import limits
from conv.app.settings import Settings

__all__ = ["MAX_LAYER_BYTES", "check", "check_input_shape", "check_layer"]

#: Most extra memory one Layer types request may take (padded copies, output, scratch).
MAX_LAYER_BYTES = 2**30


def check_input_shape(s: Settings) -> None:
    """Refuse a generated input over the cell limit before drawing it."""
    if s.source == "generate" and math.prod(s.shape) > limits.MAX_CELLS:
        raise ValueError(
            f"shape {'x'.join(map(str, s.shape))} has {math.prod(s.shape):,} cells, "
            f"more than {limits.MAX_CELLS:,}: make it smaller"
        )


def check(x_shape: tuple[int, ...], k_shape: tuple[int, ...], kwargs: dict) -> None:
    """Refuse a convolution over the output-cell or multiply-add budget (ValueError)."""
    geometry = {k: kwargs[k] for k in ("stride", "padding", "dilation")}
    shape = conv.output_shape(x_shape, k_shape, **geometry)
    cells = math.prod(shape)  # (OH, OW, F) for a filter bank: each filter's cells count
    if cells > limits.MAX_OUTPUT_CELLS:
        raise ValueError(
            f"the output would have {cells:,} cells, more than {limits.MAX_OUTPUT_CELLS:,}: "
            "raise the stride, or use a smaller input"
        )
    macs = cells * math.prod(k_shape[:3])  # taps times channels per output cell
    if macs > limits.MAX_MACS:
        raise ValueError(
            f"this would take {macs:,.0f} multiply-adds, more than the {limits.MAX_MACS:,.0f} "
            "one request may use here: use a smaller input, kernel or fewer filters, "
            "or a larger stride"
        )


def check_layer(op: str, x_shape: tuple[int, ...], k_shape: tuple[int, ...] | None,
                params: dict) -> int:  # fmt: skip
    """Refuse a grouped convolution, transposed convolution or pooling over budget.

    ``x_shape`` is (H, W, C), ``k_shape`` the 4-D kernel the library gets
    (None for pooling), ``params`` its keyword arguments. Prices are from
    shapes: :func:`conv.estimate` per group for a convolution, the scatter's
    cells and multiply-adds for a transposed one, window cells for pooling.
    Returns the multiply-adds (comparisons or additions for pooling).
    """
    h, w, c = x_shape
    if op == "conv":
        g = params["groups"]
        kh, kw, cg, f = k_shape
        geometry = {k: params[k] for k in ("stride", "padding", "dilation", "pad_mode", "method")}
        work = conv.estimate((h, w, cg), (kh, kw, cg, f // g), **geometry)
        cells, macs, what = math.prod(work.output_shape[:2]) * f, g * work.macs, "multiply-adds"
        # Groups are computed one after another, but the grouped path pads the input whole.
        peak = work.peak_bytes + (g - 1) * work.padded_bytes + cells * 8
        if peak > MAX_LAYER_BYTES:
            raise ValueError(
                f"this conv layer would need about {peak / 2**20:,.0f} MB of memory, more than "
                f"{MAX_LAYER_BYTES / 2**20:,.0f} MB: use less padding or a smaller input"
            )
    elif op == "transpose":
        counts = conv.layer_counts(x_shape, k_shape, op="transpose", **params)
        (sh, sw), (dh, dw), (ph, pw) = params["stride"], params["dilation"], params["padding"]
        oh, ow, f = counts.output_shape
        # The scatter paints the whole uncropped result before the padding is cut away.
        full = (max((h - 1) * sh + dh * (k_shape[0] - 1) + 1, ph + oh),
                max((w - 1) * sw + dw * (k_shape[1] - 1) + 1, pw + ow))  # fmt: skip
        cells, macs, what = max(oh * ow, math.prod(full)) * f, counts.macs, "multiply-adds"
    else:
        geometry = {k: params[k] for k in ("stride", "padding", "dilation", "ceil_mode")}
        oh, ow = conv.output_shape((h, w), params["size"], op="pool", **geometry)
        (kh, kw), (ph, pw) = params["size"], params["padding"]
        padded = (h + 2 * ph + kh) * (w + 2 * pw + kw) * c  # the framed copy, overhang included
        cells = max(oh * ow * c, padded)
        macs, what = oh * ow * c * kh * kw, "window reads"
    if cells > limits.MAX_OUTPUT_CELLS:
        raise ValueError(
            f"the {op} layer would fill {cells:,} cells, more than {limits.MAX_OUTPUT_CELLS:,}: "
            "use a smaller input, fewer filters or another stride"
        )
    if macs > limits.MAX_MACS:
        raise ValueError(
            f"this {op} layer would take {macs:,.0f} {what}, more than the "
            f"{limits.MAX_MACS:,.0f} one request may use here: use a smaller input, kernel "
            "or fewer filters, or a larger stride"
        )
    return int(macs)
