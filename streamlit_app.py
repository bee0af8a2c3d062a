"""convscope: see every step of a 2-D convolution, explain any output cell, download it.

Run with ``streamlit run streamlit_app.py``. The page reads top to bottom:
inputs in the sidebar, results in the main area. All numerics live in
``conv``; this file only arranges widgets, state and figures.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time

import numpy as np
import pandas as pd
import streamlit as st

import conv
from conv import examples, figure_size, figures, generate, kernels, snippets
from conv import io as conv_io
from conv.io import limits
from conv.recipe import (
    DISTRIBUTIONS,
    METHODS,
    PAD_MODES,
    PADDINGS,
    Recipe,
    example_settings,
)

# Arrays up to this many cells per channel can be edited in place.
EDITABLE_CELLS = 20 * 20
SOURCE_LABELS = {"example": "Example", "generate": "Generate", "upload": "Upload"}
KERNEL_LABELS = {
    "example": "The example's filter",
    "same-rng": "Draw after the input (same generator)",
    "generate": "Generate (own seed)",
    "preset": "Named kernel(s)",
    "upload": "Upload",
}
PLAY_SECONDS = 0.6

st.set_page_config(page_title="convscope", page_icon="🔍", layout="wide")
ss = st.session_state


# ---------------------------------------------------------------------------
# Settings <-> widgets. Widget keys are named after Recipe fields.


def widget_values(r: Recipe) -> dict:
    """Widget key -> value for the settings ``r``."""
    return {
        "source": r.source,
        "example": r.example,
        "distribution": r.distribution,
        "pattern": r.pattern,
        "shape": "x".join(map(str, r.shape)),
        "seed": r.seed,
        "decimals": "none" if r.decimals is None else str(r.decimals),
        "low": float(r.low),
        "high": float(r.high),
        "kernel_source": r.kernel_source,
        "presets": list(r.presets),
        "kernel_size": r.kernel_size,
        "sigma": float(r.sigma),
        "kh": r.kernel_shape[0],
        "kw": r.kernel_shape[1],
        "filters": r.filters,
        "kernel_seed": r.kernel_seed,
        "stride_r": r.stride[0],
        "stride_c": r.stride[1],
        "padding": r.padding,
        "pad_t": r.pad[0],
        "pad_b": r.pad[1],
        "pad_l": r.pad[2],
        "pad_r": r.pad[3],
        "dil_r": r.dilation[0],
        "dil_c": r.dilation[1],
        "pad_mode": r.pad_mode,
        "flip": r.flip,
        "method": r.method,
        "cell_row": r.cell[0],
        "cell_col": r.cell[1],
    }


def recipe_from_widgets() -> Recipe:
    """The settings the widgets show now; ValueError names a bad one."""
    shape_text = ss.shape.strip().lower().replace("×", "x").replace(" ", "")
    try:
        shape = tuple(int(s) for s in shape_text.split("x"))
    except ValueError:
        shape = ()
    if len(shape) not in (2, 3) or min(shape, default=0) < 1:
        raise ValueError(f"shape must be H×W or H×W×C with positive sizes, got {ss.shape!r}")
    if int(np.prod(shape)) > limits.MAX_CELLS:
        raise ValueError(f"shape {ss.shape!r} has more than {limits.MAX_CELLS:,} cells")
    return Recipe(
        source=ss.source,
        example=ss.example,
        distribution=ss.distribution,
        pattern=ss.pattern,
        shape=shape,
        seed=int(ss.seed),
        decimals=None if ss.decimals == "none" else int(ss.decimals),
        low=float(ss.low),
        high=float(ss.high),
        kernel_source=ss.kernel_source,
        presets=tuple(ss.presets),
        kernel_size=int(ss.kernel_size),
        sigma=float(ss.sigma),
        kernel_shape=(int(ss.kh), int(ss.kw)),
        filters=int(ss.filters),
        kernel_seed=int(ss.kernel_seed),
        stride=(int(ss.stride_r), int(ss.stride_c)),
        padding=ss.padding,
        pad=(int(ss.pad_t), int(ss.pad_b), int(ss.pad_l), int(ss.pad_r)),
        dilation=(int(ss.dil_r), int(ss.dil_c)),
        pad_mode=ss.pad_mode,
        flip=bool(ss.flip),
        method=ss.method,
        cell=(int(ss.cell_row), int(ss.cell_col)),
    )


def kernel_sources(source: str, distribution: str) -> list[str]:
    """Filter sources that make sense for this input source."""
    options = ["generate", "preset", "upload"]
    if source == "generate" and distribution != "pattern":
        options.insert(0, "same-rng")
    if source == "example":
        options.insert(0, "example")
    return options


def apply_example(name: str) -> None:
    """Move the parameter widgets to an example's own settings."""
    values = widget_values(dataclasses.replace(Recipe(), **example_settings(name)))
    for key in ("kernel_source", "stride_r", "stride_c", "dil_r", "dil_c", "pad_mode", "flip"):
        ss[key] = values[key]
    for key in ("padding", "pad_t", "pad_b", "pad_l", "pad_r", "cell_row", "cell_col"):
        ss[key] = values[key]
    ss.applied_example = name


