"""The Layer types page's figures and explained cell, for every operation.

Heatmaps come from :mod:`conv.app.figures` (input, filter, output); this
module adds what one operation needs on top of them: the taps of the
explained cell, the max-pool winner and ``ceil_mode``'s overhang, and small
figures of its own (overlap counts, which channels each filter sees).
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import conv
from conv.app import figure_size, figures, state
from conv.app.layers import LayerResult
from conv.app.lazy_figure import pixel_width

__all__ = ["count_figure", "explain", "main_figures", "shape_lines"]

_WINNER = "#009e73"  # Okabe-Ito green: apart from the red-blue scale and the orange padding
_OUTSIDE = "#7f7f7f"
_TAP, _PADDING_TAP = "#111111", "#e69f00"  # as conv.app.figures outlines a window


def _clicked(key: str) -> None:
    click = figures.clicked(st.session_state.get(key))
    if click is not None:
        cell, f = click
        state.replace(dataclasses.replace(state.current(), cell=cell, cell_filter=f))


def explain(res: LayerResult, row: int, col: int, f: int):
    """The library's explanation of output cell (row, col, f) for ``res.op``."""
    p = res.params
    if res.op == "conv":
        return conv.explain_cell(res.x, res.kernel, row, col, filter_index=f, **_explain_kw(p))
    if res.op == "transpose":
        return conv.explain_transpose_cell(res.x, res.kernel, row, col, filter_index=f, **p)
    kw = {k: v for k, v in p.items() if k != "size"}
    return conv.explain_pool_cell(res.x, p["size"], row, col, channel=f, **kw)


def _explain_kw(p: dict) -> dict:
    return {k: p[k] for k in ("stride", "padding", "dilation", "pad_mode", "flip", "groups")}


def pool_frame(res: LayerResult) -> tuple[tuple[int, int], tuple[int, int]]:
    """Padding plus ``ceil_mode``'s overhang past it, per side, as drawn around the input."""
    p, (h, w, _), (oh, ow, _) = res.params, res.x.shape, res.out.shape
    sides = []
    for o, n, k, s, pad, d in zip((oh, ow), (h, w), p["size"], p["stride"], p["padding"],
                                  p["dilation"], strict=True):  # fmt: skip
        sides.append((pad, max((o - 1) * s + d * (k - 1) + 1 - n - pad, pad)))
    return sides[0], sides[1]


def _input_figure(res: LayerResult, e, row: int, col: int, f: int, width: float) -> go.Figure:
    p, x = res.params, res.x
    title = f"input; window of output ({row}, {col}) outlined"
    if res.op == "conv":
        pads = conv.resolve_padding(x.shape, res.kernel.shape, **{
            k: p[k] for k in ("stride", "padding", "dilation", "groups")})  # fmt: skip
        padded = conv.pad(x, pads, p["pad_mode"]) if any(map(any, pads)) else None
        if p["groups"] == 1:
            return figures.array_figure(
                x, title=title, padded=padded, padding=pads, window=e, max_width=width
            )
        # Only the channels of the filter's group are read: outline the window there alone.
        fig = figures.array_figure(
            x, title=f"input; window of ({row}, {col}) on filter {f}'s channels",
            padded=padded, padding=pads, max_width=width,
        )  # fmt: skip
        taps = [((int(r), int(c)), bool(e.is_padding[i, j]))
                for i, r in enumerate(e.rows) for j, c in enumerate(e.cols)]  # fmt: skip
        for channel in e.channels[e.channels < figures.MAX_PANELS]:
            _boxes(fig, [t for t, pad in taps if not pad], int(channel), _TAP)
            _boxes(fig, [t for t, pad in taps if pad], int(channel), _PADDING_TAP)
        return fig
    if res.op == "transpose":
        reach = SimpleNamespace(rows=np.unique(e.rows), cols=np.unique(e.cols))
        reach.is_padding = np.zeros((len(reach.rows), len(reach.cols)), bool)
        return figures.array_figure(
            x,
            title=f"input; cells that paint output ({row}, {col}) outlined",
            window=reach,
            max_width=width,
        )
    (top, bottom), (left, right) = frame = pool_frame(res)
    padded = np.full((x.shape[0] + top + bottom, x.shape[1] + left + right, x.shape[2]), np.nan)
    padded[top : top + x.shape[0], left : left + x.shape[1]] = x
    window = SimpleNamespace(rows=e.rows, cols=e.cols, is_padding=e.is_padding | e.is_outside)
    fig = figures.array_figure(
        x, title=title, padded=padded, padding=frame, window=window, max_width=width
    )
    panel = res.cell()[2]
    if panel < figures.MAX_PANELS:
        if e.winner is not None:
            _mark(fig, [e.winner], panel, "star", _WINNER, "winner")
        outside = [(r, c) for i, r in enumerate(e.rows) for j, c in enumerate(e.cols)
                   if e.is_outside[i, j]]  # fmt: skip
        _mark(fig, outside, panel, "x-thin-open", _OUTSIDE, "past the padding")
    return fig


