"""The Convolve page's result parts: figures with one cell explained, stepping, downloads, code.

:func:`view` is a fragment: a click on the output, the row/col inputs and
the play timer rerun only it. Play is timed, not counted: the position is
where the window would be after the elapsed time at the chosen speed, so a
slow redraw skips cells rather than slowing play down.
"""

from __future__ import annotations

import dataclasses
import time

import pyarrow as pa
import streamlit as st

import conv
from conv import io as conv_io
from conv.app import figure_size, figures, snippets, state, texts, zoomed
from conv.app.guard import guarded
from conv.app.lazy_figure import pixel_width
from conv.app.result import Result

__all__ = ["CODE_OPEN", "cell_controls", "downloads", "reproduce", "unread", "view"]

SPEEDS = (1, 2, 5, 15, 50, 200)  # cells per second; 15 plays seed-3d's 225 cells in 15 s
# No plotly toolbar over titles; figures keep their size (zoom with the page's zoomed panels).
CONFIG = {"displayModeBar": False}
TICK = 0.25  # seconds between play redraws
# The controls row: step mode, play, speed, previous, next, colours.
CONTROL_WIDTHS = (1.25, 0.9, 1.35, 0.45, 0.45, 1.1)
ss = st.session_state


def _play_toggled() -> None:
    if ss.playing:
        ss.step_on = True
        ss.play_from = (time.monotonic(), int(ss.get("step_index", 0)))


def _step(delta: int, last: int) -> None:
    ss.step_on = True
    ss.playing = False
    ss.step_index = min(max(int(ss.get("step_index", 0)) + delta, 0), last)


def _slid(key: str) -> None:
    ss.step_index = ss[key]
    ss.playing = False


def cell_controls(res: Result, width: float = figure_size.WIDTH) -> None:
    """Step mode, play with a speed, previous/next, the window position, and the colours.

    On a phone they would stack into a screen of their own above the figures:
    there they fold into one line.
    """
    box = st.expander("Step through, play, colours") if width < 600 else st.container()
    with box:
        _cell_controls(res)


def _cell_controls(res: Result) -> None:
    oh, ow = res.out.shape[:2]
    last = oh * ow - 1
    ss.setdefault("step_index", 0)
    if ss.pop("play_done", False):
        ss.playing = False  # play reached the last cell; the toggle is not drawn yet
    if last == 0:
        ss.step_on = ss.playing = False
        # Where the controls' row would be, so "colours" keeps its place and width.
        note, colours = st.columns(
            [sum(CONTROL_WIDTHS[:-1]), CONTROL_WIDTHS[-1]], vertical_alignment="bottom"
        )
        note.caption("A 1×1 output: one window position, nothing to step through.")
        colours.selectbox("colours", list(figures.COLORS), key="colors", help=texts.COLORS_HELP)
        return
    columns = st.columns(list(CONTROL_WIDTHS), vertical_alignment="bottom")
    c1, c2, c3, c4, c5, c6 = columns
    c1.toggle("step mode", key="step_on", help="Fill the output one window position at a time.")
    c2.toggle("▶ play", key="playing", on_change=_play_toggled)
    c3.select_slider("speed (cells/s)", SPEEDS, value=15, key="speed")
    c4.button("◀", help="previous cell", on_click=_step, args=(-1, last))
    c5.button("▶", help="next cell", on_click=_step, args=(1, last))
    c6.selectbox("colours", list(figures.COLORS), key="colors", help=texts.COLORS_HELP)
    if ss.get("step_on"):
        key = f"position.{oh}x{ow}"  # a new slider per output shape: no stale value past its end
        position = min(int(ss.step_index), last)
        st.slider("window position (row-major)", 0, last, value=position, key=key,
                  on_change=_slid, args=(key,))  # fmt: skip


def _clicked(key: str, f: int | None = None) -> None:
    """Explain the clicked cell; ``f`` is the filter when the points do not carry it."""
    click = figures.clicked(ss.get(key))
    if click is None:
        return
    cell, target_f = click
    ss.step_on = ss.playing = False
    f = target_f if f is None else f
    state.replace(dataclasses.replace(state.current(), cell=cell, cell_filter=int(f)))


def _position(last: int) -> int:
    """Where the window is: played on by the clock, or where the user put it."""
    if not ss.get("playing"):
        return min(int(ss.get("step_index", 0)), last)
    started, start = ss.get("play_from", (time.monotonic(), 0))
    speed = ss.get("speed", 15)
    index = 0 if start >= last else start + int((time.monotonic() - started) * speed)
    ss.step_index = min(index, last)
    return ss.step_index


def view(res: Result, width: float = figure_size.WIDTH) -> bool:
    """Draw the figures and the explained cell, as a fragment that play reruns on a timer.

    Returns whether they were drawn; an error inside is one sentence, not a traceback.
    """
    every = TICK if ss.get("playing") else None
    st.fragment(_view, run_every=every)(res, width)
    return ss.pop("view_drawn", False)