if "started" not in ss:
    # First run of a session: the URL decides where we start.
    try:
        start = Recipe.from_query(st.query_params.to_dict())
    except ValueError as error:
        ss.url_error = f"The link's settings could not be read: {error}. Showing the defaults."
        start = Recipe()
    ss.update(widget_values(start))
    ss.applied_example = start.example
    ss.started = True
else:
    # Streamlit drops the state of widgets that were not drawn in a run;
    # re-assigning keeps choices of hidden controls (e.g. the seed while an
    # example is shown) for when they come back.
    for key in [*widget_values(Recipe()), "cell_filter", "step_on", "step_index"]:
        if key in ss:
            ss[key] = ss[key]

# A click on the output heatmap picks the explained cell; it is read here,
# before the row/col inputs are drawn, so they can show it.
clicked = (ss.get("out_chart") or {}).get("selection", {}).get("points", [])
if clicked:
    point = clicked[0]
    data = point.get("customdata") or [0]
    # Streamlit hands a customdata row over as {"0": ..., "1": ...}.
    f_clicked = data.get("0", 0) if isinstance(data, dict) else data[0]
    click = (round(float(point["y"])), round(float(point["x"])), int(f_clicked))
    if click != ss.get("last_click"):
        ss.cell_row, ss.cell_col, ss.cell_filter = click
        ss.step_on = False
    ss.last_click = click

if ss.source == "example" and ss.example != ss.applied_example:
    apply_example(ss.example)
if ss.kernel_source not in kernel_sources(ss.source, ss.distribution):
    ss.kernel_source = kernel_sources(ss.source, ss.distribution)[0]


# ---------------------------------------------------------------------------
# Pure work, cached. Arrays are identified by the settings that made them
# (plus the upload's id and any edits), not by hashing megabytes each run.
# They are cached as shared read-only objects: st.cache_data would unpickle a
# fresh copy of a 1024x1024x3 input on every re-run.


def frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@st.cache_resource(max_entries=8, show_spinner=False)
def read_upload(
    file_id: str, name: str, key: str | None, max_ndim: int, _data: bytes
) -> np.ndarray:
    return frozen(conv_io.read_array(_data, name, key=key, max_ndim=max_ndim))


@st.cache_data(max_entries=8, show_spinner=False)
def npz_names(file_id: str, _data: bytes) -> list[str]:
    return conv_io.npz_names(_data)


@st.cache_resource(max_entries=8, show_spinner=False)
def build_input(settings: str, _recipe: Recipe) -> np.ndarray:
    return frozen(np.array(_recipe.build_input()))


@st.cache_resource(max_entries=8, show_spinner=False)
def build_kernel(settings: str, x_shape: tuple, _recipe: Recipe, _x: np.ndarray) -> np.ndarray:
    return frozen(np.array(_recipe.build_kernel(_x)))


