"""The Convolve page driven through its widgets and links with streamlit.testing.v1.AppTest.

Outputs are read from the output figure the page draws and compared with the
loop reference; widgets are found by their keys (``w.<setting>``).
"""

import json

import numpy as np
import pytest
import tomllib
from apptest import ROOT, figures, open_app, output_shown, result
from reference import reference_conv2d
from streamlit.testing.v1 import AppTest

from conv import io as conv_io
from conv.app import figure_size, limits


def shape_text(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "⌊" in m.value)


def drawn(at: AppTest) -> np.ndarray:
    out = output_shown(at)
    assert out is not None, "no output drawn"
    return out[..., 0] if out.shape[2] == 1 else out


def test_a_bare_link_opens_the_exercise_as_stated(exercise_3d):
    x, k, first_row = exercise_3d
    at = open_app()
    out = drawn(at)
    assert out.shape == (15, 15)
    np.testing.assert_allclose(out, reference_conv2d(x, k, stride=2), rtol=1e-12)
    np.testing.assert_allclose(out[0, :4].round(2), first_row)
    assert "⌊(33 + 0 − 5)/2⌋ + 1 = **15**" in shape_text(at)
    assert at.number_input(key="w.stride.0").value == 2
    assert len(at.get("plotly_chart")) == 3 and not at.error and not at.warning


def test_seed_2d_gives_the_published_numbers(exercise_2d):
    _, _, published = exercise_2d
    np.testing.assert_allclose(drawn(open_app(example="seed-2d")).round(2), published)


@pytest.mark.parametrize(
    "query",
    [
        {"example": "seed-2d", "stride": "3"},
        {"source": "generate", "shape": "3x3", "kshape": "3x3"},
        {"example": "seed-3d", "stride": "64"},
    ],
)
def test_a_one_by_one_output_is_drawn_without_an_error(query):
    at = open_app(**query)
    good = result(at)
    assert good.out.shape[:2] == (1, 1)
    want = reference_conv2d(good.x, good.kernel, stride=good.settings.stride)
    np.testing.assert_allclose(drawn(at).reshape(want.shape), want, rtol=1e-12)
    assert any("1×1 output" in c.value for c in at.caption)
    at.toggle(key="w.flip").set_value(True).run()
    assert not at.exception and not at.error


def test_changing_stride_padding_and_dilation_updates_the_shape_text():
    at = open_app(example="seed-3d")
    at.number_input(key="w.stride.0").set_value(3).run()
    assert "**rows**: ⌊(33 + 0 − 5)/3⌋ + 1 = **10**" in shape_text(at)
    assert "**cols**: ⌊(33 + 0 − 5)/2⌋ + 1 = **15**" in shape_text(at)
    at.selectbox(key="w.padding").set_value("same").run()
    # TensorFlow's rule: out = ceil(33/3) = 11, total pad (11-1)*3 + 5 - 33 = 2.
    assert "**rows**: ⌊(33 + 2 − 5)/3⌋ + 1 = **11**" in shape_text(at)
    at.number_input(key="w.dilation.1").set_value(2).run()
    assert "(2·(5−1)+1)" in shape_text(at)
    assert drawn(at).shape == (11, 17)
    assert at.query_params["stride"] in (["3,2"], "3,2")


def test_unreached_rows_are_pointed_out():
    at = open_app(example="seed-2d")
    # 5 rows, 3 taps, stride 2 rows: windows on rows 0..2 and 2..4; stride 3: only 0..2.
    at.number_input(key="w.stride.0").set_value(3).run()
    # Rows 0-2 are the only window's; 3 and 4 are read by none. Every column is read.
    assert any("No window reads input rows 3–4 (drawn" in i.value for i in at.info)
    band = [t for t in figures(at)[0]["data"] if t.get("name") == "read by no window"]
    assert band, "the unread rows are drawn on the input"


def test_rows_between_dilated_taps_are_named_and_drawn():
    at = open_app(example="seed-2d", dilation="2", stride="2")
    # One window of a 3x3 kernel at dilation 2 reads rows and columns 0, 2 and 4 only.
    note = next(i.value for i in at.info if "No window reads" in i.value)
    assert "rows 1, 3 and columns 1, 3" in note
    band = [t for t in figures(at)[0]["data"] if t.get("name") == "read by no window"]
    assert len(band) == 1


