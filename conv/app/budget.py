"""The work one request may ask for, priced from shapes before any work starts.

The hosted demo is public: a link alone must not hold the server for long or
take its memory. Every request is priced from its shapes with
:func:`conv.estimate` and refused, with the numbers and what to change, when
over :mod:`conv.app.limits`: about 2 s and 1 GiB on the 2-core host, whatever
the method asked for (``method="direct"`` is priced as direct).

The time is priced pessimistically: the larger of the cost model's
prediction and :data:`~conv.app.limits.NS_PER_MAC` per multiply-add, the
slowest rate measured on admitted problems (``benchmarks/bench_budget.py``).
"""

from __future__ import annotations

import math

import numpy as np

import conv
from conv.app import limits
from conv.app.settings import Settings

__all__ = [
    "Price",
    "bounded_conv2d",
    "check",
    "check_input_shape",
    "check_kernel_shape",
    "check_layer",
    "price",
]

Price = tuple[float, int, int]  # seconds, peak bytes, multiply-adds


def check_input_shape(s: Settings) -> None:
    """Refuse a generated input over the cell limit before drawing it."""
    if s.source == "generate" and math.prod(s.shape) > limits.MAX_CELLS:
        raise ValueError(
            f"shape {'x'.join(map(str, s.shape))} has {math.prod(s.shape):,} cells, "
            f"more than {limits.MAX_CELLS:,}: make it smaller"
        )


def check_kernel_shape(shape: tuple[int, ...]) -> None:
    """Refuse a filter over the cell limit before building it (a named kernel on many channels)."""
    cells = math.prod(shape)
    if cells > limits.MAX_KERNEL_CELLS:
        raise ValueError(
            f"the filter would be {' × '.join(map(str, shape))} = {cells:,} values, more than "
            f"{limits.MAX_KERNEL_CELLS:,}: use fewer channels, filters or taps"
        )


def price(x_shape: tuple[int, ...], k_shape: tuple[int, ...], kwargs: dict) -> Price:
    """(seconds, peak bytes, multiply-adds) of ``conv2d`` with these shapes, pessimistically."""
    geometry = {k: kwargs[k] for k in ("stride", "padding", "dilation", "pad_mode", "method")}
    work = conv.estimate(x_shape, k_shape, **geometry)
    seconds = max(work.seconds, work.macs * limits.NS_PER_MAC * 1e-9)
    return seconds, int(work.peak_bytes * limits.PEAK_MARGIN), work.macs


def check(x_shape: tuple[int, ...], k_shape: tuple[int, ...], kwargs: dict) -> Price:
    """Refuse a convolution over the output, time or memory budget (ValueError); its price."""
    geometry = {k: kwargs[k] for k in ("stride", "padding", "dilation")}
    shape = conv.output_shape(x_shape, k_shape, **geometry)
    cells = math.prod(shape)  # (OH, OW, F) for a filter bank: each filter's cells count
    if cells > limits.MAX_OUTPUT_CELLS:
        raise ValueError(
            f"the output would have {cells:,} cells, more than {limits.MAX_OUTPUT_CELLS:,}: "
            "raise the stride, or use a smaller input"
        )
    seconds, peak, macs = price(x_shape, k_shape, kwargs)
    change = "use a smaller input or kernel, fewer filters, a larger stride or less padding"
    if kwargs["method"] == "direct":
        change += ", or method 'auto'"
    if seconds > limits.MAX_SECONDS:
        raise ValueError(
            f"this convolution would take about {seconds:.1f} s ({macs:,.0f} multiply-adds), "
            f"more than the {limits.MAX_SECONDS:g} s one request may use here: {change}"
        )
    if peak > limits.MAX_PEAK_BYTES:
        raise ValueError(
            f"this convolution would need about {peak / 2**20:,.0f} MiB of working memory, "
            f"more than the {limits.MAX_PEAK_BYTES / 2**20:,.0f} MiB one request may use "
            f"here: {change}"
        )
    return seconds, peak, macs