def _view(res: Result, width: float) -> None:
    # Guarded inside the fragment: its reruns do not pass through the page's guard.
    with guarded("drawing the result"):
        _draw(res, width)
        ss.view_drawn = True


def _draw(res: Result, width: float) -> None:
    s = state.current()
    oh, ow = res.out.shape[:2]
    last = oh * ow - 1
    stepping = bool(ss.get("step_on")) and last > 0
    if stepping:
        row, col = divmod(_position(last), ow)
        f = min(s.cell_filter, res.filters - 1)
    else:
        row, col, f = (
            min(s.cell[0], oh - 1),
            min(s.cell[1], ow - 1),
            min(s.cell_filter, res.filters - 1),
        )
    p = res.settings
    explanation = conv.explain_cell(
        res.x, res.kernel, row, col, filter_index=f, stride=p.stride, padding=p.padding_arg,
        dilation=p.dilation, pad_mode=p.pad_mode, flip=p.flip,
    )  # fmt: skip
    padded = _padded(res.x_id, res.pads, p.pad_mode, res.x)
    has_padding = any(v for side in res.pads for v in side)
    colors = ss.get("colors", "auto")
    at = f"({row}, {col})" + (f", filter {f}" if res.filters > 1 else "")
    sizes = figure_size.core_loop(width, res.x.shape[2] if res.x.ndim == 3 else 1)
    large = zoomed.is_large(res.out.shape)
    # One wrapping row: the input round the window and the filter, then the
    # output with the cell's products beside it when there is room. A large
    # input or output also gets an overview image (conv.app.zoomed).
    with st.container(horizontal=True, gap="small"):
        st.plotly_chart(
            figures.array_figure(
                res.x, title=f"input at the window of {at}" + (
                    f", {p.pad_mode} padding hatched" if has_padding else ""),
                padded=padded, padding=res.pads, window=explanation, zoom=figures.ZOOM_CELLS,
                unread=unread(res),
                colors=colors, max_width=sizes.input, max_height=sizes.row_height,
            ),
            key="in_chart", width="content", config=CONFIG,
        )  # fmt: skip
        st.plotly_chart(
            figures.kernel_figure(
                res.kernel, title="filter as used (flipped 180°), as given" if p.flip else
                "filter", flip=p.flip, filter_index=f, colors=colors, max_width=sizes.kernel,
                max_height=sizes.row_height,
            ),
            key="k_chart", width="content", config=CONFIG,
        )  # fmt: skip
        key = f"out_chart.{row}.{col}.{f}"  # a new chart per cell: clicking a cell again counts
        region = zoomed.region((row, col), res.out.shape) if large else None
        used = 16
        if large:
            over = f"out_overview.{row}.{col}.{f}"
            overview = zoomed.output_overview(res, f, colors, region, width)
            used += pixel_width(overview) + 16
            st.plotly_chart(
                overview, key=over, on_select=lambda: _clicked(over, f),
                selection_mode="points", width="content", config=CONFIG,
            )  # fmt: skip
        out_width = figure_size.output_width(res.out.shape, beside=sizes.side, width=width)
        out_figure = figures.output_figure(
            res.out, title="output — click a cell", selected=(row, col),
            filled=row * ow + col + 1 if stepping else None, filter_index=f, colors=colors,
            region=region, max_filters=1 if large else figures.MAX_FILTERS,
            max_width=min(out_width, 440) if large else out_width,
            max_height=sizes.output_height,
        )  # fmt: skip
        side = width - pixel_width(out_figure) - used
        side = side if side >= 300 else width  # else below the output, as wide as the page
        st.plotly_chart(
            out_figure,
            key=key, on_select=lambda: _clicked(key), selection_mode="points", width="content",
            config=CONFIG,
        )  # fmt: skip
        whole = zoomed.input_overview(res, explanation, padded, colors, width)
        if whole is not None:
            st.plotly_chart(whole, key="in_overview", width="content", config=CONFIG)
        with st.container(width=int(min(side, 640))):
            clamped = None if stepping else texts.clamped_note(s.cell, (row, col), (oh, ow))
            _products(explanation, at, res.filters > 1, clamped)
    st.caption(texts.LEGEND)
    shown = min(res.filters, figures.MAX_FILTERS)
    clicks = figure_size.drawn_step((oh, ow), figures.MAX_CLICK_TARGETS // shown)
    note = texts.ZOOM_NOTE if large else texts.click_note(res.out.shape, clicks)
    if note:
        st.caption(note)
    if ss.get("playing") and ss.step_index >= last:
        ss.play_done = True
        st.rerun()  # the whole page, so the play timer stops
    state.sync_url(s)


def _products(explanation, at: str, bank: bool, clamped: str | None) -> None:
    """The cell's sum, per channel, and its products (a page at a time when many)."""
    e = explanation
    stepping = bool(ss.get("step_on"))
    st.subheader(f"Explain output cell {at}")
    c1, c2, c3 = st.columns(3)
    c1.number_input("row", min_value=0, step=1, disabled=stepping, **state.bind("cell", 0))
    c2.number_input("col", min_value=0, step=1, disabled=stepping, **state.bind("cell", 1))
    c3.number_input("filter", min_value=0, max_value=15, step=1, disabled=not bank,
                    **state.bind("cell_filter"))  # fmt: skip
    if clamped:
        st.caption(clamped)
    st.markdown(f"{e.products.size:,} products (window × kernel), summed: **{e.value:.6g}**")
    number = st.column_config.NumberColumn(format="%.4g")
    total = e.products.size
    pages = -(-total // figures.PAGE_ROWS)
    page = 0
    if pages > 1:
        page = st.number_input(f"page of products (of {pages:,})", 1, pages, 1) - 1
    table = pa.table(figures.product_columns(e, page * figures.PAGE_ROWS, figures.PAGE_ROWS))
    st.dataframe(
        table, hide_index=True, height=min(35 * (table.num_rows + 1) + 3, 380),
        column_config={c: number for c in ("x", "w", "x·w")},
    )  # fmt: skip
    if e.products.shape[-1] > 1:
        sums = pa.table(figures.channel_columns(e))
        st.caption("Per input channel:")
        st.dataframe(
            sums, hide_index=True, height=min(35 * (sums.num_rows + 1) + 3, 180),
            column_config={"Σ x·w": number},
        )  # fmt: skip


def unread(res: Result) -> tuple:
    """The input rows and columns no tap of any window reads (:func:`conv.unread`)."""
    p = res.settings
    return _unread(res.x.shape, res.kernel.shape, p.stride, p.padding_arg, p.dilation, p.pad_mode)


@st.cache_data(max_entries=32, ttl=1800, show_spinner=False)
def _unread(x_shape, k_shape, stride, padding, dilation, pad_mode) -> tuple:
    return conv.unread(
        x_shape, k_shape, stride=stride, padding=padding, dilation=dilation, pad_mode=pad_mode
    )


@st.cache_resource(max_entries=4, ttl=600, show_spinner=False)
def _padded(x_id: str, pads: tuple, pad_mode: str, _x):
    if not any(v for side in pads for v in side):
        return _x  # nothing to add: no copy of a large input
    out = conv.pad(_x, pads, pad_mode)
    out.setflags(write=False)
    return out


def downloads(res: Result) -> None:
    """Output, input, filter and settings as files, made only when clicked."""
    st.subheader("Download")
    out, x, k = res.out, res.x, res.kernel
    files = [
        ("output .csv", lambda: conv_io.to_csv(out), "output.csv", "text/csv"),
        ("output .npy", lambda: conv_io.to_npy(out), "output.npy", "application/octet-stream"),
        ("input .csv", lambda: conv_io.to_csv(x), "input.csv", "text/csv"),
        ("input .npy", lambda: conv_io.to_npy(x), "input.npy", "application/octet-stream"),
        ("filter .npy", lambda: conv_io.to_npy(k), "filter.npy", "application/octet-stream"),
        ("filter .csv", lambda: conv_io.to_csv(k), "filter.csv", "text/csv"),
        ("settings .json", res.settings.to_json, "settings.json", "application/json"),
    ]
    # One row that wraps (seven columns would stack seven full-width buttons on a phone).
    with st.container(horizontal=True, gap="small"):
        for label, make, filename, mime in files:
            # Made only when clicked: CSV costs about 0.8 s per million cells.
            st.download_button(label, make, filename, mime, on_click="ignore")


@st.cache_data(max_entries=16, ttl=1800, show_spinner=False)
def _code(x_id: str, k_id: str, settings: str, library: str, _s, _x, _k) -> str:
    write = snippets.numpy_code if library == "numpy" else snippets.torch_code
    return write(_s, _x, _k)


#: Session key of the code section's open state.
CODE_OPEN = "code_open"


def reproduce(res: Result) -> None:
    """numpy and torch code that give the same numbers, drawn only while open.

    Highlighted code costs a first paint about a third of a second in the
    browser (``benchmarks/bench_paint.py``), so it waits for a click.
    """
    box = st.expander("Reproduce it: numpy and torch code", key=CODE_OPEN, on_change="rerun")
    if not box.open:
        return
    numpy_tab, torch_tab = box.tabs(["numpy", "torch.nn.functional.conv2d"])
    # The code does not depend on the explained cell: keyed on the work, not the click.
    key, s = res.work_key, res.settings
    numpy_tab.code(_code(*key, "numpy", s, res.x, res.kernel), language="python")
    torch_tab.code(_code(*key, "torch", s, res.x, res.kernel), language="python")
    box.caption(
        "Arrays too large to print are loaded from the .npy downloads above; "
        "the code was checked against the arrays shown here."
    )
