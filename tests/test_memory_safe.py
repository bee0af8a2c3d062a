"""Padding per block, dilation lattices and conv.estimate, against the loop reference.

Expected values come from tests/reference.py's loop (padding looked up one
index at a time) and from ``conv.pad`` for the padded-on-read input; memory
is measured with tracemalloc, never taken from the estimate under test.
"""

import tracemalloc

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from reference import fits, padding_amounts, reference_conv2d, reference_pad

import conv
from conv._direct import correlate_direct
from conv._fft import correlate_fft
from conv._padded_input import PaddedInput

MODES = ("zeros", "reflect", "replicate", "circular")


@settings(max_examples=60)
@given(
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    pads=st.tuples(*[st.integers(0, 7)] * 4),
    mode=st.sampled_from(MODES),
    rows=st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(1, 4)),
    cols=st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(1, 4)),
)
def test_padded_input_regions_equal_the_reference_padding(h, w, pads, mode, rows, cols):
    pads = ((pads[0], pads[1]), (pads[2], pads[3]))
    if not fits((h, w), pads, mode):
        return
    x = np.random.default_rng(h * w).normal(size=(h, w, 2))
    expected = reference_pad(x, pads, mode)
    lazy = PaddedInput(x, pads, mode)
    key = (slice(*rows), slice(*cols))
    np.testing.assert_array_equal(lazy[key], expected[key])
    step = rows[2]
    count = len(range(1, expected.shape[0], step))  # the lattice lies inside, as kernels ask
    sub = lazy.lattice((1, step, count), (0, 1, lazy.shape[1]))[:, slice(*cols)]
    np.testing.assert_array_equal(sub, expected[1::step][:, slice(*cols)])


FORCED = [
    (correlate_direct, {"unrolled": True, "block_rows": 1}),
    (correlate_direct, {"unrolled": False, "block_rows": 2}),
    (correlate_direct, {"unrolled": False, "block_rows": None}),
    (correlate_fft, {"tile_rows": 1}),
    (correlate_fft, {"tile_rows": 3, "filter_block": 1}),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("stride", "dilation", "padding"),
    [((1, 1), (1, 1), 9), ((3, 2), (1, 1), ((11, 4), (2, 13))), ((2, 1), (3, 2), "full")],
)
def test_kernels_on_padded_on_read_input_match_reference(mode, stride, dilation, padding):
    rng = np.random.default_rng(1)
    x, k = rng.normal(size=(6, 7, 2)), rng.normal(size=(3, 2, 2, 3))
    pads = padding_amounts((6, 7), (3, 2), stride, padding, dilation)
    if not fits((6, 7), pads, mode):
        pytest.skip("mode refuses this much padding")
    expected = reference_conv2d(x, k, stride, padding, dilation, mode)
    for kernel, options in FORCED:
        out = kernel(PaddedInput(x, pads, mode), k, stride, dilation, **options)
        np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("shape", "kshape", "stride", "dilation", "padding"),
    [
        ((9, 8, 2), (3, 3, 2, 2), (2, 2), (4, 4), "full"),  # lattices and padding on read
        ((5, 6, 1), (2, 3, 1, 1), (1, 3), (5, 2), "full"),
        ((4, 4, 3), (3, 3, 3, 1), (3, 3), (1, 1), 4),  # padded area 16x the input
        ((10, 9, 2), (2, 2, 2, 2), (1, 1), (3, 1), "same"),  # eager pad, lattices
    ],
)
def test_conv2d_large_padding_and_dilation_match_reference(
    method, mode, shape, kshape, stride, dilation, padding
):
    rng = np.random.default_rng(2)
    x, k = rng.normal(size=shape), rng.normal(size=kshape)
    expected = reference_conv2d(x, k, stride, padding, dilation, mode)
    if expected is None:
        pytest.skip("mode refuses this much padding")
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, pad_mode=mode)
    out = conv.conv2d(x, k, method=method, **kwargs)
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9)
    assert conv.estimate(shape, kshape, method=method, **kwargs).output_shape == out.shape


