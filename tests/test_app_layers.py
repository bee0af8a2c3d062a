"""The Layer types page under AppTest: every operation against the loop references.

Inputs are drawn from the same seeded generator the page uses (the exercise's
"same generator" rule: input first, then the filter), so the expected values
come from ``layer_reference`` loops on arrays made here, never from the page.
"""

import numpy as np
import pytest
from apptest import APP, figures, output_shown, plotly_array
from layer_reference import grouped_conv, pool, transposed_conv
from streamlit.testing.v1 import AppTest
from test_direct_limit import fft_bound, mixed_scales

from conv import io as conv_io
from conv.app import limits

PAGE = "conv/app/pages/layers.py"


def open_layers(**query) -> AppTest:
    """The Layer types page opened from a link with ``query``; fails on any exception."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def layer(at: AppTest):
    """The typed result the page shows (``conv.app.layers.LayerResult``)."""
    op = at.radio(key="w.op").value
    return at.session_state["last_good_layer"].get(op)


def drawn(at: AppTest) -> np.ndarray:
    out = output_shown(at)
    assert out is not None, "no output drawn"
    return out


def drawn_arrays(seed: int, x_shape, k_shape):
    """The page's same-generator draw: input, then filter, rounded to 2 places."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x_shape).round(2)
    return x, rng.normal(size=k_shape).round(2)


def grouped_by_hand(k4: np.ndarray, groups: int) -> np.ndarray:
    """Filter m of group i: sidebar filter m on the channels of group i (a loop)."""
    kh, kw, c, m = k4.shape
    cg = c // groups
    out = np.zeros((kh, kw, cg, groups * m))
    for g in range(groups):
        for j in range(m):
            out[:, :, :, g * m + j] = k4[:, :, g * cg : (g + 1) * cg, j]
    return out


def text(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [s.value for s in at.subheader]
    )


def titled(at: AppTest, start: str) -> dict:
    """The first figure whose title starts with ``start``."""
    return next(f for f in figures(at) if f["layout"]["title"]["text"].startswith(start))