@st.cache_resource(max_entries=16, show_spinner=False)
def convolve(x_id: str, k_id: str, params: str, _x, _k, _kwargs) -> np.ndarray:
    shape = conv.output_shape(
        _x.shape, _k.shape, **{k: _kwargs[k] for k in ("stride", "padding", "dilation")}
    )
    cells = int(np.prod(shape))  # (OH, OW, F) for a filter bank: F is counted once
    if cells > limits.MAX_OUTPUT_CELLS:
        raise ValueError(
            f"the output would have {cells:,} cells, more than {limits.MAX_OUTPUT_CELLS:,}"
        )
    return frozen(conv.conv2d(_x, _k, **_kwargs))


@st.cache_resource(max_entries=16, show_spinner=False)
def padded_input(x_id: str, pads: tuple, pad_mode: str, _x: np.ndarray) -> np.ndarray:
    return frozen(conv.pad(_x, pads, pad_mode))


@st.cache_data(max_entries=16, show_spinner=False)
def reproducing_code(x_id: str, k_id: str, settings: str, library: str, _recipe, _x, _k) -> str:
    # Checking that the generator calls give the arrays back redraws them.
    write = snippets.numpy_code if library == "numpy" else snippets.torch_code
    return write(_recipe, _x, _k)


def input_settings(r: Recipe) -> Recipe:
    """``r`` with everything that does not shape the input set to defaults."""
    keep = ("source", "example", "distribution", "pattern", "shape", "seed", "decimals")
    keep += ("low", "high")
    return Recipe(**{f: getattr(r, f) for f in keep})


def kernel_settings(r: Recipe) -> Recipe:
    """``r`` without the convolution parameters (they do not shape the filter)."""
    return dataclasses.replace(
        r, stride=(1, 1), padding="valid", pad=(0, 0, 0, 0), dilation=(1, 1),
        pad_mode="zeros", flip=False, method="auto", cell=(0, 0),
    )  # fmt: skip


def fingerprint(array: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(array).tobytes(), digest_size=8).hexdigest()


# ---------------------------------------------------------------------------
# Sidebar widgets.


def upload_help(bank: bool) -> str:
    """What an uploader reads, in the words of ``conv.io`` and its limits."""
    formats = ", ".join(f".{ext}" for ext in conv_io.UPLOAD_TYPES)
    lines = [
        f"Reads {formats}.",
        "CSV/TSV/TXT: one matrix row per line; a single line is read as a 1×N row, "
        "one value per line as an N×1 column.",
        "A multi-channel (H, W, C) array as CSV: the long form `row,col,channel,value`, "
        "one cell per line, 0-based indices.",
    ]
    if bank:
        lines.append(
            "A filter bank (KH, KW, C, F): .npy/.npz, or CSV long form "
            "`row,col,channel,filter,value`, 0-based."
        )
    lines.append(f"At most {limits.MAX_UPLOAD_MB} MB and {limits.MAX_CELLS:,} cells per array.")
    return "\n\n".join(lines)


def uploaded_file(label: str, key: str, bank: bool) -> tuple | None:
    """(file_id, name, npz key, bytes) of the latest upload under ``key``.

    ``bank``: the file may hold a 4-D filter bank (the filter uploader).

    Kept in the session, so switching to another source and back does not
    lose it. Reading happens later, where errors are shown.
    """
    file = st.file_uploader(
        label, type=conv_io.UPLOAD_TYPES, key=f"{key}_file", help=upload_help(bank)
    )
    if file is not None:
        ss[f"{key}_kept"] = (file.file_id, file.name, file.getvalue())
    kept = ss.get(f"{key}_kept")
    if kept is None:
        return None
    file_id, name, data = kept
    npz_key = None
    if name.lower().endswith(".npz"):
        try:
            names = npz_names(file_id, data)
        except ValueError:
            names = []  # read_array reports what is wrong with the file
        if names:
            npz_key = st.selectbox("array in the .npz", names, key=f"{key}_npz")
    if file is None:
        st.caption(f"Using **{name}**, uploaded earlier.")
    return file_id, name, npz_key, data


