"""conv2d's max_direct_macs: what the data makes "auto" sum directly is bounded, and refused
with both numbers, so a server that prices the FFT from shapes cannot be made to wait.

Expected values come from tests/reference.py's loop and from counting the loop's
multiply-adds here (output cells × taps × channels × filters), never from the code
under test.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import reference_conv2d

import conv
from conv._exactness import zero_windows
from conv._method import choose_method


def mixed_scales(seed=1):
    """The exactness tests' image: one half 1e8, the other 1e-8 (cells the FFT cannot prove)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(96, 96))
    x[:, 48:] *= 1e-8
    x[:, :48] *= 1e8
    return x, rng.normal(size=(15, 15))


def fft_bound(x, k):
    """The FFT's documented error bound, u · log2(4HW) · ‖x‖₂ · ‖w‖₂, computed here."""
    return 2.0**-53 * np.log2(4 * x.shape[0] * x.shape[1]) * np.linalg.norm(x) * np.linalg.norm(k)


def loop_macs(x_shape, k_shape, stride=1):
    """Multiply-adds of the loop reference: output cells times taps, channels and filters."""
    (h, w, *_), (kh, kw, *rest) = x_shape, k_shape
    return ((h - kh) // stride + 1) * ((w - kw) // stride + 1) * kh * kw * int(np.prod(rest))


def test_cells_the_fft_cannot_prove_are_refused_over_the_limit_and_summed_at_it():
    x, k = mixed_scales()
    assert choose_method((96, 96, 1), (15, 15, 1, 1), (1, 1), (1, 1)) == "fft"
    with pytest.raises(conv.DirectWorkError, match=r"more than max_direct_macs=1,000") as caught:
        conv.conv2d(x, k, max_direct_macs=1000)
    error = caught.value
    assert "the FFT's error" in str(error) and f"{error.macs:,} multiply-adds" in str(error)
    # Some cells, never more than summing every cell directly would take (plus gathering).
    assert 1000 < error.macs <= loop_macs(x.shape, k.shape) * 6
    # At exactly the refused amount the call goes through, and meets the contract.
    out = conv.conv2d(x, k, max_direct_macs=error.macs)
    expected = reference_conv2d(x[..., None], k[..., None, None], 1, "valid", 1, "zeros")[..., 0]
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())
    np.testing.assert_array_equal(out, conv.conv2d(x, k))
    # The FFT's result it hands over, and the plain FFT's, are within its bound of the loop.
    assert error.fft_result.shape == expected.shape
    for fft in (error.fft_result, conv.conv2d(x, k, method="fft")):
        assert np.abs(fft - expected).max() <= error.fft_error
        assert np.abs(fft - expected).max() > 1e-12 * np.abs(expected[:, -1]).min()  # not exact


def test_data_the_fft_proves_needs_no_direct_sums_at_all():
    rng = np.random.default_rng(3)
    x, k = rng.random((150, 140)), rng.random((21, 21))  # positive: every cell proves itself
    assert choose_method((150, 140, 1), (21, 21, 1, 1), (1, 1), (1, 1)) == "fft"
    out = conv.conv2d(x, k, max_direct_macs=0)
    np.testing.assert_array_equal(out, conv.conv2d(x, k, method="fft"))


@pytest.mark.parametrize("method", ["direct", "auto"])
def test_a_direct_call_over_the_limit_is_refused_before_any_work(method, monkeypatch):
    x, k = np.ones((20, 18, 3)), np.ones((3, 3, 3, 2))
    assert choose_method((20, 18, 3), (3, 3, 3, 2), (1, 1), (1, 1)) == "direct"
    macs = loop_macs(x.shape, k.shape)  # 18 * 16 * 9 * 3 * 2
    monkeypatch.setattr("conv._conv2d.correlate", lambda *a: pytest.fail("summed anyway"))
    with pytest.raises(conv.DirectWorkError, match=f"take {macs:,} multiply-adds"):
        conv.conv2d(x, k, method=method, max_direct_macs=macs - 1)
    monkeypatch.undo()
    np.testing.assert_array_equal(conv.conv2d(x, k, max_direct_macs=macs), np.full((18, 16, 2), 27))


def test_the_fft_itself_is_not_limited():
    x, k = mixed_scales()
    out = conv.conv2d(x, k, method="fft", max_direct_macs=0)
    np.testing.assert_array_equal(out, conv.conv2d(x, k, method="fft"))