def bounded_conv2d(x: np.ndarray, k: np.ndarray, **kwargs) -> tuple[np.ndarray, str]:
    """``conv.conv2d`` whose direct sums, which data can add to the FFT's, stay in the budget.

    :func:`check` prices ``method="auto"``'s FFT from shapes; values far apart
    in scale, or a large image with a sharp filter, leave cells the FFT cannot
    prove exact, summed directly at a cost the shapes do not show. Over
    :data:`~conv.app.limits.MAX_DIRECT_MACS` the FFT's own result is returned
    instead, with a note (else "") giving its error bound; what has no such
    bound (NaN, overflow, a direct call) is refused with ValueError.
    """
    try:
        return conv.conv2d(x, k, max_direct_macs=limits.MAX_DIRECT_MACS, **kwargs), ""
    except conv.DirectWorkError as error:
        took = error.macs * limits.NS_PER_MAC * 1e-9
        cost = f"about {took:.1f} s ({error.macs:,} multiply-adds)"
        limit = f"the {error.limit:,} (about {limits.MAX_SECONDS:g} s) one request may sum here"
        if error.fft_error is None:
            why = f"{error.why[:1].upper()}{error.why[1:]}: s" if error.why else "S"
            raise ValueError(
                f"{why}umming directly would take {cost}, more than {limit}: use a smaller "
                "input or kernel"
            ) from None
        note = (
            f"Computed by the FFT alone: every cell is within ±{error.fft_error:.2g} of its "
            f"exact sum. Making the {error.cells:,} cells where that may be more than "
            f"{error.tolerance:.2g} of their own size exact would take {cost} of direct sums, "
            f"more than {limit}; use a smaller input or kernel for that."
        )
        out = error.fft_result
        return (conv.conv2d(x, k, **{**kwargs, "method": "fft"}) if out is None else out), note


def check_layer(op: str, x_shape: tuple[int, ...], k_shape: tuple[int, ...] | None,
                params: dict) -> Price:  # fmt: skip
    """Refuse a grouped convolution, transposed convolution or pooling over budget; its price.

    ``x_shape`` is (H, W, C), ``k_shape`` the 4-D kernel the library gets
    (None for pooling), ``params`` its keyword arguments. Priced from shapes
    like :func:`check`: :func:`price` per group for a convolution (groups
    run one after another on the input padded whole); the scatter's
    multiply-adds and painted cells for a transposed one; window reads and
    the framed copy for pooling, each at :data:`~conv.app.limits.NS_PER_MAC`.
    """
    h, w, c = x_shape
    if op == "conv":
        g = params["groups"]
        kh, kw, cg, f = k_shape
        seconds, peak, macs = price((h, w, cg), (kh, kw, cg, f // g), params)
        (top, bottom), (left, right) = conv.resolve_padding(
            x_shape, k_shape, **{k: params[k] for k in ("stride", "padding", "dilation", "groups")}
        )
        oh, ow = conv.output_shape(x_shape, k_shape, **{
            k: params[k] for k in ("stride", "padding", "dilation", "groups")})[:2]  # fmt: skip
        cells = oh * ow * f
        seconds, macs = g * seconds, g * macs
        peak += ((h + top + bottom) * (w + left + right) * c + cells) * 8
    elif op == "transpose":
        counts = conv.layer_counts(x_shape, k_shape, op="transpose", **params)
        (sh, sw), (dh, dw), (ph, pw) = params["stride"], params["dilation"], params["padding"]
        oh, ow, f = counts.output_shape
        # The scatter paints the whole uncropped result before the padding is cut away.
        full = (max((h - 1) * sh + dh * (k_shape[0] - 1) + 1, ph + oh),
                max((w - 1) * sw + dw * (k_shape[1] - 1) + 1, pw + ow))  # fmt: skip
        cells, macs = max(oh * ow, math.prod(full)) * f, counts.macs
        seconds, peak = macs * limits.NS_PER_MAC * 1e-9, (cells + oh * ow * f) * 8 + (1 << 22)
    else:
        geometry = {k: params[k] for k in ("stride", "padding", "dilation", "ceil_mode")}
        oh, ow = conv.output_shape((h, w), params["size"], op="pool", **geometry)
        (kh, kw), (ph, pw) = params["size"], params["padding"]
        framed = (h + 2 * ph + kh) * (w + 2 * pw + kw) * c  # the framed copy, overhang included
        cells, macs = max(oh * ow * c, framed), oh * ow * c * kh * kw
        seconds, peak = macs * limits.NS_PER_MAC * 1e-9, (framed + 2 * oh * ow * c) * 8
    if cells > limits.MAX_OUTPUT_CELLS:
        raise ValueError(
            f"the {op} layer would fill {cells:,} cells, more than {limits.MAX_OUTPUT_CELLS:,}: "
            "use a smaller input, fewer filters or another stride"
        )
    change = "use a smaller input or kernel, fewer filters, a larger stride or less padding"
    if seconds > limits.MAX_SECONDS:
        raise ValueError(
            f"this {op} layer would take about {seconds:.2g} s ({macs:,.0f} multiply-adds or "
            f"window reads), more than the {limits.MAX_SECONDS:g} s one request may use here: "
            f"{change}"
        )
    if peak > limits.MAX_PEAK_BYTES:
        raise ValueError(
            f"this {op} layer would need about {peak / 2**20:,.0f} MiB of working memory, more "
            f"than the {limits.MAX_PEAK_BYTES / 2**20:,.0f} MiB one request may use here: {change}"
        )
    return seconds, int(peak), int(macs)
