"""The FFT on row and column dilation lattices, against the loop reference.

Expected values come from tests/reference.py (padding looked up one index at
a time); memory is measured with tracemalloc. Whether columns split is
forced both ways, since the rule that picks it (conv._lattice.splits_columns)
keeps small problems whole.
"""

import tracemalloc
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import fits, padding_amounts, reference_conv2d, reference_pad

import conv
import conv._lattice as lattice
from conv._padded_input import PaddedInput
from conv._padding import pad

MODES = ("zeros", "replicate", "reflect", "circular")
PADDINGS = ("full", "same", ((2, 5), (6, 1)))


@pytest.fixture(params=[True, False], ids=["columns split", "columns whole"])
def column_split(request, monkeypatch):
    monkeypatch.setattr(lattice, "splits_columns", lambda *args: request.param)
    return request.param


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding", PADDINGS, ids=["full", "same", "explicit"])
@pytest.mark.parametrize(
    ("stride", "dilation"), [((1, 1), (2, 3)), ((2, 3), (4, 3)), ((3, 2), (3, 4)), ((2, 2), (2, 6))]
)
def test_fft_lattices_match_reference_lazy_and_eager(column_split, mode, padding, stride, dilation):
    rng = np.random.default_rng(7)
    x, k = rng.normal(size=(9, 11, 2)), rng.normal(size=(3, 2, 2, 3))
    pads = padding_amounts((9, 11), (3, 2), stride, padding, dilation)
    if not fits((9, 11), pads, mode):
        pytest.skip("mode refuses this much padding")
    expected = reference_conv2d(x, k, stride, padding, dilation, mode)
    for xp in (PaddedInput(x, pads, mode), pad(x, pads, mode)):
        out = lattice.correlate(xp, k, stride, dilation, "fft")
        np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding", PADDINGS, ids=["full", "same", "explicit"])
def test_conv2d_fft_with_both_dilations_matches_reference(column_split, mode, padding):
    rng = np.random.default_rng(8)
    x, k = rng.normal(size=(8, 10, 3)), rng.normal(size=(2, 3, 3, 4))
    kwargs = dict(stride=(2, 1), padding=padding, dilation=(3, 4), pad_mode=mode)
    expected = reference_conv2d(x, k, kwargs["stride"], padding, kwargs["dilation"], mode)
    if expected is None:
        pytest.skip("mode refuses this much padding")
    out = conv.conv2d(x, k, method="fft", **kwargs)
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-12)