# -- grouped and depthwise convolution ---------------------------------------------


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_grouped_convolution_matches_the_loop_and_counts_weights(groups):
    at = open_layers(op="conv", source="generate", shape="7x6x4", kshape="3x2", filters="2",
                     groups=str(groups), padding="same")  # fmt: skip
    x, k = drawn_arrays(0, (7, 6, 4), (3, 2, 4, 2))
    kernel = grouped_by_hand(k, groups)
    # "same" at stride 1: (KH - 1) = 2 rows split 1/1, (KW - 1) = 1 column to the right.
    want = grouped_conv(x, kernel, (1, 1), ((1, 1), (0, 1)), (1, 1), groups)
    np.testing.assert_allclose(drawn(at), want, rtol=1e-12, atol=1e-12)
    page = text(at)
    weights = 3 * 2 * (4 // groups) * 2 * groups
    assert f"| groups = {groups} " in page and f"| {weights:,} |" in page
    assert f"| groups = 1 | {3 * 2 * 4 * 2 * groups:,} |" in page
    if groups > 1:
        assert "gives the dense (groups = 1) output back" in page


def test_depthwise_explains_one_channel_and_shows_the_channel_map():
    at = open_layers(op="conv", source="generate", shape="6x6x3", groups="3", cell="1,2",
                     cellf="2")  # fmt: skip
    x, k = drawn_arrays(0, (6, 6, 3), (3, 3, 3))
    page = text(at)
    assert "filter 2 sees input channels 2: 9 products" in page
    want = float((x[1:4, 2:5, 2] * k[:, :, 2]).sum())
    assert f"**{want:.6g}**" in page
    channel_map = titled(at, "channels each filter sees")
    np.testing.assert_array_equal(plotly_array(channel_map["data"][0]["z"]), np.eye(3))
    table = at.dataframe[0].value
    assert set(table["channel"]) == {2}  # the input's channel number, not the group's


def test_groups_that_do_not_divide_the_channels_are_named():
    at = open_layers(op="conv", source="generate", shape="5x5x4", groups="3")
    assert any("groups=3" in e.value and "C=4" in e.value for e in at.error)
    at.slider(key="w.groups").set_value(2).run()
    assert not at.exception and not at.error
    assert drawn(at).shape == (3, 3, 2)


# -- transposed convolution --------------------------------------------------------------


def test_transposed_convolution_matches_the_loop_with_its_views():
    at = open_layers(op="transpose", source="generate", shape="4x3x2", kshape="3x3", filters="2",
                     stride="2", lpad="1", opad="1")  # fmt: skip
    x, k = drawn_arrays(0, (4, 3, 2), (3, 3, 2, 2))
    want = transposed_conv(x, k, (2, 2), (1, 1), (1, 1), (1, 1), 1)
    assert want.shape == (8, 6, 2)
    np.testing.assert_allclose(drawn(at), want, rtol=1e-12, atol=1e-12)
    page = text(at)
    assert "(4 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = **8**" in page
    assert "gradient of a convolution with respect to its input" in page
    # Overlap counts, by a loop over (input cell, tap) pairs.
    counts = np.zeros((8, 6), int)
    for i in range(4):
        for j in range(3):
            for m in range(3):
                for n in range(3):
                    r, c = 2 * i + m - 1, 2 * j + n - 1
                    if 0 <= r < 8 and 0 <= c < 6:
                        counts[r, c] += 1
    overlap = titled(at, "paints per output cell")
    np.testing.assert_array_equal(plotly_array(overlap["data"][0]["z"]), counts)
    assert "3 is not a multiple of the stride 2" in page
    difference = float(page.split("gives the output above: largest difference **")[1].split("*")[0])
    assert difference < 1e-12


def test_the_scatter_slider_shows_the_partial_sum_of_paints():
    at = open_layers(op="transpose", source="generate", shape="3x3", kshape="2x2", stride="2")
    x, k = drawn_arrays(0, (3, 3), (2, 2))
    at.slider(key="w.painted").set_value(5).run()
    assert at.query_params["painted"] in (["5"], "5")
    partial = x.copy()
    partial.ravel()[5:] = 0
    want = transposed_conv(partial[:, :, None], k[:, :, None, None], (2, 2), (0, 0), (0, 0),
                           (1, 1), 1)  # fmt: skip
    summed = titled(at, "sum of")
    got = plotly_array(next(t for t in summed["data"] if t["type"] == "heatmap")["z"])
    # The scatter figure's heatmap goes to the browser as float32.
    np.testing.assert_allclose(got, want[..., 0], rtol=1e-6, atol=1e-7)
    assert "Input cell (1, 1) holds" in text(at)


def test_output_padding_not_below_the_stride_is_refused_with_the_rule():
    at = open_layers(op="transpose", source="generate", shape="4x4", stride="2", opad="2")
    assert any("output_padding=(2, 2) must be smaller than stride=(2, 2)" in e.value
               for e in at.error)  # fmt: skip
    at.number_input(key="w.output_padding.0").set_value(1).run()
    at.number_input(key="w.output_padding.1").set_value(1).run()
    assert not at.error and drawn(at).shape == (10, 10, 1)


# -- pooling -----------------------------------------------------------------------------


def test_a_cell_the_output_shrank_past_is_named_and_comes_back_with_the_output():
    at = open_layers(op="conv", source="generate", shape="6x6x3", cell="3,3")
    for side in (0, 1):
        at.number_input(key=f"w.stride.{side}").set_value(3).run()
    assert layer(at).out.shape[:2] == (2, 2)
    assert (at.number_input(key="w.cell.0").value, at.number_input(key="w.cell.1").value) == (3, 3)
    assert any("Explain output cell (1, 1)" in h.value for h in at.subheader)
    assert any("(3, 3) is past this 2 × 2 output" in c.value for c in at.caption)
    for side in (0, 1):
        at.number_input(key=f"w.stride.{side}").set_value(1).run()
    assert any("Explain output cell (3, 3)" in h.value for h in at.subheader)
    assert not any("is past this" in c.value for c in at.caption)
    shown = layer(at)
    kernel = shown.kernel.reshape(3, 3, 3)  # one filter
    assert f"**{float(np.sum(shown.x[3:6, 3:6] * kernel)):.6g}**" in text(at)


def test_max_pool_with_ceil_mode_shows_the_extra_window_and_its_winner():
    at = open_layers(op="max", source="generate", shape="5x5", psize="2", stride="2", ceil="1",
                     cell="2,1")  # fmt: skip
    x, _ = drawn_arrays(0, (5, 5), (3, 3))
    want = pool(x[:, :, None], (2, 2), (2, 2), (0, 0), (1, 1), True, "max", True, None)
    assert want.shape == (3, 3, 1)
    np.testing.assert_allclose(drawn(at), want, rtol=0, atol=0)
    page = text(at)
    assert "ceil_mode gives 3×3 instead of 2×2" in page
    winner = (4, 2 + int(np.argmax(x[4, 2:4])))
    assert f"input {winner} = **{x[winner]:.6g}**" in page
    table = at.dataframe[0].value
    assert list(table["cell"]).count("past the padding: ignored") == 2


def test_a_transposed_convolution_may_have_a_kernel_larger_than_its_input():
    # The classic upsampling 2x2 -> 5x5: a plain convolution of these could not be done.
    at = open_layers(op="transpose", source="generate", shape="2x2", kshape="3x3", stride="2")
    x, k = drawn_arrays(0, (2, 2), (3, 3))
    want = transposed_conv(x[:, :, None], k[:, :, None, None], (2, 2), (0, 0), (0, 0), (1, 1), 1)
    np.testing.assert_allclose(drawn(at), want, rtol=1e-12, atol=1e-12)
    assert not at.error


@pytest.mark.parametrize("cip", ["0", "1"])
def test_avg_pool_matches_the_loop_with_padding_and_divisor(cip):
    at = open_layers(op="avg", source="generate", shape="6x5x2", psize="3", stride="2",
                     lpad="1", ceil="1", cip=cip)  # fmt: skip
    x, _ = drawn_arrays(0, (6, 5, 2), (3, 3, 2))
    want = pool(x, (3, 3), (2, 2), (1, 1), (1, 1), True, "avg", cip == "1", None)
    np.testing.assert_allclose(drawn(at), want, rtol=1e-12, atol=1e-12)
    divisor = 9 if cip == "1" else 4  # the corner window (0, 0): 2x2 of it on the input
    assert f"divided by **{divisor}**" in text(at)


def test_switching_operations_keeps_the_input_and_links_every_choice():
    at = open_layers(source="generate", shape="6x6x2")
    at.radio(key="w.op").set_value("max").run()
    assert drawn(at).shape == (5, 5, 2)  # window 2, stride 1 by default for generated inputs
    at.number_input(key="w.pool_size.0").set_value(3).run()
    at.toggle(key="w.ceil_mode").set_value(True).run()
    assert at.query_params["op"] in (["max"], "max") and at.query_params["ceil"] in (["1"], "1")
    again = open_layers(**{k: v[-1] if isinstance(v, list) else v
                           for k, v in at.query_params.items()})  # fmt: skip
    np.testing.assert_array_equal(drawn(again), drawn(at))


def test_a_request_over_budget_is_refused_with_its_numbers(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SECONDS", 1e-6)
    at = open_layers(op="transpose", source="generate", shape="8x8", kshape="4x4", stride="2")
    # 8 * 8 input cells times 16 taps, at 2 ns each.
    assert any("about 2e-06 s (1,024 multiply-adds" in e.value and "1e-06 s" in e.value
               for e in at.error)  # fmt: skip
    assert output_shown(at) is None


def test_a_layer_over_the_memory_budget_is_refused_in_mebibytes(monkeypatch):
    monkeypatch.setattr(limits, "MAX_PEAK_BYTES", 2**20)
    at = open_layers(op="max", source="generate", shape="300x300x2", psize="2")
    # The framed copy: (300 + 2) * (300 + 2) * 2 cells, plus two outputs of 299 * 299 * 2.
    want = ((302 * 302 * 2) + 2 * 299 * 299 * 2) * 8 / 2**20
    assert any(f"about {want:,.0f} MiB of working memory, more than the 1 MiB" in e.value
               for e in at.error)  # fmt: skip
    assert output_shown(at) is None


# -- code export ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {
            "op": "conv",
            "shape": "6x5x4",
            "filters": "2",
            "groups": "2",
            "padding": "same",
            "pad_mode": "reflect",
            "flip": "1",
            "stride": "2,1",
        },
        {
            "op": "transpose",
            "shape": "3x4x2",
            "kshape": "3x2",
            "stride": "2",
            "lpad": "1",
            "opad": "1",
            "dilation": "1,2",
        },
        {"op": "max", "shape": "20x20x2", "psize": "3", "stride": "2", "lpad": "1", "ceil": "1"},
        {"op": "avg", "shape": "7x7", "psize": "3", "stride": "2", "ceil": "1", "cip": "0"},
    ],
)
@pytest.mark.parametrize("library", ["numpy", "torch"])
def test_exported_code_runs_and_gives_the_page_output(query, library, tmp_path, monkeypatch):
    if library == "torch":
        pytest.importorskip("torch")
    at = open_layers(source="generate", **query)
    res = layer(at)
    code = next(c.value for c in at.code if ("F." in c.value) == (library == "torch"))
    monkeypatch.chdir(tmp_path)
    np.save("input.npy", res.x)
    if res.kernel is not None:
        np.save("filter.npy", res.kernel)
    namespace: dict = {}
    exec(compile(code, "<exported>", "exec"), namespace)
    np.testing.assert_allclose(namespace["out"], drawn(at), rtol=1e-10, atol=1e-10)