def test_a_bad_combination_shows_the_library_message_and_keeps_the_last_result():
    at = open_app(example="seed-2d")
    before = drawn(at).copy()
    at.number_input(key="w.dilation.0").set_value(20).run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "dilation (20, 1)" in message and "larger than the padded input" in message
    np.testing.assert_array_equal(drawn(at), before)
    assert any("last valid result" in c.value for c in at.caption)
    at.number_input(key="w.dilation.0").set_value(1).run()
    assert not at.error


@pytest.mark.parametrize(
    ("text", "words"),
    [("12 by 3", ["shape='12 by 3'", "NxN or NxNxN"]), ("0x4", ["shape='0x4'", "from 1 to"])],
)
def test_a_bad_shape_is_named_the_text_kept_and_the_last_result_shown(text, words):
    at = open_app(source="generate", shape="4x4")
    before = drawn(at).copy()
    at.text_input(key="w.shape").set_value(text).run()
    assert not at.exception
    for word in words:
        assert word in at.error[0].value
    assert at.text_input(key="w.shape").value == text  # what the user typed stays to be fixed
    np.testing.assert_array_equal(drawn(at), before)
    at.text_input(key="w.shape").set_value("5x6").run()
    assert not at.error and drawn(at).shape == (3, 4)


def test_a_reflect_padding_too_large_for_the_input_is_named():
    at = open_app(source="generate", shape="4x4", padding="custom", pad="9")
    at.selectbox(key="w.pad_mode").set_value("reflect").run()
    assert not at.exception and "reflect padding 9" in at.error[0].value


def test_query_parameters_restore_the_controls():
    at = open_app(
        source="generate", dist="uniform", shape="9x7x2", seed="5", decimals="1", low="-2",
        high="3", filter="generate", kshape="2x3", filters="2", kseed="9", stride="2,1",
        padding="custom", pad="1,0,2,1", dilation="1,2", pad_mode="circular", flip="1",
        method="direct",
    )  # fmt: skip
    values = {key: at.session_state[key] for key in at.session_state if key.startswith("w.")}
    assert values["w.shape"] == "9x7x2" and values["w.distribution"] == "uniform"
    assert (at.number_input(key="w.seed").value, at.selectbox(key="w.decimals").value) == (5, "1")
    assert (at.number_input(key="w.low").value, at.number_input(key="w.high").value) == (-2, 3)
    assert at.radio(key="w.kernel_source").value == "generate"
    assert [at.number_input(key=f"w.pad.{i}").value for i in range(4)] == [1, 0, 2, 1]
    assert at.selectbox(key="w.pad_mode").value == "circular" and at.toggle(key="w.flip").value
    x = np.random.default_rng(5).uniform(-2, 3, size=(9, 7, 2)).round(1)
    k = np.random.default_rng(9).uniform(-2, 3, size=(2, 3, 2, 2)).round(1)
    want = reference_conv2d(
        x, k, stride=(2, 1), padding=((1, 0), (2, 1)), dilation=(1, 2), pad_mode="circular",
        flip=True,
    )  # fmt: skip
    np.testing.assert_allclose(output_shown(at), want, rtol=1e-12)


def test_same_generator_link_reproduces_the_exercise(exercise_3d):
    _, _, first_row = exercise_3d
    at = open_app(source="generate", shape="33x33x3", seed="123", kshape="5x5", stride="2")
    np.testing.assert_allclose(drawn(at)[0, :4].round(2), first_row)


def test_a_bad_link_value_is_named_and_the_valid_ones_kept(exercise_2d):
    _, _, published = exercise_2d
    at = open_app(example="seed-2d", padding="-1", stride="100", colour="red")
    warning = at.warning[0].value
    assert "padding='-1'" in warning and "stride='100'" in warning and "colour" in warning
    assert "from 1 to 64" in warning
    np.testing.assert_allclose(drawn(at).round(2), published)  # seed-2d kept, not seed-3d


def test_a_pattern_input_works_with_a_generated_filter():
    at = open_app(source="generate", dist="pattern", pattern="disk", filter="generate")
    assert not at.error
    good = result(at)
    np.testing.assert_allclose(drawn(at), reference_conv2d(good.x, good.kernel), rtol=1e-12)
    for source in ("preset", "upload", "generate"):
        at.radio(key="w.kernel_source").set_value(source).run()
        assert not at.exception


def test_an_upload_link_says_files_cannot_travel_in_links():
    at = open_app(source="upload", filter="preset")
    assert any("files cannot travel in a link" in i.value for i in at.info)
    assert not any("Nothing to show" in i.value for i in at.info)


