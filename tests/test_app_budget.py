"""The work budget: links that would stall a hosted server are refused before any work,
and whatever the budget admits stays within its price."""

import time
import tracemalloc

import numpy as np
import pytest
from apptest import open_app, result
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import reference_conv2d
from test_direct_limit import fft_bound, mixed_scales
from threadpoolctl import threadpool_limits

import conv
from conv import io as conv_io
from conv.app import budget, limits
from conv.app.result import precheck
from conv.app.settings import Settings
from conv.app.state import widget_key

# The links of the hosted-demo report: each held the server for a minute or took its memory.
STALLING_LINKS = [
    ({"source": "generate", "seed": "0", "shape": "512x512x64", "kshape": "63x63",
      "filters": "16", "padding": "same", "method": "direct"}, "would take about"),
    ({"source": "generate", "seed": "0", "shape": "1024x1024x16", "kshape": "63x63",
      "dilation": "32", "padding": "full", "stride": "2", "pad_mode": "replicate"},
     "would take about"),
    ({"source": "generate", "seed": "0", "shape": "512x512x64", "kshape": "63x63",
      "dilation": "32", "padding": "full", "stride": "2", "pad_mode": "replicate"},
     "would take about"),
    ({"source": "generate", "dist": "pattern", "shape": "16x16x65536", "filter": "preset",
      "preset": "gaussian", "ksize": "31"}, "the filter would be 31 × 31 × 65536"),
    ({"source": "generate", "shape": "64x64x4096", "kshape": "63x63"},
     "the filter would be 63 × 63 × 4096"),
]  # fmt: skip


@pytest.mark.parametrize(("link", "words"), STALLING_LINKS)
def test_a_stalling_link_is_refused_from_its_shapes_in_under_a_second(link, words):
    s, problems = Settings.from_query(link)
    assert problems == []
    start = time.perf_counter()
    with pytest.raises(ValueError, match=words):
        precheck(s)
    assert time.perf_counter() - start < 1.0
    at = open_app(**link)
    assert not at.exception and result(at) is None
    message = at.error[0].value
    assert words in message and ("use a smaller" in message or "use fewer" in message)


def test_method_direct_is_priced_as_direct_not_as_what_auto_would_pick():
    x_shape, k_shape = (2048, 2048, 1), (31, 31)
    kwargs = {"stride": 1, "padding": "valid", "dilation": 1, "pad_mode": "zeros"}
    auto, _, _ = budget.price(x_shape, k_shape, {**kwargs, "method": "auto"})
    direct, _, macs = budget.price(x_shape, k_shape, {**kwargs, "method": "direct"})
    assert macs >= 2018 * 2018 * 31 * 31  # at least every product of the valid windows
    assert direct > limits.MAX_SECONDS > auto
    with pytest.raises(ValueError, match="or method 'auto'"):
        budget.check(x_shape, k_shape, {**kwargs, "method": "direct"})


side = st.integers(4, 160)


@settings(max_examples=25, deadline=None)
@given(
    shape=st.tuples(side, side, st.sampled_from([1, 3, 16])),
    kernel=st.tuples(st.integers(1, 21), st.integers(1, 21)),
    filters=st.sampled_from([1, 4]),
    stride=st.integers(1, 3),
    dilation=st.sampled_from([1, 2, 5]),
    padding=st.sampled_from(["valid", "same", "full"]),
    pad_mode=st.sampled_from(["zeros", "replicate"]),
    method=st.sampled_from(["auto", "direct", "fft"]),
)
def test_what_the_budget_admits_finishes_within_its_price(
    shape, kernel, filters, stride, dilation, padding, pad_mode, method
):
    k_shape = (*kernel, shape[2], filters)
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation,
              "pad_mode": pad_mode, "method": method}  # fmt: skip
    try:
        seconds, peak, _ = budget.check(shape, k_shape, kwargs)
    except ValueError:
        return  # refused: nothing to run
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=shape), rng.normal(size=k_shape)
    with threadpool_limits(1, user_api="blas"):  # as the app runs it
        tracemalloc.start()
        start = time.perf_counter()
        conv.conv2d(x, k, **kwargs)
        took = time.perf_counter() - start
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert used <= peak + 2**20
    # Loosely: three times the price, plus a little for a busy machine's scheduling.
    assert took <= 3 * seconds + 0.25


def test_an_upload_whose_scales_defeat_the_fft_is_drawn_from_the_fft_with_its_error_bound(
    monkeypatch,
):
    # Shapes price auto's FFT at a few ms; an image half 1e8, half 1e-8 leaves cells the
    # FFT cannot prove, summed directly at a cost only the data shows. Over the budget
    # (lowered here so a small problem shows it) the page draws the FFT's own result and
    # says how far from exact it may be, instead of holding the server.
    x, _ = mixed_scales()
    monkeypatch.setattr(limits, "MAX_DIRECT_MACS", 1000)
    at = open_app(source="upload", filter="preset", preset="gaussian", ksize="15")
    at.file_uploader(key="x_upload.file").set_value(
        ("scales.npy", conv_io.to_npy(x), "application/octet-stream")
    ).run()
    assert not at.exception and not at.error
    notes = [i.value for i in at.info if i.value.startswith("Computed by the FFT alone")]
    assert len(notes) == 1 and "1,000 (about 2 s) one request may sum here" in notes[0]
    shown = result(at)
    np.testing.assert_array_equal(shown.x, x)
    want = reference_conv2d(x[..., None], shown.kernel[..., None, None])[..., 0]
    bound = fft_bound(x, shown.kernel)
    assert np.abs(shown.out - want).max() <= bound
    assert f"±{bound:.2g}" in notes[0]
    # Asked for directly (priced from shapes, within the budget), it is summed exactly.
    monkeypatch.undo()
    at.selectbox(key=widget_key("method")).set_value("direct").run()
    assert not [i for i in at.info if i.value.startswith("Computed by the FFT alone")]
    np.testing.assert_allclose(result(at).out, want, rtol=1e-12, atol=1e-12 * np.abs(x).max())


def test_what_has_no_fft_bound_is_refused_with_the_numbers(monkeypatch):
    x = np.full((150, 140), 1e305)  # a window's sum could overflow the FFT's
    monkeypatch.setattr(limits, "MAX_DIRECT_MACS", 1000)
    kwargs = {"stride": 1, "padding": "valid", "dilation": 1, "pad_mode": "zeros", "method": "auto"}
    with pytest.raises(ValueError, match=r"could overflow.*more than the 1,000 .*use a smaller"):
        budget.bounded_conv2d(x, np.ones((21, 21)), **kwargs)
