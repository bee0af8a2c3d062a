"""The sidebar's sections, shared by every page: input, filter, parameters, settings file.

Each section draws widgets bound to the session's :class:`Settings` (see
:func:`conv.app.state.bind`) and returns what it needs later (an upload).
:func:`arrays` then turns the settings and uploads into the input and filter.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from conv import PAD_MODES, examples, generate, kernels
from conv._conv2d import METHODS
from conv.app import editors, layouts, result, state, uploads
from conv.app.settings import FILTER_LAYOUTS, INPUT_KINDS, INPUT_LAYOUTS, PADDINGS
from conv.app.uploads import Upload

__all__ = [
    "arrays",
    "convolved",
    "filter_section",
    "input_section",
    "parameter_section",
    "settings_file",
]

SOURCE_LABELS = {"example": "Example", "generate": "Generate", "upload": "Upload"}
KERNEL_LABELS = {
    "example": "The example's filter",
    "same-rng": "Draw after the input (same generator)",
    "generate": "Generate (own seed)",
    "preset": "Named kernel(s)",
    "upload": "Upload",
}
bind = state.bind


def input_section() -> Upload | None:
    """Where the input comes from; the upload, when that is the source."""
    s = state.current()
    st.header("1 · Input")
    st.radio("source", list(SOURCE_LABELS), format_func=SOURCE_LABELS.get, horizontal=True,
             **bind("source"))  # fmt: skip
    if s.source == "example":
        st.selectbox("example", list(examples.EXAMPLES), **bind("example"))
        st.caption(examples.EXAMPLES[s.example].description)
        return None
    if s.source == "upload":
        upload = uploads.uploader("input file", "x_upload", bank=False)
        _layout_choice("x_layout", INPUT_LAYOUTS, "HWC")
        return upload
    st.selectbox("distribution", INPUT_KINDS, **bind("distribution"))
    if s.distribution == "pattern":
        st.selectbox("pattern", generate.PATTERNS, **bind("pattern"))
    st.text_input("shape (H×W or H×W×C)", **bind("shape"))
    if s.distribution != "pattern":
        c1, c2 = st.columns(2)
        c1.number_input("seed", min_value=0, step=1, **bind("seed"))
        c2.selectbox("round to decimals", ["none", *map(str, range(7))], **bind("decimals"))
        if s.distribution != "normal":
            c1.number_input("low", **bind("low"))
            c2.number_input("high", **bind("high"))
    return None


def filter_section() -> Upload | None:
    """Where the filter comes from; the upload, when that is the source."""
    s = state.current()
    st.header("2 · Filter")
    st.radio("filter source", s.kernel_sources(), format_func=KERNEL_LABELS.get,
             **bind("kernel_source"))  # fmt: skip
    if s.kernel_source == "preset":
        st.multiselect(
            "named kernels (one filter each)", list(kernels.KERNELS),
            help="On a multi-channel input each acts on the channel mean.", **bind("presets"),
        )  # fmt: skip
        for name in s.presets:
            st.caption(f"**{name}**: {kernels.KERNELS[name]}")
        if set(s.presets) & set(kernels.SIZED_KERNELS):
            c1, c2 = st.columns(2)
            c1.number_input("size", min_value=1, max_value=31, step=2, **bind("kernel_size"))
            if "gaussian" in s.presets:
                c2.number_input("sigma", min_value=0.1, max_value=20.0, step=0.1,
                                **bind("sigma"))  # fmt: skip
    elif s.kernel_source in ("same-rng", "generate"):
        c1, c2, c3 = st.columns(3)
        c1.number_input("KH", min_value=1, max_value=63, step=1, **bind("kernel_shape", 0))
        c2.number_input("KW", min_value=1, max_value=63, step=1, **bind("kernel_shape", 1))
        c3.number_input("filters", min_value=1, max_value=16, step=1, **bind("filters"))
        if s.kernel_source == "generate":
            st.number_input("filter seed", min_value=0, step=1, **bind("kernel_seed"))
        else:
            st.caption(
                "Drawn from the input's generator right after the input, as in the exercise."
            )
    elif s.kernel_source == "upload":
        upload = uploads.uploader("filter file", "k_upload", bank=True)
        _layout_choice("k_layout", FILTER_LAYOUTS, "HWIO")
        return upload
    return None


def _layout_choice(name: str, options: tuple[str, ...], used: str) -> None:
    """The axis order an upload is read in, and what the page makes of it."""
    st.radio(
        "array layout", options, format_func=layouts.LABELS.get, **bind(name),
        help="How the file's axes are ordered; it is moved to channels-last when read.",
    )  # fmt: skip
    if getattr(state.current(), name) != used:
        st.caption(
            f"Moved to {layouts.LABELS[used]} when read: the figures, downloads and exported "
            "code use that order."
        )


def _switch(name: str, value: str) -> None:
    state.replace(state.current().with_value(name, value))


def _hint(name: str, what: str, shape: tuple[int, ...], other: str | None) -> None:
    """Offer the other layout when the uploaded shape looks like it."""
    if other is None:
        return
    current = getattr(state.current(), name)
    st.info(
        f"The {what}'s shape {layouts.shape_text(shape)} looks like {layouts.SHORT[other]}, "
        f"but it is read as {layouts.SHORT[current]}.",
        icon=":material/swap_horiz:",
    )
    st.button(f"Read the {what} as {layouts.SHORT[other]}", key=f"switch.{name}", on_click=_switch,
              args=(name, other))  # fmt: skip


def parameter_section() -> None:
    """Stride, dilation, padding, pad mode, flip and method."""
    s = state.current()
    st.header("3 · Parameters")
    # A row of columns per pair, so the tab order is the reading order (row by row).
    c1, c2 = st.columns(2)
    c1.number_input("stride (rows)", min_value=1, max_value=64, step=1, **bind("stride", 0))
    c2.number_input("stride (cols)", min_value=1, max_value=64, step=1, **bind("stride", 1))
    c1, c2 = st.columns(2)
    c1.number_input("dilation (rows)", min_value=1, max_value=32, step=1, **bind("dilation", 0))
    c2.number_input("dilation (cols)", min_value=1, max_value=32, step=1, **bind("dilation", 1))
    c1, c2 = st.columns(2)
    c1.selectbox("padding", PADDINGS, **bind("padding"))
    c2.selectbox("pad mode", PAD_MODES, **bind("pad_mode"))
    if s.padding == "custom":
        for i, (col, side) in enumerate(
            zip(st.columns(4), ("top", "bottom", "left", "right"), strict=True)
        ):
            col.number_input(side, min_value=0, max_value=512, step=1, **bind("pad", i))
    st.toggle("true convolution (flip the kernel 180°)", **bind("flip"))
    st.selectbox("method", METHODS, help="auto picks direct or FFT by size.",
                 **bind("method"))  # fmt: skip


def settings_file() -> None:
    """Load a settings.json back, and say what a link can and cannot carry."""
    with st.expander("Settings file and links"):
        st.file_uploader("load settings.json", type=["json"], key="settings_json",
                         on_change=state.load_json, args=("settings_json",))  # fmt: skip
        st.caption(
            "Every setting is in the address bar: copy the link to share this view. "
            "Uploaded files and in-place edits are not: share them as files."
        )


def arrays(
    x_upload: Upload | None, k_upload: Upload | None, x_slot, k_slot
) -> tuple[np.ndarray, str, np.ndarray, str]:
    """Input and filter (with in-place edits) for the current settings; ValueError if not."""
    s = state.current()
    if s.source == "upload":
        x, x_id, shape = uploads.read(x_upload, "input", s.x_layout)
        with x_slot:
            for note in uploads.reading_notes(x_upload, "input", s.x_layout):
                st.caption(note)
            _hint("x_layout", "input", shape, layouts.input_hint(shape, s.x_layout))
    else:
        x, x_id = result.input_array(s)
    with x_slot:
        x, x_id = editors.edited(x, x_id, "input", "edit_x")
    if s.kernel_source == "upload":
        k, k_id, shape = uploads.read(k_upload, "filter", s.k_layout)
        channels = x.shape[2] if x.ndim == 3 else 1
        with k_slot:
            for note in uploads.reading_notes(k_upload, "filter", s.k_layout):
                st.caption(note)
            _hint("k_layout", "filter", shape, layouts.filter_hint(shape, s.k_layout, channels))
    else:
        k, k_id = result.kernel_array(s, x, x_id)
    with k_slot:
        k, k_id = editors.edited(k, k_id, "filter", "edit_k")
    return x, x_id, k, k_id


def convolved(x_upload: Upload | None, k_upload: Upload | None, x_slot, k_slot):
    """The current settings' result, or None and the message saying what to change.

    Returns ``(Result | None, str | None)``; ``conv``, ``conv.io`` and the work budget report
    bad input as ``ValueError``.
    """
    try:
        x, x_id, k, k_id = arrays(x_upload, k_upload, x_slot, k_slot)
        return result.convolve(state.current(), x, x_id, k, k_id), None
    except ValueError as exc:
        return None, str(exc)