def test_a_refused_upload_points_at_the_setting_not_at_uploading_again():
    at = open_app(source="upload", filter="preset", preset="box-blur", ksize="3")
    tiny = np.arange(4.0).reshape(2, 2)  # smaller than the 3×3 filter
    at.file_uploader(key="x_upload.file").set_value(
        ("tiny.npy", conv_io.to_npy(tiny), "application/octet-stream")
    ).run()
    assert not at.exception and at.error
    assert not [i for i in at.info if "files cannot travel" in i.value]
    assert any("change the setting named above" in i.value for i in at.info)


# numpy warns on the server's stderr as the products overflow; the page's note is the test.
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_overflow_is_explained_with_the_cells_and_the_reason():
    at = open_app(source="generate", dist="uniform", low="1e299", high="1e300", shape="5x5")
    note = next(w.value for w in at.warning if "not a finite number" in w.value)
    assert "9 of 9 output cells" in note and "(0, 0)" in note and "overflowed" in note


def test_explaining_a_cell_shows_products_that_sum_to_the_output(exercise_3d):
    x, k, _ = exercise_3d
    at = open_app(example="seed-3d")
    at.number_input(key="w.cell.0").set_value(4).run()
    at.number_input(key="w.cell.1").set_value(7).run()
    table = at.dataframe[0].value
    window = x[8:13, 14:19, :]  # independent: stride 2, rows 4*2.., cols 7*2..
    np.testing.assert_allclose(np.sort(table["x"]), np.sort(window.ravel()))
    np.testing.assert_allclose(np.sort(table["w"]), np.sort(k.ravel()))
    total = table["x·w"].sum()
    assert total == pytest.approx(drawn(at)[4, 7])
    assert any(f"{total:.6g}" in m.value for m in at.markdown)
    assert at.query_params["cell"] in ("4,7", ["4,7"])
    sums = at.dataframe[1].value  # per input channel
    np.testing.assert_allclose(sums["Σ x·w"], (window * k).sum(axis=(0, 1)))
    assert list(sums["products"]) == [25] * 3 and list(sums["on padding"]) == [0] * 3


def test_the_products_say_which_taps_read_padding_and_only_then(exercise_3d):
    x = exercise_3d[0]
    at = open_app(example="seed-3d", padding="same", cell="0,0")
    table = at.dataframe[0].value
    # "same" at stride 2: (17 - 1) * 2 + 5 - 33 = 4 rows of padding, 2 before: rows -2..2.
    window = np.pad(x, ((2, 2), (2, 2), (0, 0)))[0:5, 0:5, :]
    np.testing.assert_array_equal(table["x"], window.ravel())
    padded = np.zeros((5, 5, 3), bool)
    padded[:2], padded[:, :2] = True, True
    assert list(table["note"]) == ["padding (zero)" if p else "" for p in padded.ravel()]
    at.selectbox(key="w.padding").set_value("valid").run()
    assert "note" not in at.dataframe[0].value.columns


def test_a_cell_past_the_output_is_explained_at_the_last_one():
    at = open_app(example="seed-2d", cell="40,1")
    assert any("Explain output cell (2, 1)" in h.value for h in at.subheader)


def test_a_cell_the_output_shrank_past_is_named_and_comes_back_with_the_output():
    at = open_app(example="seed-3d", cell="3,5")
    at.number_input(key="w.stride.0").set_value(29).run()
    at.number_input(key="w.stride.1").set_value(29).run()
    assert result(at).out.shape[:2] == (1, 1)
    # The boxes keep the typed cell; the page says which cell it explains instead, and why.
    assert (at.number_input(key="w.cell.0").value, at.number_input(key="w.cell.1").value) == (3, 5)
    assert any("Explain output cell (0, 0)" in h.value for h in at.subheader)
    assert any("(3, 5) is past this 1 × 1 output" in c.value for c in at.caption)
    at.number_input(key="w.stride.0").set_value(2).run()
    at.number_input(key="w.stride.1").set_value(2).run()
    assert any("Explain output cell (3, 5)" in h.value for h in at.subheader)
    assert not any("is past this" in c.value for c in at.caption)
    good = result(at)
    window = good.x[6:11, 10:15]  # stride 2: rows 3*2.., cols 5*2..
    assert any(f"{np.sum(window * good.kernel):.6g}" in m.value for m in at.markdown)


