"""Figures: what is drawn is the data, in matrix orientation, with padding and windows marked."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import conv
from conv.app import figure_size, figures
from conv.app.limits import MAX_DRAWN_CELLS


def heatmaps(fig):
    return [t for t in fig.data if t.type == "heatmap"]


def rectangles(trace):
    """(row, col) centres of the squares a trace outlines: open square markers or closed lines."""
    if trace.mode == "markers":
        return [(int(r), int(c)) for r, c in zip(trace.y, trace.x, strict=True)]
    xs, ys = list(trace.x), list(trace.y)
    centres = []
    for start in range(0, len(xs), 6):
        cx = (xs[start] + xs[start + 1]) / 2
        cy = (ys[start] + ys[start + 2]) / 2
        centres.append((round(cy), round(cx)))
    return centres


def test_each_channel_panel_shows_that_channel_in_matrix_orientation():
    x = np.random.default_rng(0).normal(size=(4, 6, 3))
    fig = figures.array_figure(x)
    maps = heatmaps(fig)
    assert len(maps) == 3
    for c, trace in enumerate(maps):
        np.testing.assert_array_equal(np.asarray(trace.z), x[:, :, c].astype(np.float32))
        np.testing.assert_array_equal(trace.y, np.arange(4))
        np.testing.assert_array_equal(trace.x, np.arange(6))
        suffix = "" if c == 0 else str(c + 1)
        yaxis = fig.layout[f"yaxis{suffix}"]
        assert yaxis.range[0] > yaxis.range[1]  # reversed: row 0 at the top
        assert yaxis.scaleanchor == f"x{suffix}"  # square cells
        assert f"channel {c}" in fig.layout[f"xaxis{suffix}"].title.text
        assert "(%{y}, %{x}, " + str(c) + ") = %{z" in trace.hovertemplate


def test_colour_scale_is_diverging_and_centred_at_zero():
    x = np.array([[-1.0, 0.5], [3.0, 0.0]])
    fig = figures.array_figure(x)
    axis = fig.layout.coloraxis
    assert axis.cmin == -3.0 and axis.cmax == 3.0 and axis.cmid == 0
    colours = [c for _, c in axis.colorscale]
    assert colours[0] != colours[-1]
    assert all(t.coloraxis == "coloraxis" for t in heatmaps(fig))


def test_small_arrays_print_their_values_large_ones_do_not():
    assert heatmaps(figures.array_figure(np.ones((5, 5))))[0].texttemplate
    assert heatmaps(figures.array_figure(np.ones((60, 60))))[0].texttemplate is None


def test_values_are_printed_only_where_they_fit():
    # One 12x10 output panel has room for "-3.22"; three side by side do not,
    # though a single digit still fits there.
    out = np.full((12, 10, 3), -3.2193)
    assert heatmaps(figures.output_figure(out[:, :, 0]))[0].texttemplate
    assert all(t.texttemplate is None for t in heatmaps(figures.output_figure(out)))
    assert all(t.texttemplate for t in heatmaps(figures.output_figure(np.zeros((12, 10, 3)))))


def test_large_arrays_are_drawn_sampled_and_the_title_says_so():
    x = np.random.default_rng(1).normal(size=(1024, 1024, 3))
    fig = figures.array_figure(x)
    drawn = sum(np.asarray(t.z).size for t in heatmaps(fig))
    assert drawn <= MAX_DRAWN_CELLS
    step = figures.drawn_step((1024, 1024), MAX_DRAWN_CELLS // 3)
    assert step > 1 and f"1 in {step} rows and columns drawn" in fig.layout.title.text
    trace = heatmaps(fig)[1]
    np.testing.assert_array_equal(np.asarray(trace.z), x[::step, ::step, 1].astype(np.float32))
    np.testing.assert_array_equal(trace.y, np.arange(0, 1024, step))  # true row numbers


@given(st.integers(1, 3000), st.integers(1, 3000), st.integers(1, 100_000))
def test_drawn_step_is_the_smallest_that_fits(h, w, budget):
    step = figures.drawn_step((h, w), budget)
    assert math.ceil(h / step) * math.ceil(w / step) <= budget or step >= max(h, w)
    if step > 1:
        assert math.ceil(h / (step - 1)) * math.ceil(w / (step - 1)) > budget


def test_padding_is_drawn_around_the_input_as_a_hatched_frame():
    x = np.arange(12.0).reshape(3, 4)
    pads = ((1, 2), (0, 3))
    padded = np.pad(x, pads, mode="edge")
    fig = figures.array_figure(x, padded=padded, padding=pads)
    trace = heatmaps(fig)[0]
    np.testing.assert_array_equal(trace.y, np.arange(-1, 5))
    np.testing.assert_array_equal(trace.x, np.arange(0, 7))
    np.testing.assert_array_equal(np.asarray(trace.z), padded)
    (band,) = [t for t in fig.data if t.name == "padding"]
    assert band.fill == "toself" and band.fillpattern.shape
    # Every padding cell centre lies inside one band, no input cell centre does.
    polygons = []
    xs, ys = list(band.x), list(band.y)
    for start in range(0, len(xs), 6):
        polygons.append((min(ys[start : start + 5]), max(ys[start : start + 5]),
                         min(xs[start : start + 5]), max(xs[start : start + 5])))  # fmt: skip
    for r in range(-1, 5):
        for c in range(0, 7):
            inside = any(a < r < b and lo < c < hi for a, b, lo, hi in polygons)
            assert inside == (not (0 <= r < 3 and 0 <= c < 4)), (r, c)


@pytest.mark.parametrize(
    ("stride", "padding", "dilation", "cell"),
    [(1, "valid", 1, (0, 0)), (2, ((1, 1), (2, 0)), 2, (1, 2)), (1, "full", 1, (0, 0))],
)
def test_the_window_of_an_output_cell_is_outlined_at_its_dilated_taps(
    stride, padding, dilation, cell
):
    x = np.random.default_rng(2).normal(size=(7, 8, 2))
    k = np.ones((3, 2, 2))
    e = conv.explain_cell(
        x, k, *cell, stride=stride, padding=padding, dilation=dilation
    )  # fmt: skip
    pads = conv.resolve_padding(x.shape, k.shape, stride=stride, padding=padding, dilation=dilation)
    fig = figures.array_figure(x, padded=conv.pad(x, pads), padding=pads, window=e)
    (top, _), (left, _) = pads
    # Independent index arithmetic: tap (m, n) of output (i, j) reads row
    # i*s + m*d - top and column j*s + n*d - left.
    want_in, want_pad = set(), set()
    for m in range(3):
        for n in range(2):
            r = cell[0] * stride + m * dilation - top
            c = cell[1] * stride + n * dilation - left
            (want_in if 0 <= r < 7 and 0 <= c < 8 else want_pad).add((r, c))
    outlines = [t for t in fig.data if t.name == "outline"]
    for panel in ("x", "x2"):
        drawn_in = {p for t in outlines if t.xaxis == panel and t.marker.line.width == 2
                    for p in rectangles(t)}  # fmt: skip
        drawn_pad = {p for t in outlines if t.xaxis == panel and t.marker.line.width == 3
                     for p in rectangles(t)}  # fmt: skip
        assert drawn_in == want_in and drawn_pad == want_pad


def test_kernel_panels_are_one_per_channel_and_filter():
    k = np.arange(2 * 3 * 2 * 4, dtype=float).reshape(2, 3, 2, 4)
    fig = figures.kernel_figure(k)
    maps = heatmaps(fig)
    assert len(maps) == 8
    for c in range(2):
        for f in range(4):
            np.testing.assert_array_equal(np.asarray(maps[c * 4 + f].z), k[:, :, c, f])
    assert heatmaps(figures.kernel_figure(np.eye(3)))[0].z is not None


def axis_titles(fig):
    """(text, left px, right px, top of its panel) of each panel name, as plotly places it.

    A name is centred over its panel; 12 px sans-serif is at most about 7.2 px a
    character (0.6 em), so this box is no smaller than the one drawn.
    """
    plot_w = fig.layout.width - fig.layout.margin.l - fig.layout.margin.r
    boxes = []
    for name in fig.layout:
        if name.startswith("xaxis") and fig.layout[name].title.text:
            axis = fig.layout[name]
            text = axis.title.text.replace("<b>", "").replace("</b>", "")
            mid = fig.layout.margin.l + plot_w * sum(axis.domain) / 2
            half = len(text) * 0.6 * axis.title.font.size / 2
            top = fig.layout["yaxis" + name[5:]].domain[1]
            boxes.append((text, mid - half, mid + half, top))
    return boxes


def assert_names_apart(fig):
    boxes = axis_titles(fig)
    assert len({text for text, *_ in boxes}) == len(boxes)  # distinct names
    # ... and none reaches the colour bar (plotly puts it at x = 1.02 of the
    # panels' width, then its xpad) or the left edge
    plot_w = fig.layout.width - fig.layout.margin.l - fig.layout.margin.r
    bar = fig.layout.coloraxis.colorbar
    assert bar.x is None  # plotly's default, 1.02
    colorbar = fig.layout.margin.l + 1.02 * plot_w + bar.xpad
    assert all(left >= 0 and right <= colorbar for _, left, right, _ in boxes), boxes
    for i, (_, a0, a1, top_a) in enumerate(boxes):
        for _, b0, b1, top_b in boxes[i + 1 :]:
            if math.isclose(top_a, top_b):  # the same row of panels
                assert a1 <= b0 or b1 <= a0, (boxes[i], (b0, b1))


def test_a_bank_too_wide_for_its_room_is_drawn_a_page_at_a_time():
    k = np.random.default_rng(1).normal(size=(3, 3, 3, 16))
    # As on the Convolve page at 1280 px: a 300 px wide, 100 px high room.
    fig = figures.kernel_figure(k, max_width=300, max_height=100, filter_index=9)
    maps = heatmaps(fig)
    per_page = len(maps) // 3
    assert 1 <= per_page < 16
    shown = [int(text.split()[0][1:]) for text, *_ in axis_titles(fig)]
    assert 9 in shown  # the explained filter's page
    first = min(shown)
    assert f"filters {first}–{first + per_page - 1} of 16" in fig.layout.title.text
    for i, trace in enumerate(maps):  # channel-major rows, one column per filter
        c, f = divmod(i, per_page)
        np.testing.assert_array_equal(np.asarray(trace.z), k[:, :, c, first + f].astype(np.float32))
    for panel in range(len(maps)):
        assert min(cell_size(fig, panel)) >= figure_size.MIN_KERNEL_CELL - 0.01
    assert fig.layout.width <= 300
    assert_names_apart(fig)


def test_a_3x16_bank_is_drawn_whole_where_it_fits_with_names_apart():
    fig = figures.kernel_figure(np.ones((3, 3, 3, 16)), max_width=1500)
    assert len(heatmaps(fig)) == 48
    assert "of 16" not in fig.layout.title.text
    assert_names_apart(fig)
    flipped = figures.kernel_figure(np.ones((3, 3, 3, 16)), flip=True, max_width=400)
    assert_names_apart(flipped)


@pytest.mark.parametrize("width", [358, 600, figure_size.WIDTH])
def test_every_filter_of_a_16_filter_bank_is_drawn_in_the_output(width):
    out = np.random.default_rng(2).normal(size=(30, 30, 16))
    # The heights the Convolve page gives (a phone gets a short room).
    height = 358 if width < 600 else figure_size.MAX_CELLS_HEIGHT
    fig = figures.output_figure(
        out, filter_index=13, max_width=width, max_height=height, selected=(1, 2)
    )
    assert min(panel_pixels(fig, 15)) >= figure_size.MIN_PANEL - 0.5  # not a row of specks
    maps = heatmaps(fig)
    assert len(maps) == 16
    for f, trace in enumerate(maps):
        np.testing.assert_array_equal(np.asarray(trace.z), out[:, :, f].astype(np.float32))
    assert fig.layout.width <= width
    assert fig.layout.xaxis14.title.text == "<b>filter 13</b>"
    targets = [t for t in fig.data if t.name == "cells"]
    assert [int(t.legendgroup) for t in targets] == list(range(16))
    assert_names_apart(fig)


def test_of_a_larger_bank_the_explained_filter_is_always_drawn():
    out = np.zeros((4, 4, 40))
    for f in (0, 17, 39):
        fig = figures.output_figure(out, filter_index=f)
        names = [fig.layout[n].title.text for n in fig.layout if n.startswith("xaxis")]
        assert len(names) == figures.MAX_FILTERS
        assert f"<b>filter {f}</b>" in names
        assert "of 40" in fig.layout.title.text


def test_output_cells_can_be_clicked_and_report_filter_and_value():
    out = np.arange(2 * 3 * 2, dtype=float).reshape(2, 3, 2)
    fig = figures.output_figure(out)
    targets = [t for t in fig.data if t.name == "cells"]
    assert len(targets) == 2
    for f, t in enumerate(targets):
        points = set(zip(t.y, t.x, strict=True))
        assert points == {(r, c) for r in range(2) for c in range(3)}
        point = {"x": 2.0, "y": 1.0, "legendgroup": t.legendgroup}
        assert figures.clicked({"selection": {"points": [point]}}) == ((1, 2), f)
        for (r, c), value in zip(zip(t.y, t.x, strict=True), t.customdata, strict=True):
            assert value == out[r, c, f]
        assert t.marker.symbol == "square"


def test_large_outputs_get_clickable_points_on_a_coarser_grid():
    out = np.zeros((400, 300))
    (targets,) = [t for t in figures.output_figure(out).data if t.name == "cells"]
    assert len(targets.x) <= figures.MAX_CLICK_TARGETS
    step = targets.x[1] - targets.x[0]
    assert set(targets.y) == set(range(0, 400, step)) and set(targets.x) == set(range(0, 300, step))


def test_stepping_shows_only_the_cells_computed_so_far():
    out = np.arange(12, dtype=float).reshape(3, 4)
    z = np.asarray(heatmaps(figures.output_figure(out, filled=6))[0].z, dtype=float)
    np.testing.assert_array_equal(z.ravel()[:6], np.arange(6))
    assert np.isnan(z.ravel()[6:]).all()


def test_selected_output_cell_is_outlined():
    fig = figures.output_figure(np.zeros((4, 5)), selected=(2, 3))
    (outline,) = [t for t in fig.data if t.name == "outline"]
    assert rectangles(outline) == [(2, 3)]


def test_products_table_lists_every_product_and_sums_to_the_cell():
    x = np.random.default_rng(3).normal(size=(5, 5, 2))
    k = np.random.default_rng(4).normal(size=(3, 3, 2))
    e = conv.explain_cell(x, k, 0, 1, padding=1, pad_mode="reflect")
    table = figures.products_table(e)
    assert len(table) == 18
    np.testing.assert_allclose(table["x·w"], table["x"] * table["w"])
    # Output (0, 1) with padding 1 reads rows -1..1 and columns 0..2; row -1
    # reflects row 1.
    row = table[(table["tap (m, n)"] == "(0, 2)") & (table["channel"] == 1)].iloc[0]
    assert row["input (row, col)"] == "(-1, 2)" and row["note"] == "padding, copies (1, 2)"
    assert row["x"] == x[1, 2, 1]
    want = sum(
        np.pad(x, ((1, 1), (1, 1), (0, 0)), mode="reflect")[m, 1 + n, c] * k[m, n, c]
        for m in range(3) for n in range(3) for c in range(2)
    )  # fmt: skip
    assert table["x·w"].sum() == pytest.approx(want)


def test_the_note_column_is_there_only_when_a_tap_reads_padding():
    x = np.random.default_rng(8).normal(size=(4, 4))
    inside = figures.products_table(conv.explain_cell(x, np.ones((2, 2)), 1, 1, padding=1))
    border = figures.products_table(conv.explain_cell(x, np.ones((2, 2)), 0, 0, padding=1))
    assert "note" not in inside.columns and len(inside) == 4
    assert list(border["note"]) == ["padding (zero)"] * 3 + [""]
    assert list(border["x"]) == [0.0, 0.0, 0.0, x[0, 0]]


# -- on-screen size ------------------------------------------------------------


def panel_pixels(fig, panel=0):
    """(height, width) in pixels of one panel, from the layout plotly is given."""
    layout = fig.layout
    suffix = "" if panel == 0 else str(panel + 1)
    plot_w = layout.width - layout.margin.l - layout.margin.r
    plot_h = layout.height - layout.margin.t - layout.margin.b
    x0, x1 = layout[f"xaxis{suffix}"].domain
    y0, y1 = layout[f"yaxis{suffix}"].domain
    return (y1 - y0) * plot_h, (x1 - x0) * plot_w


def cell_size(fig, panel=0):
    """(height, width) of one drawn cell in pixels."""
    rows, cols = np.asarray(heatmaps(fig)[panel].z).shape
    h, w = panel_pixels(fig, panel)
    return h / rows, w / cols


@pytest.mark.parametrize("shape", [(5, 5), (3, 3), (2, 7), (5, 5, 3), (6, 4)])
def test_small_arrays_are_drawn_with_capped_square_cells(shape):
    x = np.random.default_rng(0).normal(size=shape)
    for fig in (figures.array_figure(x), figures.output_figure(x)):
        h, w = cell_size(fig)
        assert 40 <= w <= 56 and h == pytest.approx(w, abs=0.5)
        assert fig.layout.width <= figure_size.WIDTH
        assert heatmaps(fig)[0].texttemplate  # values readable at this size


@pytest.mark.parametrize("shape", [(64, 64), (33, 33, 3), (200, 300), (1024, 1024, 3), (500, 8)])
def test_large_arrays_fill_the_width_or_the_height_cap_with_square_cells(shape):
    x = np.zeros(shape)
    fig = figures.array_figure(x)
    h, w = cell_size(fig)
    assert h == pytest.approx(w, rel=0.01) and w <= figure_size.MAX_CELL_PIXELS
    assert fig.layout.width <= figure_size.WIDTH
    panel_h, _ = panel_pixels(fig)
    # Either as wide as the main area allows or as tall as a figure may be.
    wide = fig.layout.width >= 0.95 * figure_size.WIDTH
    assert wide or panel_h >= 0.95 * figure_size.MAX_CELLS_HEIGHT


def test_filters_are_compact():
    for k in (np.ones((3, 3)), np.ones((5, 5, 3)), np.ones((3, 3, 1, 2))):
        fig = figures.kernel_figure(k, max_width=0.4 * figure_size.WIDTH)
        assert cell_size(fig)[1] <= figure_size.KERNEL_CELL_PIXELS < figure_size.MAX_CELL_PIXELS
        assert fig.layout.width <= 0.4 * figure_size.WIDTH
        if k.ndim == 3:  # one filter's channels side by side
            assert (
                len({fig.layout[f"yaxis{'' if i == 0 else i + 1}"].domain[1] for i in range(3)})
                == 1
            )


def test_flipped_kernels_are_drawn_as_used_beside_as_given():
    k = np.arange(6.0).reshape(2, 3)
    maps = heatmaps(figures.kernel_figure(k, flip=True))
    np.testing.assert_array_equal(np.asarray(maps[0].z), [[5, 4, 3], [2, 1, 0]])
    np.testing.assert_array_equal(np.asarray(maps[1].z), k)


def test_labels_have_3_significant_digits_and_shrink_or_hide_with_the_cell():
    out = np.array([[1.6400001, -3.2193, -2.44, 5.4812]])
    big = heatmaps(figures.output_figure(out))[0]
    assert big.texttemplate == "%{z:.3~g}" and big.textfont.size >= 10
    small = heatmaps(figures.output_figure(np.tile(out, (1, 20)), max_width=400))[0]
    assert small.texttemplate is None  # 80 columns in 400 px: no room for "-3.22"


def test_the_colour_scale_stays_fixed_while_cells_fill():
    out = np.arange(-4.0, 8.0).reshape(3, 4)
    early = figures.output_figure(out, filled=2).layout.coloraxis
    assert (early.cmin, early.cmax) == (-7.0, 7.0)  # from the whole output, not 2 cells
    images = figures.array_figure(np.linspace(0, 1, 12).reshape(3, 4)).layout.coloraxis
    assert (images.cmin, images.cmax) == (0.0, 1.0) and images.cmid is None  # sequential


def test_a_window_on_a_large_input_is_drawn_zoomed_round_it():
    x = np.random.default_rng(5).normal(size=(64, 64))
    e = conv.explain_cell(x, np.ones((5, 5)), 30, 40)
    fig = figures.array_figure(x, window=e, zoom=figures.ZOOM_CELLS)
    (trace,) = heatmaps(fig)
    assert list(trace.y) == list(range(29, 36)) and list(trace.x) == list(range(39, 46))
    assert "rows 29–35, cols 39–45" in fig.layout.title.text


def test_products_are_built_a_page_at_a_time_and_summed_per_channel():
    x = np.random.default_rng(6).normal(size=(9, 9, 4))
    k = np.random.default_rng(7).normal(size=(5, 5, 4))
    e = conv.explain_cell(x, k, 1, 2)
    page = figures.products_table(e, 10, 7)
    assert len(page) == 7 and list(page["x"]) == list(x[1:6, 2:7, :].ravel()[10:17])
    sums = figures.channel_sums(e)
    want = [(x[1:6, 2:7, c] * k[:, :, c]).sum() for c in range(4)]
    np.testing.assert_allclose(sums["Σ x·w"], want)


def test_channel_sums_count_each_channels_products_and_its_taps_on_padding():
    x = np.random.default_rng(8).normal(size=(6, 7, 3))
    k = np.random.default_rng(9).normal(size=(3, 4, 3))
    e = conv.explain_cell(x, k, 0, 0, padding=2)
    padded = np.pad(x, ((2, 2), (2, 2), (0, 0)))
    rows, cols = np.arange(3)[:, None] - 2, np.arange(4)[None, :] - 2  # taps' input indices
    outside = int(((rows < 0) | (cols < 0) | (rows >= 6) | (cols >= 7)).sum())
    sums = figures.channel_sums(e)
    assert list(sums["channel"]) == [0, 1, 2]
    assert list(sums["products"]) == [12] * 3 and list(sums["on padding"]) == [outside] * 3
    want = [(padded[:3, :4, c] * k[:, :, c]).sum() for c in range(3)]
    np.testing.assert_allclose(sums["Σ x·w"], want)


def test_the_2d_exercise_fits_one_row_of_a_1400_by_1000_window(exercise_2d):
    x, k, _ = exercise_2d
    out = conv.conv2d(x, k)
    kernel = figures.kernel_figure(k)
    beside = figure_size.output_width(out.shape, beside=kernel.layout.width)
    figs = [figures.array_figure(x), kernel, figures.output_figure(out, max_width=beside)]
    gaps = 2 * 16
    assert sum(f.layout.width for f in figs) + gaps <= figure_size.WIDTH
    assert max(f.layout.height for f in figs) <= 400  # below ~500 px of page header


def test_a_filter_bank_output_gets_its_own_row_and_readable_panels():
    out = np.zeros((64, 64, 2))
    kernel = figures.kernel_figure(np.ones((3, 3, 1, 2)))
    assert figure_size.output_width(out.shape, beside=kernel.layout.width) == figure_size.WIDTH
    fig = figures.output_figure(out, max_width=figure_size.WIDTH)
    for panel in range(2):
        assert panel_pixels(fig, panel)[1] >= 350  # was ~150 px when sharing a row


def test_an_output_that_stays_readable_sits_beside_the_filter():
    kernel = figures.kernel_figure(np.ones((5, 5, 3)), max_width=300)
    room = figure_size.output_width((15, 15), beside=kernel.layout.width)
    assert room < figure_size.WIDTH - kernel.layout.width
    fig = figures.output_figure(np.zeros((15, 15)), max_width=room)
    assert cell_size(fig)[1] >= 30 and heatmaps(fig)[0].texttemplate
    assert room > 400


def test_output_panels_wrap_when_a_row_would_draw_them_smaller():
    # Five 10x10 panels: 3 + 2 draws cells of 24 px, one row of 5 only 12 px.
    fig = figures.output_figure(np.zeros((10, 10, 5)))
    tops = [fig.layout[f"yaxis{'' if i == 0 else i + 1}"].domain[1] for i in range(5)]
    lefts = [fig.layout[f"xaxis{'' if i == 0 else i + 1}"].domain[0] for i in range(5)]
    assert tops[0] == tops[1] == tops[2] > tops[3] == tops[4]
    assert lefts[0] == lefts[3] < lefts[1] == lefts[4] < lefts[2]
    # Panels never overlap: each ends before the next begins.
    ends = [fig.layout[f"xaxis{'' if i == 0 else i + 1}"].domain[1] for i in range(3)]
    assert ends[0] < lefts[1] and ends[1] < lefts[2]


def test_long_titles_wrap_inside_a_small_figure():
    fig = figures.array_figure(np.ones((3, 3)), title="input, reflect padding hatched; "
                               "window of output (0, 0) outlined")  # fmt: skip
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) > 1 and max(map(len, lines)) * 8 <= fig.layout.width


@given(st.integers(1, 80), st.integers(1, 80), st.integers(1, 8))
def test_panels_per_row_gives_the_largest_cells_a_further_row_is_worth(h, w, panels):
    def size(n):
        # Independent of the code: the widths and heights the layout allows.
        rows = math.ceil(panels / n)
        across = (figure_size.WIDTH - 120 - (n - 1) * 44) / (n * w)
        down = (figure_size.MAX_CELLS_HEIGHT - (rows - 1) * 62) / (rows * h)
        return min(figure_size.MAX_CELL_PIXELS, across, down), rows

    best = figure_size.panels_per_row((h, w), panels)
    cell, rows = size(best)
    assert figure_size.cell_pixels((h, w), panels, best) == pytest.approx(cell)
    for n in range(1, panels + 1):
        other, other_rows = size(n)
        # Another row of panels only when it draws cells at least 25% larger.
        assert cell * 0.8 ** (rows - 1) >= other * 0.8 ** (other_rows - 1) - 1e-6


@pytest.mark.parametrize("shape", [(3, 3), (15, 15), (33, 33, 3), (64, 64), (1024, 1024, 3)])
def test_row_and_column_numbers_are_whole_and_do_not_touch(shape):
    fig = figures.output_figure(np.zeros(shape))
    _, w = cell_size(fig)
    step = figures.drawn_step(shape[:2], MAX_DRAWN_CELLS // (shape[2] if len(shape) > 2 else 1))
    dtick = fig.layout.xaxis.dtick
    assert dtick == int(dtick) and dtick * w / step >= 32  # pixels between two numbers
    if w / step >= 32:
        assert dtick == 1  # wide cells: every one numbered
