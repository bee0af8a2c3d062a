"""The width of the page's main area, as the visitor's browser reports it.

Figures have a size in pixels (cells, fonts, panels per row); drawn for a
desktop and shrunk onto a phone their digits would run together. A zero-height
component reports the width of the main column once (unless it is the width
the page assumed), and again after a resize of 10 px or more; figures are then
drawn for it. Until the browser answers (and
in ``AppTest``, which runs no browser) the page is drawn for the width this
browser reported on its last visit (a cookie), else
:data:`conv.app.figure_size.WIDTH`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from conv.app import figure_size

__all__ = ["width"]

_report = components.declare_component(
    "convscope_viewport", path=str(Path(__file__).with_name("viewport_frontend"))
)
# Narrower or wider reports are clamped: a figure needs some room, and very
# wide screens gain nothing from cells larger than the largest drawn.
NARROWEST, WIDEST = 280, 2400
# The cookie the component writes the width to, for the next visit's first run.
COOKIE = "convscope_width"


def width() -> float:
    """Pixels across the main area (the last width the browser reported)."""
    assumed = _remembered()
    # drawn_for: the browser reports nothing when the page is already drawn for
    # its width, which saves a first visit its second run.
    reported = _report(key="viewport.width", default=None, drawn_for=assumed)
    if not isinstance(reported, int | float):
        return assumed
    return float(min(max(reported, NARROWEST), WIDEST))


def _remembered() -> float:
    """The width this browser reported on an earlier visit (a cookie), else the default."""
    try:
        value = float(st.context.cookies.get(COOKIE, ""))
    except (ValueError, TypeError, AttributeError, RuntimeError):
        return figure_size.WIDTH
    if not NARROWEST <= value <= WIDEST or value % 10:
        return figure_size.WIDTH  # not one the component writes: ignore it
    return value
