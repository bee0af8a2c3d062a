"""The width of the page's main area, as the visitor's browser reports it.

Figures have a size in pixels (cells, fonts, panels per row); drawn for a
desktop and shrunk onto a phone their digits would run together. A zero-height
component reports the width of the main column once, and again after a resize
of 10 px or more; figures are then drawn for it. Until the browser answers (and
in ``AppTest``, which runs no browser) the page is drawn for
:data:`conv.app.figure_size.WIDTH`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from conv.app import figure_size

__all__ = ["width"]

_report = components.declare_component(
    "convscope_viewport", path=str(Path(__file__).with_name("viewport_frontend"))
)
# Narrower or wider reports are clamped: a figure needs some room, and very
# wide screens gain nothing from cells larger than the largest drawn.
NARROWEST, WIDEST = 280, 2400


def width() -> float:
    """Pixels across the main area (the last width the browser reported)."""
    reported = _report(key="viewport.width", default=None)
    if not isinstance(reported, int | float):
        return figure_size.WIDTH
    return float(min(max(reported, NARROWEST), WIDEST))
