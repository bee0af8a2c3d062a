"""conv.unread and conv.unreached against a loop over every window and tap written here."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import fits, output_size, padding_amounts, source

import conv

step = st.integers(1, 5)
pad_spec = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.tuples(
        st.tuples(st.integers(0, 4), st.integers(0, 4)),
        st.tuples(st.integers(0, 4), st.integers(0, 4)),
    ),
)


def read_by_loop(n, k, s, d, before, after, mode):
    """Input indices some tap of some window reads, one window and tap at a time."""
    read = set()
    for i in range(output_size(n, k, s, d, before, after)):
        for m in range(k):
            index = source(i * s + m * d - before, n, mode)
            if index is not None:
                read.add(index)
    return read


@settings(max_examples=400, deadline=None)
@given(
    h=st.integers(1, 16),
    w=st.integers(1, 16),
    kh=st.integers(1, 5),
    kw=st.integers(1, 5),
    stride=st.tuples(step, step),
    dilation=st.tuples(step, step),
    padding=pad_spec,
    mode=st.sampled_from(conv.PAD_MODES),
)
def test_unread_and_unreached_match_a_loop(h, w, kh, kw, stride, dilation, padding, mode):
    pads = padding_amounts((h, w), (kh, kw), stride, padding, dilation)
    oh = output_size(h, kh, stride[0], dilation[0], *pads[0])
    ow = output_size(w, kw, stride[1], dilation[1], *pads[1])
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    if oh == 0 or ow == 0 or not fits((h, w), pads, mode):
        with pytest.raises(ValueError):
            conv.unread((h, w), (kh, kw), pad_mode=mode, **kwargs)
        return
    rows, cols = conv.unread((h, w), (kh, kw), pad_mode=mode, **kwargs)
    expected = []
    for n, k, s, d, side, got in zip(
        (h, w), (kh, kw), stride, dilation, pads, (rows, cols), strict=True
    ):
        read = read_by_loop(n, k, s, d, *side, mode)
        assert got.tolist() == [i for i in range(n) if i not in read]
        assert got.dtype == np.int64
        zero_read = read_by_loop(n, k, s, d, *side, "zeros")
        # unreached: the rows after the last real row read with zero padding.
        expected.append(n - 1 - max(zero_read) if zero_read else n)
    assert conv.unreached((h, w), (kh, kw), **kwargs) == tuple(expected)


def test_unread_reads_what_conv2d_reads():
    # A cell is read exactly when changing it can change the output: perturb each one.
    shape, kernel = (9, 8), np.ones((2, 3))
    kwargs = dict(stride=(3, 2), dilation=(2, 2), padding=((1, 2), (0, 3)), pad_mode="reflect")
    base = conv.conv2d(np.zeros(shape), kernel, method="direct", **kwargs)
    rows, cols = conv.unread(shape, kernel.shape, **kwargs)
    for r in range(shape[0]):
        for c in range(shape[1]):
            x = np.zeros(shape)
            x[r, c] = 1.0
            changed = not np.array_equal(conv.conv2d(x, kernel, method="direct", **kwargs), base)
            assert changed == (r not in rows and c not in cols), (r, c)


def test_unreached_counts_rows_a_stride_jumps_into_the_padding():
    # Issue 13, finding 8: 5 rows + 2 bottom padding, 1x1 kernel, stride 3 reads
    # padded rows 0, 3, 6: input rows 0 and 3. Row 4 is dropped (the old formula said 0).
    assert conv.unreached((5, 5), (1, 1), stride=3, padding=((0, 2), (0, 0))) == (1, 1)
    rows, cols = conv.unread((5, 5), (1, 1), stride=3, padding=((0, 2), (0, 0)))
    assert rows.tolist() == [1, 2, 4] and cols.tolist() == [1, 2, 4]


def test_unread_large_shapes_stay_fast_and_exact():
    # 100000 rows, 31 taps dilated by 7, stride 50: compare against the arithmetic directly.
    rows, _ = conv.unread((100_000, 8), (31, 1), stride=(50, 1), dilation=(7, 1))
    out = (100_000 - 7 * 30 - 1) // 50 + 1
    read = np.zeros(100_000, bool)
    for m in range(31):
        read[m * 7 : m * 7 + (out - 1) * 50 + 1 : 50] = True
    assert np.array_equal(rows, np.flatnonzero(~read))


def test_unread_refuses_bad_pad_mode_and_too_much_reflection():
    with pytest.raises(ValueError, match="pad_mode"):
        conv.unread((5, 5), (3, 3), pad_mode="mirror")
    with pytest.raises(ValueError, match="reflect padding 5"):
        conv.unread((5, 5), (3, 3), padding=5, pad_mode="reflect")