def read_uploaded(kept: tuple | None, what: str, max_ndim: int) -> tuple[np.ndarray, str]:
    """The uploaded array and an id for caching; ValueError when there is none.

    ``max_ndim`` is 3 for an input (H, W, C) and 4 for a filter bank (KH, KW, C, F).
    """
    if kept is None:
        raise ValueError(f"{what}: choose a file to upload ({what} source is 'Upload')")
    file_id, name, npz_key, data = kept
    array = read_upload(file_id, name, npz_key, max_ndim, data)
    return array, f"upload:{file_id}:{npz_key}"


def edited(array: np.ndarray, label: str, key: str) -> np.ndarray:
    """``array`` with the user's in-place edits (small arrays only)."""
    a = array if array.ndim > 2 else array[:, :, None]
    a = a.reshape(a.shape[0], a.shape[1], -1)
    if a.shape[0] * a.shape[1] > EDITABLE_CELLS or a.shape[2] > 8:
        return array
    with st.expander(f"Edit {label} values"):
        trailing = list(np.ndindex(array.shape[2:]))
        names = (
            [f"[:, :, {', '.join(map(str, i))}]" for i in trailing]
            if len(trailing) > 1
            else [label]
        )
        slices = []
        # Tabs keep every editor drawn, so edits to one slice survive
        # looking at another.
        for i, tab in enumerate(st.tabs(names)):
            with tab:
                frame = pd.DataFrame(a[:, :, i])
                frame.columns = frame.columns.astype(str)
                result = st.data_editor(frame, key=f"{key}_{fingerprint(array)}_{i}")
                slices.append(result.to_numpy(dtype=float))
    out = np.stack(slices, axis=2).reshape(array.shape).astype(np.result_type(array, float))
    if np.isnan(out).any():
        raise ValueError(f"{label}: every edited cell needs a number")
    return out