def _mark(fig: go.Figure, cells, panel: int, symbol: str, color: str, name: str) -> None:
    if not cells:
        return
    suffix = "" if panel == 0 else str(panel + 1)
    fig.add_trace(go.Scatter(
        x=[c for _, c in cells], y=[r for r, _ in cells], mode="markers", name=name,
        marker={"symbol": symbol, "size": 16, "color": color, "line": {"color": color, "width": 2}},
        hoverinfo="skip", xaxis=f"x{suffix}", yaxis=f"y{suffix}",
    ))  # fmt: skip


def _boxes(fig: go.Figure, cells, panel: int, color: str) -> None:
    """Square outlines round ``cells`` on one panel, as one line trace."""
    if not cells:
        return
    xs, ys = [], []
    for r, c in cells:
        xs += [c - 0.45, c + 0.45, c + 0.45, c - 0.45, c - 0.45, None]
        ys += [r - 0.45, r - 0.45, r + 0.45, r + 0.45, r - 0.45, None]
    suffix = "" if panel == 0 else str(panel + 1)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": color, "width": 2},
                             hoverinfo="skip", xaxis=f"x{suffix}", yaxis=f"y{suffix}"))  # fmt: skip


def _filters_to_channels(fig: go.Figure) -> None:
    for name in fig.layout:
        axis = fig.layout[name]
        if name.startswith("xaxis") and axis.title and axis.title.text:
            axis.title.text = axis.title.text.replace("filter", "channel")
    for trace in fig.data:
        if trace.hovertemplate:
            trace.hovertemplate = trace.hovertemplate.replace("filter", "channel")


def main_figures(res: LayerResult, row: int, col: int, f: int, width: float):
    """Input (window outlined), filter and clickable output in one wrapping row; the explanation.

    ``width``: the most a figure may take (px), :func:`figure_size.drawn_width`
    of the main area's. Figures drawn for a desktop and shrunk onto a phone
    would have their values overlap.
    """
    e = explain(res, row, col, f)
    charts = [_input_figure(res, e, row, col, f, width)]
    if res.kernel is not None:
        shape = "×".join(map(str, res.kernel.shape))
        title = f"filter {shape}" + (
            " (channels of each filter's group)"
            if res.op == "conv" and res.params["groups"] > 1
            else ""
        )
        charts.append(figures.kernel_figure(res.kernel, title=title, max_width=width))
    beside = pixel_width(charts[-1]) if res.kernel is not None else 0
    out_fig = figures.output_figure(
        res.out, title="output — click a cell", selected=(row, col),
        max_width=figure_size.output_width(res.out.shape, beside=beside, width=width),
    )  # fmt: skip
    if res.kernel is None:
        _filters_to_channels(out_fig)  # pooling keeps the channels: there are no filters
    key = f"layer_out.{res.op}.{row}.{col}.{f}"  # a new chart per cell: a repeated click counts
    with st.container(horizontal=True, gap="small"):
        for i, chart in enumerate(charts):
            st.plotly_chart(chart, key=f"layer_chart{i}", width="content")
        st.plotly_chart(out_fig, key=key, on_select=lambda: _clicked(key),
                        selection_mode="points", width="content")  # fmt: skip
    return e


def products_table(res: LayerResult, e) -> pd.DataFrame:
    """One row per product (convolutions) or per window tap (pooling)."""
    if res.op == "conv":
        table = figures.products_table(e)
        table["channel"] = e.channels[table["channel"].to_numpy()]  # the input's channel number
        return table
    if res.op == "transpose":
        n, cg = e.values.shape
        i = np.repeat(np.arange(n), cg)
        return pd.DataFrame({
            "input (row, col)": [f"({e.rows[k]}, {e.cols[k]})" for k in i],
            "tap (m, n)": [f"({e.tap_rows[k]}, {e.tap_cols[k]})" for k in i],
            "channel": np.tile(e.channels, n),
            "x": e.values.ravel(), "w": e.weights.ravel(), "x·w": e.products.ravel(),
        })  # fmt: skip
    kh, kw = e.window.shape
    m, n = np.meshgrid(np.arange(kh), np.arange(kw), indexing="ij")
    fill = "-inf" if res.op == "max" else "0"
    where = np.where(e.is_outside, "past the padding: ignored",
                     np.where(e.is_padding, f"padding ({fill})", "input"))  # fmt: skip
    values = np.where(e.is_padding | e.is_outside, np.nan, e.window)  # only input values
    rows, cols = e.rows[m.ravel()], e.cols[n.ravel()]
    winner = [e.winner == (int(r), int(c)) for r, c in zip(rows, cols, strict=True)]
    return pd.DataFrame({
        "tap (m, n)": [f"({a}, {b})" for a, b in zip(m.ravel(), n.ravel(), strict=True)],
        "input (row, col)": [f"({r}, {c})" for r, c in zip(rows, cols, strict=True)],
        "cell": where.ravel(), "value": values.ravel(),
        "winner": ["★" if w else "" for w in winner],
    })  # fmt: skip


