"""The Streamlit page driven through its widgets with streamlit.testing.v1.AppTest."""

import json

import numpy as np
import pytest
import tomllib
from apptest import ROOT, open_app
from reference import reference_conv2d
from streamlit.testing.v1 import AppTest

from conv import figure_size
from conv.io import limits


def result(at: AppTest) -> np.ndarray:
    return at.session_state["last_good"]["out"]


def shape_text(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "⌊" in m.value)


def test_seed_3d_link_shows_the_exercise(exercise_3d):
    x, k, first_row = exercise_3d
    at = open_app(example="seed-3d")
    out = result(at)
    assert out.shape == (15, 15)
    np.testing.assert_allclose(out, reference_conv2d(x, k, stride=2), rtol=1e-12)
    np.testing.assert_allclose(out[0, :4].round(2), first_row)
    assert "⌊(33 + 0 − 5)/2⌋ + 1 = **15**" in shape_text(at)
    assert at.number_input(key="stride_r").value == 2
    assert len(at.get("plotly_chart")) == 3
    assert not at.error


def test_seed_2d_gives_the_published_numbers(exercise_2d):
    _, _, published = exercise_2d
    at = open_app(example="seed-2d")
    np.testing.assert_allclose(result(at).round(2), published)


def test_changing_stride_padding_and_dilation_updates_the_shape_text():
    at = open_app(example="seed-3d")
    at.number_input(key="stride_r").set_value(3).run()
    assert "**rows**: ⌊(33 + 0 − 5)/3⌋ + 1 = **10**" in shape_text(at)
    assert "**cols**: ⌊(33 + 0 − 5)/2⌋ + 1 = **15**" in shape_text(at)
    at.selectbox(key="padding").set_value("same").run()
    # TensorFlow's rule: out = ceil(33/3) = 11, total pad (11-1)*3 + 5 - 33 = 2.
    assert "**rows**: ⌊(33 + 2 − 5)/3⌋ + 1 = **11**" in shape_text(at)
    at.number_input(key="dil_c").set_value(2).run()
    assert "(2·(5−1)+1)" in shape_text(at)
    assert result(at).shape == (11, 17)
    assert at.query_params["stride"] == ["3,2"] or at.query_params["stride"] == "3,2"


def test_unreached_rows_are_pointed_out():
    at = open_app(example="seed-2d")
    # 5 rows, 3 taps, stride 3: one window on rows 0..2; the next would need row 5.
    at.number_input(key="stride_r").set_value(3).run()
    assert any("never reaches the last 2 row(s) and 0 column(s)" in i.value for i in at.info)


def test_a_bad_combination_shows_the_library_message_and_keeps_the_last_result():
    at = open_app(example="seed-2d")
    before = result(at).copy()
    at.number_input(key="dil_r").set_value(20).run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "dilation (20, 1)" in message and "larger than the padded input" in message
    np.testing.assert_array_equal(result(at), before)
    assert len(at.get("plotly_chart")) == 3  # the last valid figures stay
    assert any("last valid result" in c.value for c in at.caption)
    at.number_input(key="dil_r").set_value(1).run()
    assert not at.error


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda at: at.text_input(key="shape").set_value("12 by 3"), ["shape", "12 by 3"]),
        (lambda at: at.text_input(key="shape").set_value("0x4"), ["shape", "0x4"]),
        (lambda at: at.selectbox(key="pad_mode").set_value("reflect"), ["reflect padding"]),
    ],
)
def test_bad_settings_are_reported_without_traceback(change, words):
    at = open_app(source="generate", shape="4x4", padding="9")
    change(at).run()
    assert not at.exception
    assert at.error, "an error message was expected"
    for word in words:
        assert word in at.error[0].value