with st.sidebar:
    st.header("1 · Input")
    st.radio(
        "source", list(SOURCE_LABELS), key="source",
        format_func=SOURCE_LABELS.get, horizontal=True,
    )  # fmt: skip
    x_upload = None
    if ss.source == "example":
        st.selectbox("example", list(examples.EXAMPLES), key="example")
        st.caption(examples.EXAMPLES[ss.example].description)
    elif ss.source == "generate":
        options = list(DISTRIBUTIONS)
        st.selectbox("distribution", options, key="distribution")
        if ss.distribution == "pattern":
            st.selectbox("pattern", generate.PATTERNS, key="pattern")
        st.text_input("shape (H×W or H×W×C)", key="shape")
        if ss.distribution != "pattern":
            c1, c2 = st.columns(2)
            c1.number_input("seed", min_value=0, step=1, key="seed")
            c2.selectbox("round to decimals", ["none", "0", "1", "2", "3", "4"], key="decimals")
            if ss.distribution != "normal":
                c1.number_input("low", key="low")
                c2.number_input("high", key="high")
    else:
        x_upload = uploaded_file("input file", "x_upload", bank=False)
    x_edit_slot = st.container()

    st.header("2 · Filter")
    st.radio(
        "filter source", kernel_sources(ss.source, ss.distribution),
        key="kernel_source", format_func=KERNEL_LABELS.get,
    )  # fmt: skip
    k_upload = None
    if ss.kernel_source == "preset":
        st.multiselect(
            "named kernels (one filter each)", list(kernels.KERNELS), key="presets",
            help="On a multi-channel input each acts on the channel mean.",
        )  # fmt: skip
        for name in ss.presets:
            st.caption(f"**{name}**: {kernels.KERNELS[name]}")
        if set(ss.presets) & set(kernels.SIZED_KERNELS):
            c1, c2 = st.columns(2)
            c1.number_input("size", min_value=1, max_value=31, step=2, key="kernel_size")
            if "gaussian" in ss.presets:
                c2.number_input("sigma", min_value=0.1, step=0.1, key="sigma")
    elif ss.kernel_source in ("same-rng", "generate"):
        c1, c2, c3 = st.columns(3)
        c1.number_input("KH", min_value=1, max_value=63, step=1, key="kh")
        c2.number_input("KW", min_value=1, max_value=63, step=1, key="kw")
        c3.number_input("filters", min_value=1, max_value=16, step=1, key="filters")
        if ss.kernel_source == "generate":
            st.number_input("filter seed", min_value=0, step=1, key="kernel_seed")
        else:
            st.caption(
                "Drawn from the input's generator right after the input, as in the exercise."
            )
    elif ss.kernel_source == "upload":
        k_upload = uploaded_file("filter file", "k_upload", bank=True)
    k_edit_slot = st.container()

    st.header("3 · Parameters")
    c1, c2 = st.columns(2)
    c1.number_input("stride (rows)", min_value=1, max_value=64, step=1, key="stride_r")
    c2.number_input("stride (cols)", min_value=1, max_value=64, step=1, key="stride_c")
    c1.number_input("dilation (rows)", min_value=1, max_value=32, step=1, key="dil_r")
    c2.number_input("dilation (cols)", min_value=1, max_value=32, step=1, key="dil_c")
    c1.selectbox("padding", PADDINGS, key="padding")
    c2.selectbox("pad mode", PAD_MODES, key="pad_mode")
    if ss.padding == "custom":
        p = st.columns(4)
        for col, (key, label) in zip(
            p, [("pad_t", "top"), ("pad_b", "bottom"), ("pad_l", "left"), ("pad_r", "right")],
            strict=True,
        ):  # fmt: skip
            col.number_input(label, min_value=0, max_value=512, step=1, key=key)
    st.toggle("true convolution (flip the kernel 180°)", key="flip")
    st.selectbox("method", METHODS, key="method", help="auto picks direct or FFT by size.")
    st.caption("Every setting is in the address bar: copy the link to share this view.")


# ---------------------------------------------------------------------------
# Main area.

st.title("convscope")
st.caption(
    "2-D convolution as in CNNs (cross-correlation), step by step: pick an input and a "
    "filter on the left, click any output cell to see the arithmetic behind it."
)
if "url_error" in ss:
    st.warning(ss.pop("url_error"))

error = None
try:
    recipe = recipe_from_widgets()
    if recipe.source == "upload":
        x, x_id = read_uploaded(x_upload, "input", max_ndim=3)
    else:
        x_id = input_settings(recipe).to_json()
        x = build_input(x_id, input_settings(recipe))
    with x_edit_slot:
        x_edit = edited(x, "input", "edit_x")
    if x_edit is not x:
        x, x_id = x_edit, "edited:" + fingerprint(x_edit)
    if recipe.kernel_source == "upload":
        k, k_id = read_uploaded(k_upload, "filter", max_ndim=4)
    else:
        k_id = kernel_settings(recipe).to_json()
        k = build_kernel(k_id, x.shape, kernel_settings(recipe), x)
    with k_edit_slot:
        k_edit = edited(k, "filter", "edit_k")
    if k_edit is not k:
        k, k_id = k_edit, "edited:" + fingerprint(k_edit)
    kwargs = recipe.conv_kwargs()
    out = convolve(x_id, k_id, repr(kwargs), x, k, kwargs)
    pads = conv.resolve_padding(
        x.shape, k.shape, stride=recipe.stride, padding=recipe.padding_arg,
        dilation=recipe.dilation,
    )  # fmt: skip
    ss.last_good = {
        "recipe": recipe, "x": x, "k": k, "out": out, "x_id": x_id, "k_id": k_id, "pads": pads,
    }  # fmt: skip
except ValueError as exc:  # conv and conv.io report bad input as ValueError
    error = str(exc)
    recipe = None
except Exception as exc:  # the boundary: whatever else, a message and not a traceback
    error = f"Could not compute this ({type(exc).__name__}): {exc}"
    recipe = None