def cell_sentence(res: LayerResult, e, row: int, col: int, f: int) -> str:
    """What the explained cell is, in one sentence."""
    at = f"output[{row}, {col}, {f}]"
    if res.op == "conv":
        return (f"filter {f} sees input channels {_span(e.channels)}: "
                f"{_count(e.products.size)} summed = **{e.value:.6g}** = {at}")  # fmt: skip
    if res.op == "transpose":
        if not e.products.size:
            return f"No input cell paints {at}: it stays **0**."
        cells = len(e.rows)
        return (f"{cells} input {'cell paints' if cells == 1 else 'cells paint'} it through "
                f"{'its tap' if cells == 1 else 'their taps'}: {_count(e.products.size)} "
                f"summed = **{e.value:.6g}** = {at}")  # fmt: skip
    if res.op == "max":
        if e.winner is None:
            return f"No tap of this window lands on the input: {at} = **-inf**, as in PyTorch."
        return f"The largest value wins: input {e.winner} = **{e.value:.6g}** = {at} (★)."
    taken = int((~e.is_outside).sum())
    return (f"Sum of the {taken} window cells inside the padded input, divided by "
            f"**{e.divisor:g}**: **{e.value:.6g}** = {at}")  # fmt: skip


def _count(n: int) -> str:
    return "1 product" if n == 1 else f"{n} products"


def _span(channels: np.ndarray) -> str:
    first, last = int(channels[0]), int(channels[-1])
    return str(first) if first == last else f"{first}…{last}"


def shape_lines(res: LayerResult) -> list[str]:
    """The output-size formula per axis, with this layer's numbers."""
    p, x, out = res.params, res.x, res.out
    lines = []
    for axis, i in (("rows", 0), ("cols", 1)):
        s, d = p["stride"][i], p["dilation"][i]
        if res.op == "conv":
            pads = conv.resolve_padding(x.shape, res.kernel.shape, **{
                k: p[k] for k in ("stride", "padding", "dilation", "groups")})  # fmt: skip
            (before, after), k = pads[i], res.kernel.shape[i]
            span = k if d == 1 else f"({d}·({k}−1)+1)"
            lines.append(f"**{axis}**: ⌊({x.shape[i]} + {before + after} − {span})/{s}⌋ + 1 = "
                         f"**{out.shape[i]}**")  # fmt: skip
        elif res.op == "transpose":
            k, pad, op = res.kernel.shape[i], p["padding"][i], p["output_padding"][i]
            lines.append(f"**{axis}**: ({x.shape[i]} − 1)·{s} − 2·{pad} + {d}·({k} − 1) + {op} "
                         f"+ 1 = **{out.shape[i]}**")  # fmt: skip
        else:
            k, pad = p["size"][i], p["padding"][i]
            lines.append(_pool_line(axis, x.shape[i], k, s, pad, d, p["ceil_mode"], out.shape[i]))
    return lines


def _pool_line(axis: str, n: int, k: int, s: int, pad: int, d: int, ceil: bool, out: int) -> str:
    span = k if d == 1 else f"({d}·({k}−1)+1)"
    if not ceil:
        return f"**{axis}**: ⌊({n} + 2·{pad} − {span})/{s}⌋ + 1 = **{out}**"
    raw = -(-(n + 2 * pad - (d * (k - 1) + 1)) // s) + 1
    line = f"**{axis}**: ⌈({n} + 2·{pad} − {span})/{s}⌉ + 1 = **{raw}**"
    if raw != out:
        line += (f", minus the last window, which would start past the input and the left "
                 f"padding: **{out}**")  # fmt: skip
    return line


def count_figure(counts: np.ndarray, title: str, max_width: float = figure_size.WIDTH) -> go.Figure:
    """A sequential heatmap of small counts, row 0 on top, square cells, counts written in."""
    oh, ow = counts.shape
    cell = max(4, min(40, 600 // max(oh, ow), int(max_width - 140) // ow))
    text = oh * ow <= 900 and cell >= 14
    fig = go.Figure(go.Heatmap(
        z=counts, colorscale="Viridis", zmin=0, xgap=1 if text else 0, ygap=1 if text else 0,
        text=counts if text else None, texttemplate="%{text}" if text else None,
        hovertemplate="(%{y}, %{x}) painted %{z} times<extra></extra>",
        colorbar={"thickness": 12, "title": {"text": "paints"}},
    ))  # fmt: skip
    fig.update_layout(
        title=title, width=ow * cell + 140, height=oh * cell + 90,
        margin={"l": 40, "r": 100, "t": 60, "b": 20}, plot_bgcolor="white",
    )  # fmt: skip
    ticks = 1 if cell >= 20 else None
    fig.update_xaxes(side="top", range=[-0.5, ow - 0.5], constrain="domain", showgrid=False,
                     dtick=ticks)  # fmt: skip
    fig.update_yaxes(range=[oh - 0.5, -0.5], scaleanchor="x", constrain="domain",
                     showgrid=False, dtick=ticks)  # fmt: skip
    return fig