@settings(max_examples=40)
@given(
    pads=st.tuples(*[st.integers(0, 6)] * 4),
    mode=st.sampled_from(MODES),
    rows=st.tuples(st.integers(0, 4), st.integers(1, 4), st.integers(1, 4)),
    cols=st.tuples(st.integers(0, 4), st.integers(1, 4), st.integers(1, 4)),
    key=st.tuples(st.integers(0, 3), st.integers(1, 3), st.integers(0, 3), st.integers(1, 3)),
)
def test_lattice_view_reads_the_reference_padding(pads, mode, rows, cols, key):
    x = np.random.default_rng(9).normal(size=(5, 4, 2))
    pads = ((pads[0], pads[1]), (pads[2], pads[3]))
    if not fits((5, 4), pads, mode):
        return
    expected = reference_pad(x, pads, mode)
    (r0, rs, nr), (c0, cs, nc) = rows, cols
    nr = min(nr, len(range(r0, expected.shape[0], rs)))
    nc = min(nc, len(range(c0, expected.shape[1], cs)))
    if nr == 0 or nc == 0:
        return
    view = PaddedInput(x, pads, mode).lattice((r0, rs, nr), (c0, cs, nc))
    sub = expected[r0 : r0 + rs * nr : rs, c0 : c0 + cs * nc : cs]
    assert view.shape == sub.shape
    region = (slice(key[0], None, key[1]), slice(key[2], None, key[3]))
    np.testing.assert_array_equal(view[region], sub[region])
    # A lattice of a lattice: the steps compose.
    inner = view.lattice((0, 2, -(-nr // 2)), (1 % nc, 1, nc - 1 % nc))
    np.testing.assert_array_equal(inner[:, :], sub[::2, 1 % nc :])


@pytest.mark.parametrize(
    ("padded_shape", "stride", "dilation"),
    [
        ((120, 130, 2), (1, 1), (8, 8)),
        ((97, 140, 1), (2, 3), (6, 9)),
        ((300, 300, 1), (1, 1), (32, 32)),
    ],
)
def test_work_counts_the_sub_problems_correlate_runs(monkeypatch, padded_shape, stride, dilation):
    kernel_shape = (3, 4, padded_shape[2], 2)
    monkeypatch.setattr(lattice, "splits_columns", lambda *args: True)
    seen = Counter()

    def record(sub, k, s, d):
        seen[(sub.shape, s, d)] += 1
        return np.zeros((conv_size(sub, k, s, d, 0), conv_size(sub, k, s, d, 1), k.shape[3]))

    monkeypatch.setitem(lattice.KERNELS, "fft", record)
    xp = np.zeros(padded_shape)
    lattice.correlate(xp, np.zeros(kernel_shape), stride, dilation, "fft")
    split = lattice._split(padded_shape, kernel_shape, stride, dilation, True)
    assert seen == Counter({(shape, s, d): n for n, shape, s, d in split})
    assert len(split) <= 4


def conv_size(sub, k, s, d, axis):
    return (sub.shape[axis] - d[axis] * (k.shape[axis] - 1) - 1) // s[axis] + 1


def peak_extra_bytes(fn):
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        return result, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("shape", "kshape", "kwargs"),
    [
        ((256, 256, 16), (63, 63, 16), dict(dilation=8, padding="full", stride=2)),
        ((128, 128, 16), (15, 15, 16), dict(dilation=16, padding="full")),
    ],
    ids=["issue-14 case /4", "128x128x16 d16"],
)
def test_dilated_full_padding_fft_memory_stays_within_4x_and_the_estimate(shape, kshape, kwargs):
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=shape), rng.normal(size=kshape)
    kwargs = dict(kwargs, pad_mode="replicate", method="fft")
    assert lattice.splits_columns(
        tuple(s + 2 * kwargs["dilation"] * (n - 1) for s, n in zip(shape, kshape[:2], strict=False))
        + shape[2:],
        (*kshape, 1),
        (kwargs.get("stride", 1),) * 2,
        (kwargs["dilation"],) * 2,
        "fft",
        lazy=True,
    )
    conv.conv2d(x, k, **kwargs)  # numpy keeps FFT plans: a cache, not the call's work
    out, peak = peak_extra_bytes(lambda: conv.conv2d(x, k, **kwargs))
    assert peak <= 4 * (x.nbytes + out.nbytes)
    assert peak <= conv.estimate(shape, kshape, **kwargs).peak_bytes
    # Spot-check cells against the loop reference (the whole output would take minutes).
    (top, _), (left, _) = padding_amounts(shape[:2], kshape[:2], 1, "full", kwargs["dilation"])
    stride, d = kwargs.get("stride", 1), kwargs["dilation"]
    for i, j in [(0, 0), (5, 77), (out.shape[0] - 1, out.shape[1] // 3)]:
        r = np.clip(i * stride + d * np.arange(kshape[0]) - top, 0, shape[0] - 1)
        c = np.clip(j * stride + d * np.arange(kshape[1]) - left, 0, shape[1] - 1)
        window = x[r[:, None], c[None, :]]
        assert out[i, j] == pytest.approx(float((window * k).sum()), rel=1e-9)


def test_auto_runs_its_exactness_checked_fft_on_the_lattices_it_prices(monkeypatch):
    """``auto`` picks the FFT here; it must run the split sub-problems ``method="fft"`` runs."""
    rng = np.random.default_rng(9)
    x, k = rng.normal(size=(128, 128, 1)), rng.normal(size=(15, 15, 1, 1))
    assert conv.estimate(x.shape, k.shape, padding="same", dilation=2).method == "fft"
    # Reference: 'same' for a 29-wide dilated reach is 14 zeros a side; one shifted sum per tap.
    xp = np.pad(x[..., 0], 14)
    expected = sum(
        xp[2 * m : 2 * m + 128, 2 * n : 2 * n + 128] * k[m, n, 0, 0]
        for m in range(15)
        for n in range(15)
    )
    fft = lattice.KERNELS["fft"]

    def sub_problems(method: str) -> set:
        shapes = set()
        record = lambda xp, *args: shapes.add(xp.shape) or fft(xp, *args)  # noqa: E731
        with monkeypatch.context() as m:
            m.setitem(lattice.KERNELS, "fft", record)
            out = conv.conv2d(x, k, method=method, padding="same", dilation=2)
        np.testing.assert_allclose(out[..., 0], expected, rtol=1e-9, atol=1e-12)
        return shapes

    split = sub_problems("fft")
    assert max(shape[0] for shape in split) < 128  # the rows are split
    assert sub_problems("auto") == split
