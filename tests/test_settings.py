"""Settings and snippets: URL and JSON round trips, every bad key named, code that reproduces."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference import reference_conv2d

from conv import PAD_MODES
from conv.app.arrays import build_input, build_kernel
from conv.app.settings import Settings
from conv.app.snippets import numpy_code, torch_code


def run_snippet(code: str, tmp_path, monkeypatch, x=None, k=None) -> np.ndarray:
    """Execute generated code in a fresh namespace, next to the .npy downloads."""
    monkeypatch.chdir(tmp_path)
    if x is not None:
        np.save(tmp_path / "input.npy", x)
        np.save(tmp_path / "filter.npy", k)
    namespace: dict = {}
    exec(compile(code, "<snippet>", "exec"), namespace)
    return namespace["out"]


def reference_for(recipe: Settings, x, k):
    return reference_conv2d(
        x,
        k,
        stride=recipe.stride,
        padding=recipe.padding_arg,
        dilation=recipe.dilation,
        pad_mode=recipe.pad_mode,
        flip=recipe.flip,
    )


# -- query string --------------------------------------------------------------

recipes = st.builds(
    Settings,
    source=st.sampled_from(["example", "generate"]),
    example=st.sampled_from(["seed-2d", "seed-3d", "test-image"]),
    distribution=st.sampled_from(["normal", "uniform", "integers", "pattern"]),
    pattern=st.sampled_from(["disk", "checkerboard"]),
    shape=st.tuples(st.integers(1, 40), st.integers(1, 40))
    | st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(1, 4)),
    seed=st.integers(0, 2**31),
    decimals=st.none() | st.integers(0, 4),
    low=st.integers(-5, 0).map(float),
    high=st.integers(1, 5).map(float),
    kernel_source=st.sampled_from(["same-rng", "generate", "preset"]),
    presets=st.lists(st.sampled_from(["sobel-x", "gaussian", "box-blur"]), min_size=1).map(tuple),
    kernel_size=st.sampled_from([3, 5]),
    sigma=st.sampled_from([0.5, 1.0, 2.25]),
    kernel_shape=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    filters=st.integers(1, 4),
    kernel_seed=st.integers(0, 1000),
    stride=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    padding=st.sampled_from(["valid", "same", "full", "custom"]),
    pad=st.tuples(*[st.integers(0, 3)] * 4),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    pad_mode=st.sampled_from(PAD_MODES),
    flip=st.booleans(),
    method=st.sampled_from(["auto", "direct", "fft"]),
    cell=st.tuples(st.integers(0, 9), st.integers(0, 9)),
).map(Settings.fitted)


@given(recipes)
def test_query_round_trip_keeps_every_setting_that_matters(recipe):
    back, problems = Settings.from_query(recipe.to_query())
    assert problems == []
    assert all(isinstance(v, str) for v in recipe.to_query().values())
    # Settings of sources not in use are not written, by design; compare the rest.
    for name in ("source", "stride", "dilation", "padding", "pad_mode", "flip", "method", "cell"):
        assert getattr(back, name) == getattr(recipe, name), name
    if recipe.padding == "custom":
        assert back.pad == recipe.pad
    if recipe.source == "example":
        assert back.example == recipe.example
    else:
        assert back.distribution == recipe.distribution
        assert back.shape == recipe.shape
        if recipe.distribution != "pattern":
            assert (back.seed, back.decimals) == (recipe.seed, recipe.decimals)
    assert back.kernel_source == recipe.kernel_source


def test_example_alone_opens_with_the_examples_own_parameters():
    r, _ = Settings.from_query({"example": "seed-3d"})
    assert (r.source, r.example, r.kernel_source) == ("example", "seed-3d", "example")
    assert r.stride == (2, 2) and r.padding == "valid"
    image, _ = Settings.from_query({"example": "test-image"})
    assert (image.padding, image.pad_mode) == ("same", "replicate")


def test_explicit_parameters_override_the_example():
    r, _ = Settings.from_query({"example": "seed-3d", "stride": "1,3", "padding": "1,2,3,4"})
    assert r.stride == (1, 3)
    assert (r.padding, r.pad, r.padding_arg) == ("custom", (1, 2, 3, 4), ((1, 2), (3, 4)))


def test_streamlit_style_list_values_use_the_last_one():
    assert Settings.from_query({"stride": ["1", "3"]})[0].stride == (3, 3)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"stride": "two"}, ["stride='two'", "from 1 to 64"]),
        ({"stride": "0"}, ["stride='0'", "from 1 to 64"]),
        ({"stride": "100"}, ["stride='100'", "from 1 to 64"]),
        ({"dilation": "1,2,3"}, ["dilation='1,2,3'", "from 1 to 32"]),
        ({"padding": "big"}, ["padding='big'", "valid, same, full"]),
        ({"padding": "-1"}, ["padding='-1'", "from 0 to 512"]),
        ({"shape": "12"}, ["shape='12'", "NxN or NxNxN"]),
        ({"kshape": "99x99"}, ["kshape='99x99'", "from 1 to 63"]),
        ({"flip": "maybe"}, ["flip='maybe'", "0 or 1"]),
        ({"seed": "1.5"}, ["seed='1.5'", "integer"]),
        ({"seed": "-4"}, ["seed='-4'", "from 0 to"]),
        ({"example": "seed-4d"}, ["example='seed-4d'", "seed-2d"]),
        ({"pad_mode": "mirror"}, ["pad_mode='mirror'", "reflect"]),
        ({"source": "camera"}, ["source='camera'", "upload"]),
        ({"filter": "magic"}, ["filter='magic'", "preset"]),
        ({"pattern": "nope"}, ["pattern='nope'", "checkerboard"]),
        ({"preset": "laplacian"}, ["preset='laplacian'", "laplacian-4"]),
        ({"ksize": "4"}, ["ksize='4'", "odd"]),
        ({"colour": "red"}, ["colour", "unknown"]),
    ],
)
def test_each_bad_query_value_is_named_with_what_is_allowed(query, words):
    settings, problems = Settings.from_query(query)
    assert len(problems) == 1
    for word in words:
        assert word in problems[0]
    assert settings == Settings()  # nothing valid was given: the exercise as stated


def test_a_bad_key_does_not_throw_the_valid_ones_away():
    settings, problems = Settings.from_query(
        {"example": "seed-2d", "padding": "-1", "stride": "3", "dilation": "99"}
    )
    assert (settings.example, settings.stride, settings.padding) == ("seed-2d", (3, 3), "valid")
    assert settings.dilation == (1, 1)
    assert len(problems) == 2 and "padding='-1'" in problems[0] and "dilation='99'" in problems[1]


def test_a_bare_link_and_every_fallback_open_the_exercise_as_stated():
    for query in ({}, {"stride": "x"}, {"example": "nope"}):
        settings, _ = Settings.from_query(query)
        assert (settings.example, settings.stride, settings.kernel_source) == (
            "seed-3d", (2, 2), "example",
        )  # fmt: skip
    assert Settings() == Settings.from_query({})[0]


def test_a_generated_filter_works_with_a_pattern_input():
    s, problems = Settings.from_query(
        {"source": "generate", "dist": "pattern", "pattern": "disk", "filter": "generate"}
    )
    assert problems == [] and s.kernel_source == "generate"
    x = build_input(s)
    k = build_kernel(s, x)
    want = np.random.default_rng(s.kernel_seed).normal(size=k.shape).round(2)
    np.testing.assert_array_equal(k, want)


def test_json_holds_every_setting():
    r = Settings(stride=(2, 3), padding="custom", pad=(1, 0, 2, 0), flip=True)
    data = json.loads(r.to_json())
    assert data["stride"] == [2, 3] and data["pad"] == [1, 0, 2, 0] and data["flip"] is True
    assert set(data) == set(Settings.__dataclass_fields__)


@given(recipes)
def test_json_loads_back_to_the_same_settings(recipe):
    back, problems = Settings.from_json(recipe.to_json())
    assert problems == [] and back == recipe.fitted()


def test_bad_json_is_named():
    with pytest.raises(ValueError, match="not valid JSON"):
        Settings.from_json("{stride: 2")
    settings, problems = Settings.from_json('{"stride": [0, 2], "colour": 1, "flip": true}')
    assert settings.flip is True and settings.stride == (2, 2)
    assert any("colour" in p for p in problems) and any("stride='0,2'" in p for p in problems)


# -- arrays ----------------------------------------------------------------------


def test_same_generator_reproduces_the_exercise(exercise_3d):
    x_want, k_want, first_row = exercise_3d
    r, _ = Settings.from_query(
        {"source": "generate", "shape": "33x33x3", "seed": "123", "kshape": "5x5", "stride": "2"}
    )
    assert r.kernel_source == "same-rng"
    x = build_input(r)
    k = build_kernel(r, x)
    np.testing.assert_array_equal(x, x_want)
    np.testing.assert_array_equal(k, k_want)
    out = reference_for(r, x, k)
    assert out.shape == (15, 15)
    np.testing.assert_allclose(out[0, :4].round(2), first_row)


def test_generated_filter_bank_has_one_slice_per_filter():
    r = Settings(source="generate", shape=(6, 7), kernel_source="generate", filters=3)
    x = build_input(r)
    k = build_kernel(r, x)
    assert k.shape == (3, 3, 1, 3)
    want = np.random.default_rng(r.kernel_seed).normal(size=(3, 3, 1, 3)).round(2)
    np.testing.assert_array_equal(k, want)


def test_presets_stack_as_filters_and_average_over_channels():
    r = Settings(source="generate", shape=(5, 5, 3), kernel_source="preset", presets=("sobel-x",))
    k = build_kernel(r, build_input(r))
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]) / 3
    assert k.shape == (3, 3, 3)
    for c in range(3):
        np.testing.assert_allclose(k[:, :, c], sobel)
    two = Settings(
        source="generate", shape=(5, 5), kernel_source="preset", presets=("sobel-x",) * 2
    )
    assert build_kernel(two, build_input(two)).shape == (3, 3, 1, 2)


@pytest.mark.parametrize(
    ("recipe", "words"),
    [
        (Settings(source="upload", kernel_source="upload"), ["filter source 'upload'"]),
        (Settings(source="generate", kernel_source="example"), ["filter", "example"]),
        (Settings(source="generate", kernel_source="preset", presets=()), ["preset"]),
        (
            Settings(source="generate", distribution="pattern", kernel_source="same-rng"),
            ["same-rng", "random"],
        ),
    ],
)
def test_impossible_sources_say_what_is_missing(recipe, words):
    with pytest.raises(ValueError) as info:
        build_kernel(recipe, np.ones((4, 4)))
    for word in words:
        assert word in str(info.value)


# -- reproducing code ------------------------------------------------------------


def test_numpy_code_for_the_2d_exercise_prints_it_and_gives_the_published_answer(
    exercise_2d, tmp_path, monkeypatch
):
    x, k, published = exercise_2d
    r, _ = Settings.from_query({"example": "seed-2d"})
    code = numpy_code(r, x, k)
    assert "[0.15, 0.71, 0.26, -0.11, -2.03]" in code  # a literal, no files needed
    np.testing.assert_allclose(run_snippet(code, tmp_path, monkeypatch).round(2), published)


def test_numpy_code_for_the_3d_exercise_uses_the_seeded_generator(
    exercise_3d, tmp_path, monkeypatch
):
    x, k, first_row = exercise_3d
    code = numpy_code(Settings.from_query({"example": "seed-3d"})[0], x, k)
    assert "default_rng(123)" in code and "np.load" not in code
    out = run_snippet(code, tmp_path, monkeypatch)
    assert out.shape == (15, 15)
    np.testing.assert_allclose(out[0, :4].round(2), first_row)


CASES = [
    {"source": "generate", "shape": "9x8x2", "filters": "3", "padding": "1,2,0,1"},
    {"source": "generate", "shape": "9x9", "stride": "2,1", "dilation": "2", "flip": "1"},
    {"source": "generate", "shape": "7x9x2", "padding": "same", "pad_mode": "reflect"},
    {"source": "generate", "shape": "7x6", "padding": "full", "pad_mode": "circular"},
    {"source": "generate", "shape": "8x8x3", "padding": "2", "pad_mode": "replicate", "flip": "1"},
    {"source": "generate", "dist": "uniform", "shape": "6x6", "low": "-2", "high": "3"},
    {"source": "generate", "dist": "integers", "shape": "6x6x2", "decimals": "none"},
    {"source": "generate", "dist": "pattern", "pattern": "disk", "shape": "20x20x3"},
    {"source": "generate", "shape": "10x10", "filter": "preset", "preset": "sobel-x,sobel-y"},
    {
        "source": "generate",
        "dist": "pattern",
        "shape": "20x20",
        "filter": "preset",
        "preset": "sobel-x,laplacian-4",
    },
    {"source": "generate", "shape": "10x10", "filter": "generate", "kshape": "2x3", "kseed": "7"},
    {"example": "test-image", "stride": "3"},
]


@pytest.mark.parametrize("query", CASES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_numpy_and_torch_code_match_the_loop_reference(query, tmp_path, monkeypatch):
    r, _ = Settings.from_query(query)
    x = build_input(r)
    k = build_kernel(r, x)  # a 2-D input with a filter bank stays 2-D
    want = reference_for(r, x, k)
    got = run_snippet(numpy_code(r, x, k), tmp_path, monkeypatch, x, k)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    pytest.importorskip("torch")
    got = run_snippet(torch_code(r, x, k), tmp_path, monkeypatch, x, k)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_an_upload_source_is_not_built_from_settings():
    with pytest.raises(ValueError, match="source='upload' has no settings"):
        build_input(Settings(source="upload"))


def test_edited_arrays_are_not_described_by_their_generator(tmp_path, monkeypatch):
    r = Settings(source="generate", shape=(4, 4), kernel_source="same-rng")
    x = build_input(r)
    k = build_kernel(r, x)
    x = x.copy()
    x[1, 2] = 99.0  # as after an edit in the app
    code = numpy_code(r, x, k)
    assert "default_rng" not in code and "99.0" in code
    np.testing.assert_allclose(run_snippet(code, tmp_path, monkeypatch), reference_for(r, x, k))


def test_large_arrays_are_loaded_from_the_downloads(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 30))  # as if uploaded: no generator describes it
    k = rng.normal(size=(3, 3))
    r = Settings(source="upload", kernel_source="upload")
    code = numpy_code(r, x, k)
    assert 'np.load("input.npy")' in code and "k = np.array(" in code
    got = run_snippet(code, tmp_path, monkeypatch, x, k)
    np.testing.assert_allclose(got, reference_for(r, x, k))


def test_float32_arrays_stay_float32_in_the_code(tmp_path, monkeypatch):
    x = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    k = np.ones((2, 2), dtype=np.float32) / 3
    code = numpy_code(Settings(source="upload", kernel_source="upload", stride=(1, 1)), x, k)
    out = run_snippet(code, tmp_path, monkeypatch)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reference_conv2d(x, k), rtol=1e-6)


def test_a_2d_input_with_a_filter_bank_is_loaded_as_downloaded(tmp_path, monkeypatch):
    rng = np.random.default_rng(8)
    x = rng.normal(size=(20, 20))  # too large to print: the code loads input.npy
    k = rng.normal(size=(3, 3, 1, 2))
    r = Settings(source="upload", kernel_source="upload", padding="same")
    code = numpy_code(r, x, k)
    assert 'x = np.load("input.npy")' in code and "x = x[:, :, None]" in code
    got = run_snippet(code, tmp_path, monkeypatch, x, k)  # input.npy holds the 2-D array
    np.testing.assert_allclose(got, reference_for(r, x, k), rtol=1e-12, atol=1e-12)
