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

__all__ = ["check", "check_input_shape"]


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
