"""Grouped conv, transposed conv and pooling against loops; adjoint, gradient, explain, counts."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_reference import grouped_conv, pool, transposed_conv

import conv

pairs = st.tuples(st.integers(1, 3), st.integers(1, 3))


@settings(max_examples=25)
@given(
    hw=st.tuples(st.integers(3, 7), st.integers(3, 7)),
    groups=st.integers(1, 3),
    c_per=st.integers(1, 2),
    f_per=st.integers(1, 2),
    stride=pairs,
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    pads=st.tuples(*(st.integers(0, 2),) * 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_grouped_conv_matches_loop(hw, groups, c_per, f_per, stride, dilation, pads, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*hw, groups * c_per))
    k = rng.normal(size=(2, 3, c_per, groups * f_per))
    padding = (pads[:2], pads[2:])
    if hw[1] + sum(pads[2:]) < 2 * dilation[1] + 1 or hw[0] + sum(pads[:2]) < dilation[0] + 1:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv.conv2d(x, k, stride=stride, padding=padding, dilation=dilation, groups=groups)
        return
    expected = grouped_conv(x, k, stride, padding, dilation, groups)
    for method in ("direct", "fft", "auto"):
        out = conv.conv2d(
            x, k, stride=stride, padding=padding, dilation=dilation, groups=groups, method=method
        )
        np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9)


def test_depthwise_large_blocks_match_loop():
    # Wide enough for several row blocks of the depthwise loop, with a multiplier of 2.
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 300, 3))
    k = rng.normal(size=(3, 2, 1, 6))
    expected = grouped_conv(x, k, (2, 1), ((1, 1), (0, 1)), (1, 2), 3)
    out = conv.conv2d(x, k, stride=(2, 1), padding=((1, 1), (0, 1)), dilation=(1, 2), groups=3)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=25)
@given(
    hw=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    groups=st.integers(1, 2),
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=pairs,
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    seed=st.integers(0, 2**32 - 1),
)
def test_transposed_matches_loop(hw, groups, k, stride, dilation, padding, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*hw, 2 * groups))
    kernel = rng.normal(size=(*k, 2 * groups, 2))
    output_padding = (max(stride[0], dilation[0]) - 1, 0)
    kwargs = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    sizes = [
        (n - 1) * s - 2 * p + d * (kk - 1) + op + 1
        for n, s, p, d, kk, op in zip(hw, stride, padding, dilation, k, output_padding, strict=True)
    ]
    if min(sizes) < 1:
        with pytest.raises(ValueError, match="leaves no output"):
            conv.conv_transpose2d(x, kernel, groups=groups, **kwargs)
        return
    expected = transposed_conv(x, kernel, stride, padding, output_padding, dilation, groups)
    out = conv.conv_transpose2d(
        x,
        kernel,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
    )
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


@settings(max_examples=40)
@given(
    hw=st.tuples(st.integers(1, 8), st.integers(1, 8)),
    size=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=pairs,
    padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    ceil_mode=st.booleans(),
    mode=st.sampled_from(["max", "avg"]),
    count_include_pad=st.booleans(),
    divisor=st.sampled_from([None, 5]),
    seed=st.integers(0, 2**32 - 1),
)
def test_pool_matches_loop(
    hw, size, stride, padding, dilation, ceil_mode, mode, count_include_pad, divisor, seed
):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*hw, 2))
    padding = tuple(min(p, s // 2) for p, s in zip(padding, size, strict=True))
    if mode == "avg":
        dilation = (1, 1)
    else:
        divisor = None
    try:
        expected = pool(
            x, size, stride, padding, dilation, ceil_mode, mode, count_include_pad, divisor
        )
    except ValueError:  # an empty output: the loop cannot even allocate it
        expected = np.zeros((0, 0, 2))
    kwargs = dict(
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil_mode,
        mode=mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor,
    )
    if min(expected.shape[:2]) < 1:
        with pytest.raises(ValueError, match="does not fit"):
            conv.pool2d(x, size, **kwargs)
        return
    np.testing.assert_allclose(conv.pool2d(x, size, **kwargs), expected, rtol=1e-12, atol=1e-12)
    # Explain reproduces every cell, and a max winner holds the winning value.
    for row in range(expected.shape[0]):
        for col in range(expected.shape[1]):
            cell = conv.explain_pool_cell(x, size, row, col, channel=1, **kwargs)
            assert cell.value == pytest.approx(expected[row, col, 1], rel=1e-12, abs=1e-12)
            if mode == "max" and cell.winner is not None:
                assert x[(*cell.winner, 1)] == expected[row, col, 1]
                assert cell.divisor is None


def test_pool_explain_divisor_and_ceil_overhang():
    x = np.arange(25.0).reshape(5, 5)
    # ceil_mode's last window covers row 4, padding row 5 and overhang row 6.
    cell = conv.explain_pool_cell(x, 3, 2, 2, stride=2, padding=1, ceil_mode=True, mode="avg")
    assert cell.rows.tolist() == [3, 4, 5]
    assert cell.is_padding[:, 0].tolist() == [False, False, True]
    assert not cell.is_outside.any()
    assert cell.divisor == 9.0  # count_include_pad: 3x3 inside the padded frame
    plain = conv.explain_pool_cell(
        x, 3, 2, 2, stride=2, padding=1, ceil_mode=True, mode="avg", count_include_pad=False
    )
    assert plain.divisor == 4.0 and plain.value == (18 + 19 + 23 + 24) / 4


@settings(max_examples=25)
@given(
    hw=st.tuples(st.integers(4, 9), st.integers(4, 9)),
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=pairs,
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    groups=st.integers(1, 2),
    seed=st.integers(0, 2**32 - 1),
)
def test_adjoint_identity(hw, k, stride, dilation, padding, groups, seed):
    """<conv2d(a), b> = <a, conv_transpose2d(b)>, output_padding restoring a's size."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(*hw, 2 * groups))
    kernel = rng.normal(size=(*k, 2, 3 * groups))
    try:
        y_shape = conv.output_shape(
            a.shape, kernel.shape, stride=stride, padding=padding, dilation=dilation, groups=groups
        )
    except ValueError:
        return
    # The rows a strided window never reaches: (H + 2p - d(K-1) - 1) mod s.
    output_padding = tuple(
        (n + 2 * p - d * (kk - 1) - 1) % s
        for n, p, d, kk, s in zip(hw, padding, dilation, k, stride, strict=True)
    )
    if any(op >= max(s, d) for op, s, d in zip(output_padding, stride, dilation, strict=True)):
        return
    b = rng.normal(size=y_shape)
    forward = conv.conv2d(
        a, kernel, stride=stride, padding=padding, dilation=dilation, groups=groups
    )
    back = conv.conv_transpose2d(
        b,
        kernel.swapaxes(2, 3),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
    )
    assert back.shape == a.shape
    assert np.vdot(forward, b) == pytest.approx(np.vdot(a, back), rel=1e-10, abs=1e-10)