def test_stepping_moves_the_explained_cell_in_row_major_order():
    at = open_app(example="seed-2d")
    at.toggle(key="step_on").set_value(True).run()
    at.slider(key="position.3x3").set_value(5).run()
    assert any("Explain output cell (1, 2)" in h.value for h in at.subheader)
    assert np.isnan(drawn(at)).sum() == 3  # cells after the sixth are not computed yet
    at.button[1].click().run()  # next
    assert any("Explain output cell (2, 0)" in h.value for h in at.subheader)
    at.button[0].click().run()  # previous
    assert any("Explain output cell (1, 2)" in h.value for h in at.subheader)


def test_play_runs_to_the_end_at_the_chosen_speed_and_stops(monkeypatch):
    at = open_app(example="seed-2d")
    at.select_slider(key="speed").set_value(50).run()
    at.toggle(key="playing").set_value(True).run()
    import time

    time.sleep(0.3)  # 50 cells/s: the nine cells are played by now
    at.run()
    at.run()
    assert not at.toggle(key="playing").value
    assert any("Explain output cell (2, 2)" in h.value for h in at.subheader)
    assert not np.isnan(drawn(at)).any()


def _edit_input_cell(at, row: int, col: int, value: float) -> None:
    """Type ``value`` into cell (row, col) of the open input editor, and rerun."""
    editor = next(e for e in at.data_editor if e.key.startswith("edit_x"))
    at.session_state[editor.key] = {
        "edited_rows": {row: {str(col): value}}, "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    at.run()


def test_editing_a_cell_in_place_recomputes_and_updates_the_code(exercise_2d):
    x, k, _ = exercise_2d
    at = open_app(example="seed-2d")
    assert not [e for e in at.data_editor if e.key.startswith("edit_x")]  # closed: not drawn
    at.session_state["edit_x_open"] = True
    at.run()
    _edit_input_cell(at, 1, 2, 99.0)
    edited = x.copy()
    edited[1, 2] = 99.0
    np.testing.assert_allclose(drawn(at), reference_conv2d(edited, k), rtol=1e-12)
    assert any("[0.13, 0.44, 99.0, -0.23, 0.19]" in c.value for c in at.code)


def test_edits_outlive_their_closed_editor_and_show_when_it_opens_again(exercise_2d):
    x, k, _ = exercise_2d
    at = open_app(example="seed-2d")
    at.session_state["edit_x_open"] = True
    at.run()
    _edit_input_cell(at, 1, 2, 99.0)
    edited = x.copy()
    edited[1, 2] = 99.0
    at.session_state["edit_x_open"] = False
    at.run()
    at.run()  # a further run draws no editor: Streamlit has forgotten its state by now
    assert not [e for e in at.data_editor if e.key.startswith("edit_x")]
    np.testing.assert_allclose(drawn(at), reference_conv2d(edited, k), rtol=1e-12)
    at.session_state["edit_x_open"] = True
    at.run()
    (editor,) = [e for e in at.data_editor if e.key.startswith("edit_x")]
    assert editor.value.iloc[1, 2] == 99.0  # the table shows the kept edit
    _edit_input_cell(at, 0, 0, -5.0)  # a second edit adds to the first
    edited[0, 0] = -5.0
    np.testing.assert_allclose(drawn(at), reference_conv2d(edited, k), rtol=1e-12)


def test_edits_of_one_input_do_not_follow_to_another(exercise_2d):
    at = open_app(example="seed-2d")
    at.session_state["edit_x_open"] = True
    at.run()
    _edit_input_cell(at, 1, 2, 99.0)
    at.radio(key="w.source").set_value("generate").run()
    x = result(at).x
    assert 99.0 not in x  # the generated input, unedited
    np.testing.assert_allclose(drawn(at), reference_conv2d(x, result(at).kernel), rtol=1e-12)


def test_switching_sources_keeps_hidden_choices():
    at = open_app(source="generate", shape="6x6", seed="42")
    at.radio(key="w.source").set_value("example").run()
    at.radio(key="w.source").set_value("generate").run()
    assert at.text_input(key="w.shape").value == "6x6"
    assert at.number_input(key="w.seed").value == 42
    # The example brought its stride 2; leaving it brings the user's stride 1 back.
    assert at.number_input(key="w.stride.0").value == 1 and drawn(at).shape == (4, 4)
    assert at.radio(key="w.kernel_source").value == "same-rng"


def test_picking_an_example_applies_its_parameters():
    at = open_app(example="seed-2d")
    at.selectbox(key="w.example").set_value("seed-3d").run()
    assert at.number_input(key="w.stride.0").value == 2
    assert drawn(at).shape == (15, 15)
    at.selectbox(key="w.example").set_value("test-image").run()
    assert at.selectbox(key="w.padding").value == "same"
    assert drawn(at).shape == (64, 64)


def test_presets_with_descriptions_and_several_filters():
    at = open_app(source="generate", dist="pattern", pattern="disk", shape="12x12")
    at.radio(key="w.kernel_source").set_value("preset").run()
    at.multiselect(key="w.presets").set_value(["sobel-x", "sobel-y"]).run()
    assert not at.error
    assert output_shown(at).shape == (10, 10, 2)
    assert any("Horizontal gradient" in c.value for c in at.caption)


def test_settings_json_loads_back():
    at = open_app(example="seed-2d")
    data = json.loads(result(at).settings.to_json())
    data.update(stride=[1, 2], example="seed-3d")
    at.file_uploader(key="settings_json").set_value(
        ("settings.json", json.dumps(data).encode(), "application/json")
    ).run()
    assert not at.exception and not at.error
    assert drawn(at).shape == (29, 15)
    assert at.number_input(key="w.stride.1").value == 2


def test_reproducing_code_is_shown_for_both_libraries():
    at = open_app(example="seed-3d")
    code = [c.value for c in at.code]
    assert any("default_rng(123)" in c and "sliding_window_view" in c for c in code)
    assert any("F.conv2d(" in c for c in code)


def test_an_unexpected_error_while_drawing_is_one_sentence_and_not_kept(monkeypatch):
    from conv.app import figures as app_figures

    at = open_app(example="seed-2d")
    good = result(at)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app_figures, "array_figure", broken)
    at.number_input(key="w.stride.0").set_value(2).run()
    assert not at.exception
    assert any("Something went wrong while drawing the result" in e.value for e in at.error)
    assert result(at) is good  # a result that failed to draw is never kept as good
    monkeypatch.undo()
    at.run()
    assert result(at).settings.stride == (2, 1)


