"""The Layer types page's controls: the operation, and each operation's parameters.

Every widget is bound to a :class:`~conv.app.settings.Settings` field, so
every choice is in the address bar. A convolution reuses the Convolve page's
parameter section and adds ``groups``; transposed convolution and pooling
have their own, since their padding is a number per axis and pad modes,
flipping and methods do not apply.
"""

from __future__ import annotations

import streamlit as st

from conv.app import sidebar, state
from conv.app.layers import OP_LABELS, POOLS, clamped
from conv.app.settings import Settings

__all__ = ["operation", "parameter_section"]

bind = state.bind


def operation() -> None:
    """The operation choice, at the top of the page."""
    st.radio("operation", list(OP_LABELS), format_func=OP_LABELS.get, horizontal=True,
             **bind("op"))  # fmt: skip


def parameter_section(s: Settings, channels: int | None) -> None:
    """The parameters of ``s.op``; ``channels`` (C of the input, if known) bounds groups."""
    if s.op == "conv":
        sidebar.parameter_section()
        _groups(s, channels)
        return
    st.header("3 · Parameters")
    c1, c2 = st.columns(2)
    if s.op in POOLS:
        c1.number_input("window (rows)", min_value=1, max_value=63, step=1, **bind("pool_size", 0))
        c2.number_input("window (cols)", min_value=1, max_value=63, step=1, **bind("pool_size", 1))
    c1.number_input("stride (rows)", min_value=1, max_value=64, step=1, **bind("stride", 0))
    c2.number_input("stride (cols)", min_value=1, max_value=64, step=1, **bind("stride", 1))
    c1.number_input("padding (rows)", min_value=0, max_value=512, step=1, **bind("layer_pad", 0))
    c2.number_input("padding (cols)", min_value=0, max_value=512, step=1, **bind("layer_pad", 1))
    if s.op != "avg":
        c1.number_input("dilation (rows)", min_value=1, max_value=32, step=1,
                        **bind("dilation", 0))  # fmt: skip
        c2.number_input("dilation (cols)", min_value=1, max_value=32, step=1,
                        **bind("dilation", 1))  # fmt: skip
    else:
        st.caption("Average pooling has no dilation (as in PyTorch).")
    if s.op == "transpose":
        help_text = "Extra rows/cols at the bottom/right; must be smaller than stride or dilation."
        c1.number_input("output_padding (rows)", min_value=0, max_value=63, step=1,
                        help=help_text, **bind("output_padding", 0))  # fmt: skip
        c2.number_input("output_padding (cols)", min_value=0, max_value=63, step=1,
                        help=help_text, **bind("output_padding", 1))  # fmt: skip
        st.caption("Padding is cut from each side of the painted result, as in PyTorch.")
    else:
        st.toggle("ceil_mode (round the output size up)", **bind("ceil_mode"))
        if s.op == "avg":
            st.toggle("count_include_pad (padding counts in the divisor)",
                      **bind("count_include_pad"))  # fmt: skip
        st.caption("Padding is added to both sides, at most half the window (PyTorch's rule).")


def _groups(s: Settings, channels: int | None) -> None:
    """A slider from 1 to C (depthwise); values that do not divide C are named, not hidden."""
    st.header("4 · Groups")
    if channels is None or max(channels, s.groups) < 2:
        st.caption("One input channel: one group. Use an input with channels to split them.")
        return
    top = max(channels, s.groups)
    st.slider("groups (1 = dense … C = depthwise)", 1, top, **clamped("groups", 1, top))
    divisors = [g for g in range(1, channels + 1) if channels % g == 0]
    st.caption(
        f"groups must divide C = {channels}: {', '.join(map(str, divisors[:24]))}. "
        "The sidebar's filters become the filters of every group."
    )