def test_adjoint_identity_on_indivisible_stride():
    # (7 + 2 - 2 - 1) = 6 is not a multiple of stride 4: output_padding 2 restores 7.
    rng = np.random.default_rng(1)
    a, kernel = rng.normal(size=(7, 7, 3)), rng.normal(size=(3, 3, 3, 2))
    forward = conv.conv2d(a, kernel, stride=4, padding=1)
    b = rng.normal(size=forward.shape)
    back = conv.conv_transpose2d(b, kernel.swapaxes(2, 3), stride=4, padding=1, output_padding=2)
    assert back.shape == a.shape
    assert np.vdot(forward, b) == pytest.approx(np.vdot(a, back), rel=1e-12)


def test_transpose_is_the_input_gradient():
    """Central differences of L(a) = <conv2d(a), b> match conv_transpose2d(b)."""
    rng = np.random.default_rng(2)
    a, kernel = rng.normal(size=(6, 5, 2)), rng.normal(size=(3, 2, 2, 3))
    params = dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2))
    b = rng.normal(size=conv.output_shape(a.shape, kernel.shape, **params))
    grad = conv.conv_transpose2d(b, kernel.swapaxes(2, 3), output_padding=(1, 0), **params)
    eps = 1e-6
    numeric = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        step = np.zeros_like(a)
        step[index] = eps
        up = np.vdot(conv.conv2d(a + step, kernel, **params), b)
        down = np.vdot(conv.conv2d(a - step, kernel, **params), b)
        numeric[index] = (up - down) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


