"""A page body that cannot show a traceback.

Streamlit's own control flow (``st.rerun``, ``st.stop``) derives from
``BaseException`` and passes through; any other error becomes one plain
sentence that says what to do, and the page goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

__all__ = ["guarded"]

log = logging.getLogger("convscope")


@contextmanager
def guarded(what: str) -> Iterator[None]:
    """Run a block of a page; an unexpected error shows a sentence instead of a traceback.

    ``what`` names the block for the user ("drawing the figures").
    """
    try:
        yield
    except Exception as error:  # the boundary: whatever happened, a message, not a stack
        log.exception("convscope: %s failed", what)
        st.error(
            f"Something went wrong while {what} ({type(error).__name__}). Your settings and "
            "uploads are kept: change a setting in the sidebar, or reload the page.",
            icon="⚠️",
        )