def test_query_parameters_restore_the_controls():
    at = open_app(
        source="generate", dist="uniform", shape="9x7x2", seed="5", decimals="1", low="-2",
        high="3", filter="generate", kshape="2x3", filters="2", kseed="9", stride="2,1",
        padding="1,0,2,1", dilation="1,2", pad_mode="circular", flip="1", method="direct",
    )  # fmt: skip
    ss = at.session_state
    assert (ss["source"], ss["distribution"], ss["shape"]) == ("generate", "uniform", "9x7x2")
    assert (ss["seed"], ss["decimals"], ss["low"], ss["high"]) == (5, "1", -2.0, 3.0)
    assert (ss["kernel_source"], ss["kh"], ss["kw"], ss["filters"]) == ("generate", 2, 3, 2)
    assert (ss["stride_r"], ss["stride_c"], ss["dil_r"], ss["dil_c"]) == (2, 1, 1, 2)
    assert ss["padding"] == "custom"
    assert (ss["pad_t"], ss["pad_b"], ss["pad_l"], ss["pad_r"]) == (1, 0, 2, 1)
    assert (ss["pad_mode"], ss["flip"], ss["method"]) == ("circular", True, "direct")
    x = np.random.default_rng(5).uniform(-2, 3, size=(9, 7, 2)).round(1)
    k = np.random.default_rng(9).uniform(-2, 3, size=(2, 3, 2, 2)).round(1)
    want = reference_conv2d(
        x, k, stride=(2, 1), padding=((1, 0), (2, 1)), dilation=(1, 2), pad_mode="circular",
        flip=True,
    )  # fmt: skip
    np.testing.assert_allclose(result(at), want, rtol=1e-12)


def test_same_generator_link_reproduces_the_exercise(exercise_3d):
    _, _, first_row = exercise_3d
    at = open_app(source="generate", shape="33x33x3", seed="123", kshape="5x5", stride="2")
    np.testing.assert_allclose(result(at)[0, :4].round(2), first_row)


def test_an_unreadable_link_warns_and_opens_the_defaults():
    at = open_app(stride="fast")
    assert "'stride'" in at.warning[0].value and "'fast'" in at.warning[0].value
    assert not at.error and result(at) is not None


def test_explaining_a_cell_shows_products_that_sum_to_the_output(exercise_3d):
    x, k, _ = exercise_3d
    at = open_app(example="seed-3d")
    at.number_input(key="cell_row").set_value(4).run()
    at.number_input(key="cell_col").set_value(7).run()
    table = at.dataframe[0].value
    window = x[8:13, 14:19, :]  # independent: stride 2, rows 4*2.., cols 7*2..
    np.testing.assert_allclose(np.sort(table["x"]), np.sort(window.ravel()))
    np.testing.assert_allclose(np.sort(table["w"]), np.sort(k.ravel()))
    total = table["x·w"].sum()
    assert total == pytest.approx(result(at)[4, 7])
    assert any(f"{total:.6g}" in m.value for m in at.markdown)
    assert at.query_params["cell"] in ("4,7", ["4,7"])


def test_stepping_moves_the_explained_cell_in_row_major_order():
    at = open_app(example="seed-2d")
    at.toggle(key="step_on").set_value(True).run()
    at.slider(key="step_index").set_value(5).run()
    assert any("Explain output cell (1, 2)" in h.value for h in at.subheader)