def test_explain_transpose_cell_matches_loop_scatter():
    rng = np.random.default_rng(3)
    x, kernel = rng.normal(size=(3, 4, 4)), rng.normal(size=(3, 3, 4, 2))
    params = dict(stride=2, padding=1, output_padding=1, dilation=1, groups=2)
    expected = transposed_conv(x, kernel, (2, 2), (1, 1), (1, 1), (1, 1), 2)
    for row, col, f in [(0, 0, 0), (1, 2, 3), (4, 6, 1), (5, 7, 2)]:
        cell = conv.explain_transpose_cell(x, kernel, row, col, filter_index=f, **params)
        assert cell.value == pytest.approx(expected[row, col, f], rel=1e-12, abs=1e-12)
        # Every listed pair really lands on (row, col): i*s + m*d - p == row.
        assert np.all(cell.rows * 2 + cell.tap_rows - 1 == row)
        assert np.all(cell.cols * 2 + cell.tap_cols - 1 == col)
        assert cell.channels.tolist() == ([0, 1] if f < 2 else [2, 3])
    counts = conv.transpose_overlap(x.shape, kernel.shape, stride=2, padding=1, output_padding=1)
    ones = transposed_conv(
        np.ones((3, 4, 1)), np.ones((3, 3, 1, 1)), (2, 2), (1, 1), (1, 1), (1, 1), 1
    )
    np.testing.assert_array_equal(counts, ones[..., 0])


def test_explain_grouped_conv_cell_sees_its_group_only():
    rng = np.random.default_rng(4)
    x, kernel = rng.normal(size=(5, 5, 6)), rng.normal(size=(3, 3, 2, 6))
    expected = grouped_conv(x, kernel, (1, 1), ((1, 1), (1, 1)), (1, 1), 3)
    cell = conv.explain_cell(x, kernel, 2, 4, filter_index=5, padding=1, groups=3)
    assert cell.channels.tolist() == [4, 5]
    assert cell.window.shape == (3, 3, 2)
    assert cell.value == pytest.approx(expected[2, 4, 5], rel=1e-12)


def test_layer_counts_match_torch_and_hand_counts():
    torch = pytest.importorskip("torch")
    layer = torch.nn.Conv2d(32, 64, 3, padding=1, groups=4)
    counts = conv.layer_counts((56, 56, 32), (3, 3, 8, 64), padding=1, groups=4, bias=True)
    assert counts.params == sum(p.numel() for p in layer.parameters())
    # 56*56 outputs x 64 filters x 3*3 taps x 8 channels each.
    assert counts.macs == 56 * 56 * 64 * 9 * 8
    up = torch.nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1, groups=2, bias=False)
    t_counts = conv.layer_counts(
        (16, 16, 32), (4, 4, 32, 8), op="transpose", stride=2, padding=1, groups=2
    )
    assert t_counts.params == up.weight.numel()
    assert t_counts.output_shape == tuple(up(torch.zeros(1, 32, 16, 16))[0].permute(1, 2, 0).shape)
    # 16*16 inputs x 32 channels x 4*4 taps x 8 outputs of their group each.
    assert t_counts.macs == 16 * 16 * 32 * 16 * 8


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.output_shape((5, 5), (3, 3), output_padding=1), "applies to op='transpose'"),
        (lambda: conv.output_shape((5, 5), (3, 3), op="pool", groups=2), "does not apply"),
        (lambda: conv.output_shape((5, 5), (3, 3), op="nope"), "op must be one of"),
        (lambda: conv.output_shape((5, 5), (3, 3, 1), op="pool"), "pooling window"),
        (
            lambda: conv.conv_transpose2d(np.ones((3, 3)), np.ones((2, 2)), padding="same"),
            "numbers",
        ),
        (lambda: conv.pool2d(np.ones((4, 4)), 2, mode="avg", dilation=2), "max' only"),
        (lambda: conv.pool2d(np.ones((4, 4)), 2, mode="min"), "mode must be one of"),
        (lambda: conv.layer_counts((5, 5), (3, 3), op="pool"), "no parameters"),
    ],
)
def test_bad_arguments_name_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_resolve_padding_for_each_op():
    assert conv.resolve_padding((4, 4, 2), (4, 4, 2, 1), op="transpose", padding=(1, 0)) == (
        (1, 1),
        (0, 0),
    )
    assert conv.resolve_padding((9, 9), (3, 3), op="pool", padding=1) == ((1, 1), (1, 1))
    assert conv.resolve_padding((8, 8, 4), (3, 3, 1, 4), padding="same", groups=4) == (
        (1, 1),
        (1, 1),
    )
