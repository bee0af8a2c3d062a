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

import conv
from conv.app import limits
from conv.app.settings import Settings

__all__ = ["Price", "check", "check_input_shape", "check_kernel_shape", "price"]

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
