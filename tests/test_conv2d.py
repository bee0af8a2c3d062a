"""conv2d against the exercise's published numbers, the loop reference and scipy."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import reference_conv2d
from scipy import signal

import conv

METHODS = ["auto", "direct", "fft"]
PAD_MODES = ["zeros", "reflect", "replicate", "circular"]


@pytest.mark.parametrize("method", METHODS)
def test_exercise_2d_matches_published_answer(exercise_2d, method):
    x, kernel, expected = exercise_2d
    out = conv.conv2d(x, kernel, method=method)
    np.testing.assert_array_equal(out.round(2), expected)


@pytest.mark.parametrize("method", METHODS)
def test_exercise_3d_matches_published_first_row(exercise_3d, method):
    x, kernel, first = exercise_3d
    out = conv.conv2d(x, kernel, stride=2, method=method)
    assert out.shape == (15, 15)
    np.testing.assert_array_equal(out[0, :4].round(2), first)
    np.testing.assert_allclose(out, reference_conv2d(x, kernel, stride=2), rtol=1e-9, atol=1e-12)


@st.composite
def cases(draw, max_size=8):
    """Random input, kernel and arguments in every form the contract allows."""
    c = draw(st.integers(1, 3))
    h, w = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    x_2d = c == 1 and draw(st.booleans())
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    f = draw(st.integers(1, 4))
    kernel_form = draw(st.sampled_from(["2d", "3d", "4d"] if c == 1 else ["3d", "4d"]))
    k_shape = {"2d": (kh, kw), "3d": (kh, kw, c), "4d": (kh, kw, c, f)}[kernel_form]
    side = st.integers(0, 3)
    padding = draw(
        st.one_of(
            st.sampled_from(["valid", "same", "full"]),
            side,
            st.tuples(side, side),
            st.tuples(st.tuples(side, side), st.tuples(side, side)),
        )
    )
    step = st.integers(1, 3)
    stride = draw(st.one_of(step, st.tuples(step, step)))
    dilation = draw(st.one_of(step, st.tuples(step, step)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(h, w) if x_2d else (h, w, c))
    kernel = rng.normal(size=k_shape)
    kwargs = dict(
        stride=stride,
        padding=padding,
        dilation=dilation,
        pad_mode=draw(st.sampled_from(PAD_MODES)),
        flip=draw(st.booleans()),
    )
    return x, kernel, kwargs


@settings(max_examples=300)
@given(case=cases(), method=st.sampled_from(METHODS))
def test_float64_matches_loop_reference(case, method):
    x, kernel, kwargs = case
    expected = reference_conv2d(x, kernel, **kwargs)
    if expected is None:
        # The reference found the kernel does not fit or the padding mode refuses.
        with pytest.raises(ValueError):
            conv.conv2d(x, kernel, method=method, **kwargs)
        return
    out = conv.conv2d(x, kernel, method=method, **kwargs)
    assert out.dtype == np.float64
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9)


@settings(max_examples=100)
@given(case=cases(max_size=12))
def test_direct_and_fft_agree_in_float64(case):
    x, kernel, kwargs = case
    try:
        direct = conv.conv2d(x, kernel, method="direct", **kwargs)
    except ValueError:
        return  # invalid combinations are covered against the reference above
    fft = conv.conv2d(x, kernel, method="fft", **kwargs)
    scale = np.abs(x).max() * np.abs(kernel).sum()
    np.testing.assert_allclose(fft, direct, rtol=1e-9, atol=1e-9 * scale)


@settings(max_examples=100)
@given(case=cases(), method=st.sampled_from(["direct", "fft"]))
def test_float32_in_gives_float32_close_to_reference(case, method):
    x, kernel, kwargs = case
    expected = reference_conv2d(x.astype(np.float32), kernel.astype(np.float32), **kwargs)
    if expected is None:
        return
    out = conv.conv2d(x.astype(np.float32), kernel.astype(np.float32), method=method, **kwargs)
    assert out.dtype == np.float32
    scale = np.abs(x).max() * np.abs(kernel).sum()
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5 * scale)


@pytest.mark.parametrize(
    ("x_dtype", "k_dtype", "out_dtype"),
    [
        (np.int64, np.int64, np.float64),
        (np.bool_, np.int8, np.float64),
        (np.uint8, np.float32, np.float64),
        (np.float16, np.float16, np.float32),
        (np.float32, np.float32, np.float32),
        (np.float32, np.float64, np.float64),
    ],
)
def test_output_dtype(x_dtype, k_dtype, out_dtype):
    x = np.arange(30).reshape(5, 6) % 3
    kernel = np.array([[1, 0], [2, 1]])
    out = conv.conv2d(x.astype(x_dtype), kernel.astype(k_dtype))
    assert out.dtype == out_dtype
    expected = reference_conv2d(x.astype(x_dtype), kernel.astype(k_dtype))
    np.testing.assert_allclose(out, expected, rtol=1e-3)


def test_integer_input_is_exact_beyond_int8_range():
    # A uint8 image must not wrap around when products exceed 255.
    x = np.full((3, 3), 200, dtype=np.uint8)
    out = conv.conv2d(x, np.full((3, 3), 3, dtype=np.uint8))
    assert out[0, 0] == 200 * 3 * 9


# scipy centres even kernels differently from TensorFlow's "same", so "same" uses odd ones.
@pytest.mark.parametrize(
    ("mode", "kernel_shape"),
    [(mode, shape) for mode in ("valid", "full") for shape in [(3, 3), (3, 5), (1, 1), (4, 2)]]
    + [("same", (3, 3)), ("same", (3, 5)), ("same", (1, 1)), ("same", (5, 1))],
)
def test_matches_scipy_correlate2d_and_convolve2d(mode, kernel_shape):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(9, 11))
    kernel = rng.normal(size=kernel_shape)
    np.testing.assert_allclose(
        conv.conv2d(x, kernel, padding=mode), signal.correlate2d(x, kernel, mode=mode), rtol=1e-12
    )
    np.testing.assert_allclose(
        conv.conv2d(x, kernel, padding=mode, flip=True),
        signal.convolve2d(x, kernel, mode=mode),
        rtol=1e-12,
    )


def test_circular_same_matches_scipy_wrap_boundary():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(7, 9))
    kernel = rng.normal(size=(3, 5))
    expected = signal.correlate2d(x, kernel, mode="same", boundary="wrap")
    out = conv.conv2d(x, kernel, padding="same", pad_mode="circular")
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_same_output_size_is_ceil_of_input_over_stride():
    x = np.ones((10, 7))
    for stride in (1, 2, 3, 4):
        out = conv.conv2d(x, np.ones((4, 3)), padding="same", stride=stride, dilation=2)
        assert out.shape == (-(-10 // stride), -(-7 // stride))


def test_multiple_filters_are_independent_convolutions():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(6, 7, 2))
    kernel = rng.normal(size=(3, 2, 2, 3))
    out = conv.conv2d(x, kernel, stride=(2, 1), padding=1)
    assert out.shape == (3, 8, 3)
    for f in range(3):
        single = conv.conv2d(x, kernel[..., f], stride=(2, 1), padding=1)
        np.testing.assert_allclose(out[..., f], single, rtol=1e-12)


def test_nan_spreads_only_to_windows_that_cover_it_under_auto():
    x = np.ones((12, 12))
    x[0, 0] = np.nan
    # A large kernel makes the cost model consider an FFT, which would smear NaN everywhere.
    out = conv.conv2d(x, np.ones((11, 11)), padding="same", method="auto")
    covers = np.zeros(out.shape, dtype=bool)
    covers[:6, :6] = True  # windows centred within 5 cells of the NaN
    np.testing.assert_array_equal(np.isnan(out), covers)


def test_accepts_lists_and_does_not_modify_inputs():
    x = np.arange(12.0).reshape(3, 4)
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    x_before, k_before = x.copy(), kernel.copy()
    out = conv.conv2d(x.tolist(), kernel.tolist(), padding="same", flip=True)
    np.testing.assert_allclose(out, reference_conv2d(x, kernel, padding="same", flip=True))
    conv.conv2d(x, kernel, padding=1, pad_mode="reflect", flip=True, method="fft")
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(kernel, k_before)


def test_library_never_imports_streamlit_plotly_or_pandas():
    # conv must stay usable (and cheap to import) outside the app; check in a fresh
    # interpreter because this test session may already have them loaded. Only
    # conv.app may use them.
    code = (
        "import importlib, pkgutil, sys, conv\n"
        "names = [m.name for m in pkgutil.walk_packages(conv.__path__, 'conv.')]\n"
        "library = [n for n in names if n != 'conv.app' and not n.startswith('conv.app.')]\n"
        "assert 'conv.io' in library and 'conv._conv2d' in library, library\n"
        "for name in library:\n"
        "    importlib.import_module(name)\n"
        "loaded = {'streamlit', 'plotly', 'pandas'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