# Mirror every control in the address bar, so a copied link reopens this view.
if recipe is not None and st.query_params.to_dict() != recipe.to_query():
    st.query_params.from_dict(recipe.to_query())

if error:
    st.error(error, icon="⚠️")
if "last_good" not in ss:
    st.info("Nothing to show yet: change the setting named above, in the sidebar on the left.")
    st.stop()
if error:
    st.caption("Showing the last valid result.")

good = ss.last_good
recipe, x, k, out, pads = good["recipe"], good["x"], good["k"], good["out"], good["pads"]
oh, ow = out.shape[:2]
n_filters = out.shape[2] if out.ndim == 3 else 1

# -- the output-shape arithmetic, with the user's numbers
st.subheader("Shape arithmetic")
kh, kw = k.shape[:2]
(top, bottom), (left, right) = pads
lines = []
for axis, size, before, after, kern, s, d, o in (
    ("rows", x.shape[0], top, bottom, kh, recipe.stride[0], recipe.dilation[0], oh),
    ("cols", x.shape[1], left, right, kw, recipe.stride[1], recipe.dilation[1], ow),
):
    span = d * (kern - 1) + 1
    span_text = f"{span}" if d == 1 else f"({d}·({kern}−1)+1)"
    lines.append(
        f"**{axis}**: ⌊({size} + {before + after} − {span_text})/{s}⌋ + 1 = **{o}**"
        f" &nbsp;·&nbsp; padding {before} before, {after} after"
    )
shape_cols = st.columns([3, 2])
shape_cols[0].markdown("  \n".join(lines))
filter_word = f" × {n_filters} filters" if n_filters > 1 else ""
shape_cols[1].markdown(
    f"input **{' × '.join(map(str, x.shape))}**, filter **{' × '.join(map(str, k.shape))}**"
    f" → output **{oh} × {ow}**{filter_word}"
)
miss_r, miss_c = conv.unreached(
    x.shape, k.shape, stride=recipe.stride, padding=recipe.padding_arg, dilation=recipe.dilation
)
if miss_r or miss_c:
    st.info(
        f"The window never reaches the last {miss_r} row(s) and {miss_c} column(s) of the "
        "input: the stride does not divide the remaining span (floor rounding)."
    )

ss.cell_row = min(max(int(ss.cell_row), 0), oh - 1)
ss.cell_col = min(max(int(ss.cell_col), 0), ow - 1)
ss.cell_filter = min(int(ss.get("cell_filter", 0)), n_filters - 1)
ss.setdefault("step_index", 0)
ss.step_index = min(int(ss.step_index), oh * ow - 1)
if ss.get("playing"):
    # One window position per run; play stops on the last one and starts
    # over when turned on there.
    ss.step_on = True
    last = oh * ow - 1
    ss.step_index = 0 if ss.step_index >= last else ss.step_index + 1
    if ss.step_index >= last:
        ss.playing = False
stepping = bool(ss.get("step_on"))
if stepping:
    row, col = divmod(int(ss.step_index), ow)
else:
    row, col = int(ss.cell_row), int(ss.cell_col)
f_index = int(ss.cell_filter)

explanation = conv.explain_cell(
    x, k, row, col, filter_index=f_index, stride=recipe.stride, padding=recipe.padding_arg,
    dilation=recipe.dilation, pad_mode=recipe.pad_mode, flip=recipe.flip,
)  # fmt: skip

# -- heatmaps
st.subheader("Input, filter and output")
# -- step through: the window walks the input, the output fills in
s1, s2, s3 = st.columns([1, 1, 4])
s1.toggle("step mode", key="step_on", help="Fill the output one window position at a time.")
s2.toggle("▶ play", key="playing")
s3.slider("window position (row-major)", 0, oh * ow - 1, key="step_index", disabled=oh * ow == 1)