def test_grouped_calls_share_the_limit_between_their_groups():
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=(12, 12, 4)), rng.normal(size=(3, 3, 2, 4))
    macs = 10 * 10 * 9 * 2 * 4  # two groups of 2 channels and 2 filters each
    with pytest.raises(conv.DirectWorkError):
        conv.conv2d(x, k, groups=2, method="direct", max_direct_macs=macs - 2)
    out = conv.conv2d(x, k, groups=2, method="direct", max_direct_macs=macs)
    halves = [reference_conv2d(x[..., 2 * g : 2 * g + 2], k[..., 2 * g : 2 * g + 2], 1, "valid",
                               1, "zeros") for g in range(2)]  # fmt: skip
    np.testing.assert_allclose(out, np.concatenate(halves, axis=2), rtol=1e-12, atol=1e-12)
    depthwise = rng.normal(size=(3, 3, 1, 4))
    with pytest.raises(conv.DirectWorkError, match="max_direct_macs=10"):
        conv.conv2d(x, depthwise, groups=4, max_direct_macs=10)


@pytest.mark.parametrize("bad", [-1, 1.5, "100", True, [10]])
def test_a_bad_limit_is_refused_by_name(bad):
    with pytest.raises(
        ValueError, match=re.escape(f"max_direct_macs must be None or an integer >= 0, got {bad!r}")
    ):
        conv.conv2d(np.ones((4, 4)), np.ones((2, 2)), max_direct_macs=bad)


def test_nan_sends_auto_to_direct_sums_which_the_limit_bounds_too():
    rng = np.random.default_rng(3)
    x, k = rng.random((150, 140)), rng.random((21, 21))
    x[5, 5] = np.nan
    with pytest.raises(conv.DirectWorkError, match="NaN or infinity") as caught:
        conv.conv2d(x, k, max_direct_macs=10**6)
    assert caught.value.macs == loop_macs(x.shape, k.shape) and caught.value.fft_error is None
    out = conv.conv2d(x, k, max_direct_macs=caught.value.macs)
    assert np.isnan(out[:6, :6]).all() and np.isfinite(out[6:, 6:]).all()  # only its windows


def test_windows_of_zeros_are_exactly_zero_and_never_summed_directly():
    # A photo with black bars: windows over the bars sum to exactly 0, which the FFT's
    # error bound cannot prove; they must not be summed directly (the budget refused
    # such photos when they were), nor come out as the FFT's noise.
    x = np.zeros((150, 140))
    x[50:90, 40:80] = np.random.default_rng(4).random((40, 40)) + 0.5
    k = np.random.default_rng(5).random((21, 21)) + 0.5
    assert choose_method((150, 140, 1), (21, 21, 1, 1), (1, 1), (1, 1)) == "fft"
    out = conv.conv2d(x, k, max_direct_macs=100 * 21 * 21 * 6)  # a hundred gathered cells
    expected = reference_conv2d(x[..., None], k[..., None, None], 1, "valid", 1, "zeros")[..., 0]
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=0)
    touched = np.zeros(out.shape, bool)
    touched[50 - 20 : 90, 40 - 20 : 80] = True  # windows that reach the lit block
    assert (out[~touched] == 0).all() and (out[touched] > 0).all()


@settings(max_examples=80, deadline=None)
@given(
    h=st.integers(1, 12), w=st.integers(1, 12), kh=st.integers(1, 4), kw=st.integers(1, 4),
    sh=st.integers(1, 3), sw=st.integers(1, 3), dh=st.integers(1, 3), dw=st.integers(1, 3),
    density=st.sampled_from([0.0, 0.05, 0.3]), seed=st.integers(0, 2**16),
)  # fmt: skip
def test_zero_windows_are_the_windows_whose_span_holds_only_zeros(
    h, w, kh, kw, sh, sw, dh, dw, density, seed
):
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if eh > h or ew > w:
        return
    rng = np.random.default_rng(seed)
    x = np.where(rng.random((h, w, 2)) < density, rng.normal(size=(h, w, 2)), 0.0)
    mask = zero_windows(x, (kh, kw, 2, 1), (sh, sw), (dh, dw))
    oh, ow = (h - eh) // sh + 1, (w - ew) // sw + 1
    want = np.array([[not x[i * sh : i * sh + eh, j * sw : j * sw + ew].any()
                      for j in range(ow)] for i in range(oh)])  # fmt: skip
    np.testing.assert_array_equal(mask, want.reshape(oh, ow))


def test_a_grouped_call_hands_over_no_partial_result():
    x, _ = mixed_scales()
    x4 = np.repeat(x[..., None], 4, axis=2)  # two groups of two channels
    k = np.random.default_rng(2).normal(size=(15, 15, 2, 2))
    assert choose_method((96, 96, 2), (15, 15, 2, 1), (1, 1), (1, 1)) == "fft"
    with pytest.raises(conv.DirectWorkError) as caught:
        conv.conv2d(x4, k, groups=2, max_direct_macs=1000)
    assert caught.value.fft_error is not None and caught.value.fft_result is None