def test_config_caps_uploads_and_hides_tracebacks():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB
    assert config["client"]["showErrorDetails"] == "none"


def test_the_entry_point_only_declares_pages_and_pages_stay_short():
    entry = (ROOT / "streamlit_app.py").read_text()
    assert len(entry.splitlines()) <= 60 and "st.navigation" in entry
    for page in (ROOT / "conv" / "app" / "pages").glob("*.py"):
        assert len(page.read_text().splitlines()) <= 300, page


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
    layouts = [f["layout"] for f in figures(open_app(example="seed-2d"))]
    # 16 px gaps between the three: they share one row of the main area.
    assert sum(layout["width"] for layout in layouts) + 2 * 16 <= figure_size.WIDTH
    assert max(layout["height"] for layout in layouts) <= 400
    x_cells = (layouts[0]["width"] - layouts[0]["margin"]["l"] - layouts[0]["margin"]["r"]) / 5
    assert 40 <= x_cells <= 56


def test_a_filter_bank_output_gets_a_full_row():
    at = open_app(example="test-image", filter="preset", preset="sobel-x,sobel-y")
    _, k_layout, out_layout = [f["layout"] for f in figures(at)]
    # Too wide to sit beside the filter: the output wraps to a row of its own.
    assert k_layout["width"] + 16 + out_layout["width"] > figure_size.WIDTH
    assert out_layout["width"] >= 0.95 * figure_size.WIDTH
    assert k_layout["width"] <= 0.4 * figure_size.WIDTH


@pytest.mark.parametrize("limit, refused", [(64 * 64 * 2, False), (64 * 64 * 2 - 1, True)])
def test_output_cell_limit_counts_each_filter_once(monkeypatch, limit, refused):
    # The test-image with two presets gives a 64x64x2 output: 8192 cells.
    monkeypatch.setattr(limits, "MAX_OUTPUT_CELLS", limit)
    at = open_app(example="test-image", filter="preset", preset="sobel-x,sobel-y")
    errors = [e.value for e in at.error]
    if refused:
        assert any(f"the output would have 8,192 cells, more than {limit:,}" in e for e in errors)
        assert result(at) is None
    else:
        assert errors == []
        assert output_shown(at).shape == (64, 64, 2)