padded = padded_input(good["x_id"], pads, recipe.pad_mode, x)
has_padding = any(v for side in pads for v in side)
padding_note = f"input, {recipe.pad_mode} padding hatched; " if has_padding else "input; "
flip_note = " (used flipped 180°)" if recipe.flip else ""
k_figure = figures.kernel_figure(k, title="filter" + flip_note)
# Figures are as large as their cells need (small arrays stay compact) and
# flow left to right, wrapping like text: the exercise's input, filter and
# output share one row; a large input gets its own, and the output sits next
# to the filter unless that would draw it too small.
with st.container(horizontal=True, gap="small"):
    st.plotly_chart(
        figures.array_figure(
            x, title=padding_note + f"window of output ({row}, {col}) outlined",
            padded=padded, padding=pads, window=explanation,
        ),
        key="in_chart", width="content",
    )  # fmt: skip
    st.plotly_chart(k_figure, key="k_chart", width="content")
    st.plotly_chart(
        figures.output_figure(
            out, title="output — click a cell", selected=(row, col),
            filled=row * ow + col + 1 if stepping else None,
            max_width=figure_size.output_width(out.shape, beside=k_figure.layout.width),
        ),
        key="out_chart", on_select="rerun", selection_mode="points", width="content",
    )  # fmt: skip

# -- explain a cell
st.subheader(f"Explain output cell ({row}, {col})")
c1, c2, c3, c4 = st.columns([1, 1, 1, 3])
c1.number_input("row", min_value=0, max_value=oh - 1, step=1, key="cell_row", disabled=stepping)
c2.number_input("col", min_value=0, max_value=ow - 1, step=1, key="cell_col", disabled=stepping)
c3.number_input("filter", min_value=0, max_value=n_filters - 1, step=1, key="cell_filter")
taps = explanation.products.size
c4.markdown(
    f"{taps} products (window × kernel), summed: **{explanation.value:.6g}**"
    f" = output[{row}, {col}{', ' + str(f_index) if n_filters > 1 else ''}]"
)
table = figures.products_table(explanation)
st.dataframe(
    table, hide_index=True, height=min(35 * (len(table) + 1) + 3, 420),
    column_config={c: st.column_config.NumberColumn(format="%.4g") for c in ("x", "w", "x·w")},
)  # fmt: skip

# -- downloads
st.subheader("Download")
downloads = [
    ("output .csv", lambda: conv_io.to_csv(out), "output.csv", "text/csv"),
    ("output .npy", lambda: conv_io.to_npy(out), "output.npy", "application/octet-stream"),
    ("input .csv", lambda: conv_io.to_csv(x), "input.csv", "text/csv"),
    ("input .npy", lambda: conv_io.to_npy(x), "input.npy", "application/octet-stream"),
    ("filter .npy", lambda: conv_io.to_npy(k), "filter.npy", "application/octet-stream"),
    ("filter .csv", lambda: conv_io.to_csv(k), "filter.csv", "text/csv"),
    ("settings .json", recipe.to_json, "settings.json", "application/json"),
]
for column, (label, make, filename, mime) in zip(st.columns(7), downloads, strict=True):
    # Made only when clicked: CSV costs about 0.8 s per million cells, which
    # every re-run would pay if the files were made here. to_csv and to_npy
    # take every shape an input, filter bank or output can have.
    column.download_button(label, make, filename, mime, on_click="ignore")

# -- reproduce
st.subheader("Reproduce it")
numpy_tab, torch_tab = st.tabs(["numpy", "torch.nn.functional.conv2d"])
# The code does not depend on the explained cell; leave it out of the cache key.
code_key = (good["x_id"], good["k_id"], dataclasses.replace(recipe, cell=(0, 0)).to_json())
numpy_tab.code(reproducing_code(*code_key, "numpy", recipe, x, k), language="python")
torch_tab.code(reproducing_code(*code_key, "torch", recipe, x, k), language="python")
st.caption(
    "Arrays too large to print are loaded from the .npy downloads above; "
    "the code was checked against the arrays shown here."
)

if ss.get("playing"):
    time.sleep(PLAY_SECONDS)
    st.rerun()