def test_editing_a_cell_in_place_recomputes_and_updates_the_code(exercise_2d):
    x, k, _ = exercise_2d
    at = open_app(example="seed-2d")
    editor = next(e for e in at.data_editor if e.key.startswith("edit_x"))
    at.session_state[editor.key] = {
        "edited_rows": {1: {"2": 99.0}}, "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    at.run()
    edited = x.copy()
    edited[1, 2] = 99.0
    np.testing.assert_allclose(result(at), reference_conv2d(edited, k), rtol=1e-12)
    assert any("[0.13, 0.44, 99.0, -0.23, 0.19]" in c.value for c in at.code)


def test_play_advances_one_window_per_run_and_stops_at_the_end():
    at = open_app(example="seed-2d")
    at.slider(key="step_index").set_value(7).run()
    at.toggle(key="playing").set_value(True).run()  # would loop forever if it did not stop
    assert at.session_state["step_index"] == 8 and not at.session_state["playing"]
    assert any("Explain output cell (2, 2)" in h.value for h in at.subheader)


def test_switching_sources_keeps_hidden_choices():
    at = open_app(source="generate", shape="6x6", seed="42")
    at.radio(key="source").set_value("example").run()
    at.radio(key="source").set_value("generate").run()
    assert at.text_input(key="shape").value == "6x6"
    assert at.number_input(key="seed").value == 42


def test_picking_an_example_applies_its_parameters():
    at = open_app(example="seed-2d")
    at.selectbox(key="example").set_value("seed-3d").run()
    assert at.number_input(key="stride_r").value == 2
    assert result(at).shape == (15, 15)
    at.selectbox(key="example").set_value("test-image").run()
    assert at.selectbox(key="padding").value == "same"
    assert result(at).shape == (64, 64)


def test_presets_with_descriptions_and_several_filters():
    at = open_app(source="generate", dist="pattern", pattern="disk", shape="12x12")
    at.radio(key="kernel_source").set_value("preset").run()
    at.multiselect(key="presets").set_value(["sobel-x", "sobel-y"]).run()
    assert not at.error
    assert result(at).shape == (10, 10, 2)
    assert any("Horizontal gradient" in c.value for c in at.caption)


def test_reproducing_code_is_shown_for_both_libraries():
    at = open_app(example="seed-3d")
    code = [c.value for c in at.code]
    assert any("default_rng(123)" in c and "sliding_window_view" in c for c in code)
    assert any("F.conv2d(" in c for c in code)


def test_config_caps_uploads_and_hides_tracebacks():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB
    assert config["client"]["showErrorDetails"] is False


def chart_layouts(at: AppTest) -> list[dict]:
    """The plotly layout of the input, filter and output charts, in page order."""
    return [json.loads(chart.proto.spec)["layout"] for chart in at.get("plotly_chart")]


def chart_row(at: AppTest):
    """The block holding the three charts."""
    blocks = [at.main]
    while blocks:
        block = blocks.pop()
        kids = list(getattr(block, "children", {}).values())
        if sum(getattr(k, "type", "") == "plotly_chart" for k in kids) == 3:
            return block
        blocks += kids
    raise AssertionError("no block holds all three charts")


def test_charts_flow_in_a_wrapping_row_at_their_own_size():
    at = open_app(example="seed-2d")
    flex = chart_row(at).proto.flex_container
    assert flex.wrap and flex.direction == flex.Direction.HORIZONTAL


def test_the_2d_exercise_is_drawn_compactly_input_filter_and_output_side_by_side():
    layouts = chart_layouts(open_app(example="seed-2d"))
    # 16 px gaps between the three: they share one row of the main area.
    assert sum(layout["width"] for layout in layouts) + 2 * 16 <= figure_size.WIDTH
    assert max(layout["height"] for layout in layouts) <= 400
    x_cells = (layouts[0]["width"] - layouts[0]["margin"]["l"] - layouts[0]["margin"]["r"]) / 5
    assert 40 <= x_cells <= 56


def test_a_filter_bank_output_gets_a_full_row():
    at = open_app(example="test-image", filter="preset", preset="sobel-x,sobel-y")
    _, k_layout, out_layout = chart_layouts(at)
    # Too wide to sit beside the filter: the output wraps to a row of its own.
    assert k_layout["width"] + 16 + out_layout["width"] > figure_size.WIDTH
    assert out_layout["width"] >= 0.95 * figure_size.WIDTH
    assert k_layout["width"] <= 0.4 * figure_size.WIDTH


@pytest.mark.parametrize("limit, refused", [(64 * 64 * 2, False), (64 * 64 * 2 - 1, True)])
def test_output_cell_limit_counts_each_filter_once(monkeypatch, limit, refused):
    # The test-image with two presets gives a 64x64x2 output: 8192 cells.
    import streamlit as st

    st.cache_resource.clear()  # the limit is checked where the result is computed and cached
    monkeypatch.setattr(limits, "MAX_OUTPUT_CELLS", limit)
    at = open_app(example="test-image", filter="preset", preset="sobel-x,sobel-y")
    errors = [e.value for e in at.error]
    if refused:
        assert any(f"the output would have 8,192 cells, more than {limit:,}" in e for e in errors)
    else:
        assert errors == []
        assert result(at).shape == (64, 64, 2)
    st.cache_resource.clear()