def test_exercise_through_estimate_and_conv2d(exercise_3d):
    x, k, first_row = exercise_3d
    work = conv.estimate(x.shape, k.shape, stride=2)
    out = conv.conv2d(x, k, stride=2)
    assert work.output_shape == out.shape == (15, 15)
    assert work.explain_rows == 75
    # 225 cells, 75 products each: the direct method does exactly those.
    assert (work.method, work.macs) == ("direct", 225 * 75)
    np.testing.assert_array_equal(out[0, :4].round(2), first_row)


def test_estimate_refuses_what_conv2d_refuses():
    with pytest.raises(ValueError, match="pad_mode"):
        conv.estimate((5, 5), (3, 3), pad_mode="mirror")
    with pytest.raises(ValueError, match="reflect padding 5"):
        conv.estimate((5, 5), (3, 3), padding=5, pad_mode="reflect")
    with pytest.raises(ValueError, match="dtype"):
        conv.estimate((5, 5), (3, 3), dtype=np.int32)


def peak_extra_bytes(fn):
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


#: Allowed excess over peak_bytes: numpy's small per-call objects (index
#: arrays of a block, tap lists, views) that the byte count leaves out.
SLACK_BYTES = 64 << 10


@st.composite
def problems(draw):
    h, w, c = draw(st.integers(1, 40)), draw(st.integers(1, 40)), draw(st.integers(1, 6))
    kh, kw, f = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 4))
    kwargs = dict(
        stride=(draw(st.integers(1, 4)), draw(st.integers(1, 4))),
        dilation=(draw(st.integers(1, 6)), draw(st.integers(1, 6))),
        padding=draw(st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 30))),
        pad_mode=draw(st.sampled_from(MODES)),
        method=draw(st.sampled_from(["auto", "direct", "fft"])),
    )
    return (h, w, c), (kh, kw, c, f), kwargs, draw(st.sampled_from([np.float32, np.float64]))


@settings(max_examples=80)
@given(problem=problems())
# Found by Hypothesis: numpy's ufunc buffers (3 x 8192 values) were not counted.
@example(problem=((1, 1, 2), (3, 3, 2, 4), dict(stride=(1, 1), dilation=(1, 1), padding=22,
                  pad_mode="zeros", method="auto"), np.float32))  # fmt: skip
def test_estimate_shape_and_memory_bound_hold(problem):
    shape, kshape, kwargs, dtype = problem
    geometry = {key: kwargs[key] for key in ("stride", "padding", "dilation")}
    try:
        expected_shape = conv.output_shape(shape, kshape, **geometry)
        work = conv.estimate(shape, kshape, dtype=dtype, **kwargs)
    except ValueError:
        with pytest.raises(ValueError):
            conv.conv2d(np.zeros(shape, dtype), np.zeros(kshape, dtype), **kwargs)
        return
    assert work.output_shape == expected_shape
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=shape).astype(dtype), rng.normal(size=kshape).astype(dtype)
    # numpy's FFT keeps a plan per new length on first use (up to ~180 kB once):
    # a cache, not the call's work, so the bound is checked on a second call.
    conv.conv2d(x, k, **kwargs)
    peak = peak_extra_bytes(lambda: conv.conv2d(x, k, **kwargs))
    assert peak <= work.peak_bytes + SLACK_BYTES


@pytest.mark.parametrize("filters", [8, 16])
def test_row_lattices_of_an_eager_input_stay_within_the_estimate(filters):
    """The direct kernel copies a lattice (a strided view) before reading it: counted too."""
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=(256, 256, 3)), rng.normal(size=(3, 3, 3, filters))
    kwargs = dict(padding="same", dilation=4, method="direct")
    conv.conv2d(x, k, **kwargs)
    peak = peak_extra_bytes(lambda: conv.conv2d(x, k, **kwargs))
    assert peak <= conv.estimate(x.shape, k.shape, **kwargs).peak_bytes + SLACK_BYTES
