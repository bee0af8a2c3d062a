"""The exactness contract of method="auto" (issue 13, findings 1-3), against math.fsum per cell.

Contract: for finite inputs every cell of conv2d(..., method="auto") is within
tolerance * sum|x * w| over the cell's window (1e-12 for float64), plus what
underflow rounds away, and a cell is non-finite only where the direct sum is.
"""

import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conv
from conv._method import choose_method

TINY = 2.0**-1074  # the spacing of subnormal float64s: underflow rounds to this much


def fsum_reference(x, k, stride=1, dilation=1):
    """(exact-ish sum, sum of |products|) per cell: math.fsum over every product, valid padding."""
    x3 = x.reshape(x.shape[0], x.shape[1], -1).astype(np.float64)
    k3 = k.reshape(k.shape[0], k.shape[1], -1).astype(np.float64)
    kh, kw = k3.shape[:2]
    oh = (x3.shape[0] - dilation * (kh - 1) - 1) // stride + 1
    ow = (x3.shape[1] - dilation * (kw - 1) - 1) // stride + 1
    exact, magnitude = np.empty((oh, ow)), np.empty((oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = x3[i * stride :: dilation, j * stride :: dilation][:kh, :kw]
            products = [
                float(a) * float(b) for a, b in zip(window.ravel(), k3.ravel(), strict=True)
            ]
            exact[i, j] = math.fsum(products)
            magnitude[i, j] = math.fsum(abs(p) for p in products)
    return exact, magnitude


def assert_contract(out, x, k, tol=1e-12, **kwargs):
    exact, magnitude = fsum_reference(x, k, **kwargs)
    taps = k.size
    allowed = tol * magnitude + taps * TINY
    error = np.abs(out.astype(np.float64) - exact)
    worst = np.unravel_index(np.argmax(error - allowed), error.shape)
    assert (error <= allowed).all(), (worst, out[worst], exact[worst], magnitude[worst])


def forced_fft():
    """Make the cost model pick the FFT, so small problems exercise its checks."""
    return mock.patch("conv._conv2d.choose_method", return_value="fft")


# --- the reproducers, with the real cost model --------------------------------------


def test_inf_in_the_kernel_stays_in_its_windows():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(150, 140))
    k = np.ones((21, 21))
    k[0, 0] = np.inf
    assert choose_method((150, 140, 1), (21, 21, 1, 1), (1, 1), (1, 1)) == "fft"
    out = conv.conv2d(x, k)
    assert not np.isnan(out).any()  # was 15,600 NaN cells
    # Each cell is +inf or -inf by the sign of the pixel the infinite tap reads.
    assert np.array_equal(out, np.where(x[:130, :120] > 0, np.inf, -np.inf))


def test_huge_finite_input_does_not_overflow():
    x = np.full((200, 200), 1e305)
    assert choose_method((200, 200, 1), (25, 25, 1, 1), (1, 1), (1, 1)) == "fft"
    out = conv.conv2d(x, np.ones((25, 25)))
    assert np.isfinite(out).all()
    assert np.allclose(out, 625 * 1e305, rtol=1e-12, atol=0)


def test_mixed_scales_keep_their_digits():
    rng = np.random.default_rng(1)
    # The 64x64 image with a 9x9 kernel now goes direct (the checked FFT
    # costs more); a 96x96 one with a 15x15 kernel still takes the checked FFT.
    x = rng.normal(size=(96, 96))
    x[:, 48:] *= 1e-8
    x[:, :48] *= 1e8
    k = rng.normal(size=(15, 15))
    assert choose_method((96, 96, 1), (15, 15, 1, 1), (1, 1), (1, 1)) == "fft"
    assert_contract(conv.conv2d(x, k), x, k)
    # The plain FFT does not meet it here, so the test above can fail.
    with pytest.raises(AssertionError):
        assert_contract(conv.conv2d(x, k, method="fft"), x, k)


def test_exactness_holds_with_stride_dilation_filters_and_float32():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40, 44, 2)) * np.where(rng.random((40, 44, 1)) < 0.5, 1e6, 1e-6)
    k = rng.normal(size=(4, 3, 2, 3))
    with forced_fft():
        out = conv.conv2d(x, k, stride=2, dilation=3)
        out32 = conv.conv2d(x.astype(np.float32), k.astype(np.float32), stride=2, dilation=3)
    assert out32.dtype == np.float32
    for f in range(3):
        assert_contract(out[..., f], x, k[..., f], stride=2, dilation=3)
        # float32 inputs: the same multiple of float32's rounding unit (~5.4e-4).
        x32, k32 = x.astype(np.float32), k[..., f].astype(np.float32)
        assert_contract(out32[..., f], x32, k32, tol=5.4e-4, stride=2, dilation=3)


def test_auto_keeps_the_fft_where_it_is_exact_enough():
    # Positive data, positive kernel: every cell's own magnitude proves the FFT's bound,
    # so auto returns the FFT's numbers untouched.
    rng = np.random.default_rng(3)
    x, k = rng.random((150, 140)), rng.random((21, 21))
    assert np.array_equal(conv.conv2d(x, k), conv.conv2d(x, k, method="fft"))


@pytest.mark.parametrize("dtype", [">f4", ">f2", "<f2", ">f8", ">i4"])
def test_dtype_by_value_not_by_byte_order(dtype):
    # Issue 13, finding 3: big-endian float32 from another machine's .npy stays float32.
    x = np.arange(16).reshape(4, 4).astype(dtype)
    out = conv.conv2d(x, np.ones((2, 2), dtype=dtype))
    wanted = np.float32 if np.dtype(dtype).kind == "f" and np.dtype(dtype).itemsize <= 4 else None
    assert out.dtype == (wanted or np.float64)
    assert out.dtype.isnative
    assert out[0, 0] == 0 + 1 + 4 + 5


# --- Hypothesis over magnitudes -----------------------------------------------------------


@st.composite
def scaled_problem(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    h, w = draw(st.integers(3, 12)), draw(st.integers(3, 12))
    kh, kw = draw(st.integers(1, min(h, 4))), draw(st.integers(1, min(w, 4)))
    c = draw(st.integers(1, 2))
    # Each array mixes a few decades far apart; products stay below the overflow threshold.
    x_scales = draw(st.lists(st.integers(-300, 300), min_size=1, max_size=3))
    room = min(300, 300 - max(x_scales))
    k_scales = draw(st.lists(st.integers(-300, room), min_size=1, max_size=2))
    x = rng.normal(size=(h, w, c)) * 10.0 ** rng.choice(x_scales, size=(h, w, c))
    k = rng.normal(size=(kh, kw, c)) * 10.0 ** rng.choice(k_scales, size=(kh, kw, c))
    if draw(st.booleans()):
        x[rng.random(x.shape) < 0.3] = 0.0  # windows of zeros must come out exactly 0
    if draw(st.booleans()):
        x, k = np.abs(x), np.abs(k)
    return x, k, draw(st.integers(1, 2)), draw(st.integers(1, 2))


@settings(max_examples=150, deadline=None)
@given(problem=scaled_problem())
def test_auto_meets_the_contract_over_magnitudes(problem):
    x, k, stride, dilation = problem
    if dilation * (k.shape[0] - 1) >= x.shape[0] or dilation * (k.shape[1] - 1) >= x.shape[1]:
        dilation = 1
    with forced_fft():
        out = conv.conv2d(x, k, stride=stride, dilation=dilation)
    assert_contract(out, x, k, stride=stride, dilation=dilation)
    assert np.isfinite(out).all()