def test_an_unexpected_error_is_one_sentence_not_a_traceback(monkeypatch):
    import conv

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(conv, "transpose_overlap", broken)
    at = open_layers(op="transpose", source="generate", shape="4x4", stride="2")
    assert any("Something went wrong while drawing what this layer adds" in e.value
               for e in at.error)  # fmt: skip
    assert drawn(at).shape == (9, 9, 1)  # the rest of the page is still drawn
    monkeypatch.setattr(conv, "conv_transpose2d", broken)
    at.number_input(key="w.stride.0").set_value(3).run()
    assert not at.exception
    assert any("Something went wrong while computing the layer" in e.value for e in at.error)


def test_an_upload_the_layer_refuses_points_at_the_setting_not_at_uploading_again():
    at = open_layers(op="conv", source="upload")
    assert any("files cannot travel" in i.value for i in at.info)  # nothing uploaded yet
    tiny = np.arange(4.0).reshape(2, 2)  # smaller than the default 3×3 filter
    at.file_uploader(key="x_upload.file").set_value(
        ("tiny.npy", conv_io.to_npy(tiny), "application/octet-stream")
    ).run()
    assert not at.exception and at.error
    assert not [i for i in at.info if "files cannot travel" in i.value]
    assert any("change the setting named above" in i.value for i in at.info)


def test_past_the_direct_sum_budget_the_layer_is_the_ffts_with_its_bound(monkeypatch):
    x, _ = mixed_scales()
    monkeypatch.setattr(limits, "MAX_DIRECT_MACS", 1000)
    at = open_layers(op="conv", source="upload", filter="preset", preset="gaussian", ksize="15")
    at.file_uploader(key="x_upload.file").set_value(
        ("scales.npy", conv_io.to_npy(x), "application/octet-stream")
    ).run()
    assert not at.exception and not at.error
    notes = [i.value for i in at.info if i.value.startswith("Computed by the FFT alone")]
    assert len(notes) == 1
    res = layer(at)
    want = grouped_conv(res.x, res.kernel, (1, 1), ((0, 0), (0, 0)), (1, 1), 1)[..., 0]
    assert np.abs(res.out[..., 0] - want).max() <= fft_bound(x, res.kernel)
