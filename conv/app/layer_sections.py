"""What each layer type adds below the explained cell on the Layer types page.

* grouped convolution: which input channels each filter sees, and the weights
  and multiply-adds against ``groups = 1``;
* transposed convolution: the scatter (each input cell paints its value times
  the kernel, step by step), the same output as a true convolution of the
  zero-inserted input, the overlap counts behind checkerboard artifacts, and
  the gradient identity, checked on these arrays;
* pooling: padding, ``ceil_mode``'s extra window and the divisor.

Every extra computation is priced by :func:`conv.app.budget.check_layer` first
and left out, with the numbers, when over budget.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import conv
from conv.app import budget, figure_size, figures, limits, state
from conv.app.layer_views import count_figure
from conv.app.layers import LayerResult

__all__ = ["grouped", "pooling", "transposed"]


def _affordable(op: str, x_shape, k_shape, params: dict, what: str) -> bool:
    try:
        budget.check_layer(op, x_shape, k_shape, params)
    except ValueError as error:
        st.caption(f"{what} is left out here: {error}.")
        return False
    return True


def _convolved(what: str, x: np.ndarray, k: np.ndarray, **kwargs) -> np.ndarray | None:
    """``conv2d`` within the direct-sum budget, or None with a caption saying why."""
    try:
        return budget.bounded_conv2d(x, k, **kwargs)[0]  # a side view: its note is the layer's
    except ValueError as error:
        st.caption(f"{what} is left out here: {error}.")
        return None


# -- grouped convolution ------------------------------------------------------------


def grouped(res: LayerResult) -> None:
    x, k, p = res.x, res.kernel, res.params
    g, (kh, kw, cg, f), c = p["groups"], k.shape, x.shape[2]
    st.subheader("Groups: which channels each filter sees")
    geometry = {key: p[key] for key in ("stride", "padding", "dilation")}
    mine = conv.layer_counts(x.shape, k.shape, groups=g, **geometry)
    dense = conv.layer_counts(x.shape, (kh, kw, c, f), **geometry)
    kind = "depthwise" if cg == 1 else ("dense" if g == 1 else f"{g} groups")
    st.markdown(
        f"| {c} → {f} channels, {kh}×{kw} | weights | multiply-adds |\n|---|---:|---:|\n"
        f"| groups = {g} ({kind}) | {mine.params:,} | {mine.macs:,} |\n"
        f"| groups = 1 | {dense.params:,} | {dense.macs:,} |"
    )
    st.caption(
        f"Each filter reads {cg} of the {c} channels, so the layer has {g}× fewer weights and "
        "multiply-adds than a dense one with as many filters: why depthwise (MobileNet-style) "
        "layers are cheap. Their filters cannot mix channels; a 1×1 convolution after them does."
    )
    if f * c <= 64 * 64:
        seen = (np.arange(c)[None, :] // cg == np.arange(f)[:, None] // (f // g)).astype(int)
        fig = go.Figure(go.Heatmap(
            z=seen, colorscale=[[0, "#f2f2f2"], [1, "#2166ac"]], showscale=False, xgap=1, ygap=1,
            hovertemplate="filter %{y} × channel %{x}: %{z}<extra></extra>",
        ))  # fmt: skip
        cell = max(8, min(28, 300 // max(f, c)))
        fig.update_layout(
            title="channels each filter sees (blue)", width=max(c * cell + 100, 260),
            height=f * cell + 110, margin={"l": 60, "r": 20, "t": 50, "b": 50},
            xaxis={"title": "input channel", "range": [-0.5, c - 0.5], "constrain": "domain",
                   "dtick": 1 if c <= 16 else None},
            yaxis={"title": "filter", "range": [f - 0.5, -0.5], "scaleanchor": "x",
                   "constrain": "domain", "dtick": 1 if f <= 16 else None},
        )  # fmt: skip
        st.plotly_chart(fig, key="channel_map", width="content")
    if g > 1:
        _groups_sum(res)


def _groups_sum(res: LayerResult) -> None:
    """The groups' outputs add up to the dense layer's: the split loses no products."""
    x, k4, p = res.x, res.sidebar_kernel, res.params
    dense = {**p, "groups": 1}
    if not _affordable("conv", x.shape, k4.shape, dense, "The comparison with groups = 1"):
        return
    m = k4.shape[3]
    summed = res.out.reshape(*res.out.shape[:2], p["groups"], m).sum(axis=2)
    full = _convolved("The comparison with groups = 1", x, k4, **dense)
    if full is None:
        return
    st.caption(
        f"Summing the {p['groups']} groups' outputs of each sidebar filter gives the dense "
        f"(groups = 1) output back: largest difference {np.abs(summed - full).max():.2g}."
    )


# -- transposed convolution ------------------------------------------------------------


def transposed(res: LayerResult, width: float = figure_size.WIDTH) -> None:
    """The scatter, the zero-inserted view, the overlap and the gradient; figures ``width`` px
    at most."""
    st.subheader("Scatter: each input cell paints a scaled kernel")
    _scatter(res, width)
    st.subheader("The same output: a true convolution of the zero-inserted input")
    _zero_inserted(res, width)
    st.subheader("Overlap: how many paints land on each output cell")
    _overlap(res, width)
    st.subheader("The gradient of a convolution")
    _gradient(res)


def _scatter(res: LayerResult, width: float) -> None:
    x, k, p = res.x, res.kernel, res.params
    h, w, _ = x.shape
    if res.seconds > limits.MAX_SECONDS / 8:  # two more scatters per step
        st.caption(f"{res.macs:,} multiply-adds: too many to repeat step by step here.")
        return
    if h * w == 1:
        st.caption("One input cell: its paint is the whole output.")
        return
    bound = state.bind("painted")
    if not 1 <= st.session_state[bound["key"]] <= h * w:
        st.session_state[bound["key"]] = h * w  # 0 in the settings means every cell
    n = st.slider("input cells painted so far (row-major)", 1, h * w, **bound)
    i, j = divmod(n - 1, w)
    one = np.zeros_like(x)
    one[i, j] = x[i, j]
    first = np.where((np.arange(h * w) < n).reshape(h, w, 1), x, 0.0)
    (sh, sw), (ph, pw) = p["stride"], p["padding"]
    st.caption(
        f"Input cell ({i}, {j}) holds {_values(x[i, j])}: it adds that times the kernel at "
        f"output rows from {i * sh - ph} and columns from {j * sw - pw} (stride × position − "
        "padding). Where paints overlap they add up; at the last cell the sum is the output."
    )
    with st.container(horizontal=True, gap="small"):
        for title, values, key in (
            (f"cell ({i}, {j}) paints its value × kernel", one, "paint_one"),
            (f"sum of the first {n} paints", first, "paint_sum"),
        ):
            painted = conv.conv_transpose2d(values, k, **p)
            # Half the width each, so the paint and the running sum sit side by side
            # (on a phone, one above the other).
            half = min(figure_size.WIDTH / 2 - 8, width)
            fig = figures.output_figure(painted, title=title, max_width=half)
            st.plotly_chart(fig, key=key, width="content")


def _values(v: np.ndarray) -> str:
    return f"{float(v[0]):.4g}" if v.size == 1 else "(" + ", ".join(f"{a:.3g}" for a in v) + ")"


def zero_inserted_input(res: LayerResult) -> np.ndarray:
    """The input with stride − 1 zeros between cells and d·(K − 1) − padding zeros around."""
    x, k, p = res.x, res.kernel, res.params
    (h, w, c), (sh, sw) = x.shape, p["stride"]
    z = np.zeros(((h - 1) * sh + 1, (w - 1) * sw + 1, c))
    z[::sh, ::sw] = x
    for axis in (0, 1):
        before = p["dilation"][axis] * (k.shape[axis] - 1) - p["padding"][axis]
        after = before + p["output_padding"][axis]
        widths = [(0, 0)] * 3
        widths[axis] = (max(before, 0), max(after, 0))
        z = np.pad(z, widths)
        # Padding larger than the kernel reach cuts the zero-inserted input instead.
        stop = z.shape[axis] - max(-after, 0)
        z = z[max(-before, 0) : stop] if axis == 0 else z[:, max(-before, 0) : stop]
    return z


def _zero_inserted(res: LayerResult, width: float) -> None:
    k, p = res.kernel, res.params
    z_shape = (
        (res.x.shape[0] - 1) * p["stride"][0] + 1 + 2 * p["dilation"][0] * k.shape[0],
        (res.x.shape[1] - 1) * p["stride"][1] + 1 + 2 * p["dilation"][1] * k.shape[1],
        res.x.shape[2],
    )
    params = {"stride": (1, 1), "padding": "valid", "dilation": p["dilation"],
              "pad_mode": "zeros", "method": "auto", "groups": 1}  # fmt: skip
    if not _affordable("conv", z_shape, k.shape, params, "The zero-insertion view"):
        return
    z = zero_inserted_input(res)
    same = _convolved("The zero-insertion view", z, k, dilation=p["dilation"], flip=True)
    if same is None:
        return
    (sh, sw), (dh, dw) = p["stride"], p["dilation"]
    # Small cells without numbers: the point is where the zeros are, the values are the input's.
    fig = figures.array_figure(
        z, title=f"zero-inserted input: {sh - 1} row(s) and {sw - 1} column(s) of zeros "
        "between cells, framed by the kernel's reach minus the padding", max_cell=22,
        max_width=width,
    )  # fmt: skip
    st.plotly_chart(fig, key="zero_inserted", width="content")
    st.markdown(
        f"`conv2d(this, kernel, dilation=({dh}, {dw}), flip=True)` (stride 1, kernel rotated "
        f"180°) gives the output above: largest difference "
        f"**{np.abs(same - res.out).max():.2g}**. It multiplies "
        f"{same.shape[0] * same.shape[1] * k.size:,} times where the scatter needs "
        f"{res.macs:,}: most products meet an inserted zero."
    )


def _overlap(res: LayerResult, width: float) -> None:
    k, p = res.kernel, res.params
    counts = conv.transpose_overlap(res.x.shape, k.shape, **p)
    if counts.size > limits.MAX_DRAWN_CELLS:
        st.caption(f"{counts.shape[0]}×{counts.shape[1]} cells: too many to draw here.")
    else:
        fig = count_figure(counts, "paints per output cell", max_width=width)
        st.plotly_chart(fig, key="overlap", width="content")
    uneven = [
        f"{k.shape[i]} is not a multiple of the stride {p['stride'][i]} ({axis})"
        for i, axis in enumerate(("rows", "cols"))
        if k.shape[i] % p["stride"][i]
    ]
    line = f"Output cells get between {counts.min()} and {counts.max()} paints. "
    if uneven:
        line += ("The kernel size " + " and ".join(uneven) + ": neighbouring cells get "
                 "different numbers of paints, the checkerboard pattern transposed "
                 "convolutions print in generated images. A kernel size divisible by the "
                 "stride (or resize-then-convolve) paints evenly.")  # fmt: skip
    else:
        line += "The kernel size is a multiple of the stride: inside, every cell gets as many."
    st.markdown(line)


def _gradient(res: LayerResult) -> None:
    x, k, p = res.x, res.kernel, res.params
    st.markdown(
        "A transposed convolution is the **gradient of a convolution with respect to its "
        "input**: for `y = conv2d(a, w)` with the same stride, padding and dilation and "
        "`w = kernel.swapaxes(2, 3)`, the gradient of `⟨y, x⟩` with respect to `a` is "
        "`conv_transpose2d(x, kernel)`. That is why it appears in backpropagation, and why "
        "it undoes a convolution's *shape* but not its values."
    )
    if res.seconds > limits.MAX_SECONDS / 8:
        return
    a = np.random.default_rng(0).normal(size=res.out.shape)
    pads = tuple((v, v) for v in p["padding"])
    back = _convolved("The adjoint check", a, k.swapaxes(2, 3), stride=p["stride"],
                      padding=pads, dilation=p["dilation"])  # fmt: skip
    if back is None or back.shape != x.shape:
        return  # output_padding beyond the stride (allowed by dilation): another input size
    st.caption(
        f"Checked on these arrays with a random `a`: ⟨conv2d(a, w), x⟩ = "
        f"{float(np.sum(back * x)):.10g} and ⟨a, conv_transpose2d(x, kernel)⟩ = "
        f"{float(np.sum(a * res.out)):.10g}."
    )


# -- pooling ----------------------------------------------------------------------------


def pooling(res: LayerResult) -> None:
    p, (h, w, _), (oh, ow, _) = res.params, res.x.shape, res.out.shape
    st.subheader("Padding, ceil_mode and the divisor")
    other = conv.output_shape((h, w), p["size"], op="pool", stride=p["stride"],
                              padding=p["padding"], dilation=p["dilation"],
                              ceil_mode=not p["ceil_mode"])  # fmt: skip
    floor, ceil = (other, (oh, ow)) if p["ceil_mode"] else ((oh, ow), other)
    lines = []
    if ceil == floor:
        lines.append(f"ceil_mode makes no difference here: {oh}×{ow} either way.")
    elif p["ceil_mode"]:
        extra = [f"row {floor[0]}" * (ceil[0] > floor[0]),
                 f"column {floor[1]}" * (ceil[1] > floor[1])]  # fmt: skip
        lines.append(
            f"ceil_mode gives {ceil[0]}×{ceil[1]} instead of {floor[0]}×{floor[1]}: the extra "
            f"output {' and '.join(e for e in extra if e)} {'come' if all(extra) else 'comes'} "
            "from windows that start inside the input but reach past the padding; those cells "
            "(×, drawn hatched) take no part."
        )
        row, col, _ = res.cell()
        if row < floor[0] and col < floor[1]:
            lines[-1] += f" Click output ({ceil[0] - 1}, {ceil[1] - 1}) to see one."
    else:
        lines.append(f"With ceil_mode on, the output would be {ceil[0]}×{ceil[1]} "
                     f"instead of {floor[0]}×{floor[1]}.")  # fmt: skip
    if p["mode"] == "max":
        lines.append("Max pooling pads with -inf: padding never wins.")
    else:
        lines.append(
            "Average pooling pads with zeros and divides by the window cut at the padding's far "
            "edge" + ("" if p.get("count_include_pad", True) else ", then at the input's "
                      "(count_include_pad off: padding does not count)") + "."
        )  # fmt: skip
    st.markdown("  \n".join(lines))
