"""Shape helpers and padding against formulas and per-index lookups written here."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import output_size, padding_amounts, source

import conv
from conv._padding import source_index

step = st.integers(1, 4)
pad_spec = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 4),
    st.tuples(st.integers(0, 4), st.integers(0, 4)),
    st.tuples(
        st.tuples(st.integers(0, 4), st.integers(0, 4)),
        st.tuples(st.integers(0, 4), st.integers(0, 4)),
    ),
)


@settings(max_examples=300)
@given(
    h=st.integers(1, 20),
    w=st.integers(1, 20),
    kh=st.integers(1, 6),
    kw=st.integers(1, 6),
    stride=st.tuples(step, step),
    dilation=st.tuples(step, step),
    padding=pad_spec,
)
def test_output_shape_resolve_padding_and_unreached(h, w, kh, kw, stride, dilation, padding):
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    pads = padding_amounts((h, w), (kh, kw), stride, padding, dilation)
    oh = output_size(h, kh, stride[0], dilation[0], *pads[0])
    ow = output_size(w, kw, stride[1], dilation[1], *pads[1])
    if oh == 0 or ow == 0:
        with pytest.raises(ValueError, match="effective kernel"):
            conv.output_shape((h, w), (kh, kw), **kwargs)
        return
    assert conv.resolve_padding((h, w), (kh, kw), **kwargs) == pads
    assert conv.output_shape((h, w), (kh, kw), **kwargs) == (oh, ow)
    assert conv.output_shape((h, w, 2), (kh, kw, 2, 5), **kwargs) == (oh, ow, 5)
    if padding == "same":
        assert (oh, ow) == (-(-h // stride[0]), -(-w // stride[1]))
    # The last real input row any tap of any window lands on, found by visiting every
    # tap (not the last tap's position: a stride can jump past the last real rows into
    # the bottom padding); everything below it is unreached.
    expected = []
    for n, k, s, d, (before, _), out in zip(
        (h, w), (kh, kw), stride, dilation, pads, (oh, ow), strict=True
    ):
        read = [i * s + m * d - before for i in range(out) for m in range(k)]
        real = [r for r in read if 0 <= r < n]
        expected.append(n - 1 - max(real) if real else n)
    assert conv.unreached((h, w), (kh, kw), **kwargs) == tuple(expected)


def test_output_shape_agrees_with_conv2d_result():
    x = np.ones((11, 9, 2))
    for kernel_shape in [(3, 3, 2), (2, 4, 2, 3)]:
        for padding in ["valid", "same", "full", 2, (1, 0), ((0, 3), (2, 1))]:
            kwargs = dict(stride=(2, 3), padding=padding, dilation=(1, 2))
            out = conv.conv2d(x, np.ones(kernel_shape), **kwargs)
            assert out.shape == conv.output_shape(x.shape, kernel_shape, **kwargs)


def test_unreached_worked_examples():
    # 7 rows, kernel 3, stride 2: windows start at 0, 2, 4 and cover rows 0..6, nothing left.
    assert conv.unreached((7, 7), (3, 3), stride=2) == (0, 0)
    # 8 rows: same windows, row 7 missed; 10 columns at stride 4: starts 0, 4, so 7..9 missed.
    assert conv.unreached((8, 10), (3, 3), stride=(2, 4)) == (1, 3)
    # 5 rows + 2 bottom padding, stride 3: windows cover padded rows 0..5, only padding is missed.
    # 5 columns unpadded: one window covers 0..2, columns 3 and 4 are missed.
    assert conv.unreached((5, 5), (3, 3), stride=3, padding=((0, 2), (0, 0))) == (0, 2)
    # "same" only fixes the output size: 2 windows of 3 at stride 4 need no padding on 8 rows,
    # so row 7 is still missed.
    assert conv.unreached((8, 8), (3, 3), stride=4, padding="same") == (1, 1)


def test_resolve_padding_same_even_kernel_puts_extra_bottom_right():
    assert conv.resolve_padding((6, 6), (4, 2), padding="same") == ((1, 2), (0, 1))
    assert conv.resolve_padding((6, 6), (4, 2), padding="same", dilation=3) == ((4, 5), (1, 2))


def test_shapes_accept_numpy_ints_and_lists():
    shape = np.array([7, 7])
    assert conv.output_shape(shape, [np.int64(3), 3], stride=np.int32(2)) == (3, 3)


@settings(max_examples=200)
@given(
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    c=st.sampled_from([None, 1, 3]),
    pads=st.tuples(*(st.integers(0, 7),) * 4),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)
def test_pad_matches_per_index_lookup(h, w, c, pads, mode):
    x = (
        np.arange(h * w * (c or 1), dtype=np.float64).reshape((h, w) if c is None else (h, w, c))
        + 1
    )
    (top, bottom), (left, right) = padding = (pads[:2], pads[2:])
    too_much = {"reflect": lambda p, n: p >= n, "circular": lambda p, n: p > n}.get(mode)
    if too_much and any(too_much(p, n) for p, n in [(top, h), (bottom, h), (left, w), (right, w)]):
        with pytest.raises(ValueError, match=f"{mode} padding"):
            conv.pad(x, padding, mode)
        return
    out = conv.pad(x, padding, mode)
    assert out.shape == (h + top + bottom, w + left + right, *x.shape[2:])
    x3 = x.reshape(h, w, -1)
    for r in range(out.shape[0]):
        for col in range(out.shape[1]):
            i, j = source(r - top, h, mode), source(col - left, w, mode)
            expected = 0.0 if i is None or j is None else x3[i, j]
            np.testing.assert_array_equal(out.reshape(*out.shape[:2], -1)[r, col], expected)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("n", [1, 2, 5])
def test_source_index_matches_reference_lookup(mode, n):
    limit = {"reflect": n - 1, "circular": n}.get(mode, 2 * n + 3)
    index = np.arange(-limit, n + limit)
    expected = [-1 if source(i, n, mode) is None else source(i, n, mode) for i in index]
    np.testing.assert_array_equal(source_index(index, n, mode), expected)


def test_pad_keeps_dtype():
    x = np.arange(6, dtype=np.int16).reshape(2, 3)
    assert conv.pad(x, 1, "replicate").dtype == np.int16
    assert conv.pad(x.astype(np.float32), (1, 0)).dtype == np.float32
