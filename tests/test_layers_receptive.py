"""Receptive fields against brute force: push one-hot inputs through the stack in numpy.

With positive weights, zero biases and a non-negative input nothing cancels,
so an output cell is positive exactly when it depends on the input cell that
was lit. Convolutions use conv.conv2d (per group); transposed convolution and
pooling are loops written here.
"""

import random
from fractions import Fraction

import numpy as np
import pytest

import conv
from conv import layers as L

MAX_POOLS = (L.MaxPool2d, L.AvgPool2d)


def _pads(layer, axis):
    """Padding before/after along an axis, by PyTorch's rules, written out here."""
    k, d = layer.kernel_size[axis], layer.dilation[axis]
    if layer.padding == "same":
        return d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2
    if layer.padding == "valid":
        return 0, 0
    return layer.padding[axis], layer.padding[axis]


def _conv(x, layer, w):
    g = layer.groups
    ci, co = layer.in_channels // g, layer.out_channels // g
    pads = (_pads(layer, 0), _pads(layer, 1))
    parts = [
        conv.conv2d(
            x[..., i * ci : (i + 1) * ci],
            w[..., i * co : (i + 1) * co],
            stride=layer.stride,
            padding=pads,
            dilation=layer.dilation,
            pad_mode=layer.padding_mode,
            method="direct",
        )
        for i in range(g)
    ]
    return np.concatenate(parts, axis=2)


def _transposed(x, layer, w, out_hw):
    """Scatter: input cell (i, j) adds x[i, j] @ w[m, n] at (i*s + m*d - p, j*s + n*d - p)."""
    (sh, sw), (dh, dw), (ph, pw) = layer.stride, layer.dilation, layer.padding
    kh, kw = layer.kernel_size
    g = layer.groups
    ci, co = layer.in_channels // g, layer.out_channels // g
    h, wd = x.shape[:2]
    full = np.zeros((out_hw[0] + 2 * ph + kh * dh + sh, out_hw[1] + 2 * pw + kw * dw + sw, g * co))
    for m in range(kh):
        for n in range(kw):
            for group in range(g):
                contribution = (
                    x[..., group * ci : (group + 1) * ci] @ w[m, n, :, group * co :][:, :co]
                )
                full[
                    m * dh : m * dh + (h - 1) * sh + 1 : sh,
                    n * dw : n * dw + (wd - 1) * sw + 1 : sw,
                    group * co : (group + 1) * co,
                ] += contribution
    return full[ph : ph + out_hw[0], pw : pw + out_hw[1]]


def _pool(x, layer, out_hw):
    """Max over each window's taps; padding and overhang hold 0, below any lit value."""
    k, s, p = layer.kernel_size, layer.stride, layer.padding
    d = getattr(layer, "dilation", (1, 1))
    xp = np.zeros((x.shape[0] + 2 * p[0] + k[0] * d[0] + s[0] * out_hw[0],
                   x.shape[1] + 2 * p[1] + k[1] * d[1] + s[1] * out_hw[1], x.shape[2]))  # fmt: skip
    xp[p[0] : p[0] + x.shape[0], p[1] : p[1] + x.shape[1]] = x
    out = np.zeros((*out_hw, x.shape[2]))
    for m in range(k[0]):
        for n in range(k[1]):
            taps = xp[m * d[0] :: s[0], n * d[1] :: s[1]][: out_hw[0], : out_hw[1]]
            out = np.maximum(out, taps)
    return out


def _adaptive(x, out_hw):
    h, w = x.shape[:2]
    out = np.zeros((*out_hw, x.shape[2]))
    for i in range(out_hw[0]):
        r0, r1 = (i * h) // out_hw[0], -(-(i + 1) * h // out_hw[0])
        for j in range(out_hw[1]):
            c0, c1 = (j * w) // out_hw[1], -(-(j + 1) * w // out_hw[1])
            out[i, j] = x[r0:r1, c0:c1].max(axis=(0, 1))
    return out


def _forward(stack, weights, x, shapes):
    for layer, w, shape in zip(stack, weights, shapes, strict=True):
        hw = shape[2:]
        if isinstance(layer, L.Conv2d):
            x = _conv(x, layer, w)
        elif isinstance(layer, L.ConvTranspose2d):
            x = _transposed(x, layer, w, hw)
        elif isinstance(layer, MAX_POOLS):
            x = _pool(x, layer, hw)
        elif isinstance(layer, L.AdaptiveAvgPool2d):
            x = _adaptive(x, hw)
        assert x.shape == (*hw, shape[1])
    return x


def _weights(stack, rng):
    out = []
    for layer in stack:
        if isinstance(layer, (L.Conv2d, L.ConvTranspose2d)):
            shape = (*layer.kernel_size, layer.in_channels // layer.groups, layer.out_channels)
        else:
            out.append(None)
            continue
        out.append(rng.uniform(0.5, 1.5, size=shape))
    return out


def _dependencies(stack, trace, rng, channel_of_input=None):
    """deps[i, j] = output map (H, W, C) lit by input cell (i, j)."""
    weights = _weights(stack, rng)
    c, h, w = trace.input_shape
    shapes = [row.out_shape for row in trace.rows]
    deps = {}
    for i in range(h):
        for j in range(w):
            x = np.zeros((h, w, c))
            if channel_of_input is None:
                x[i, j] = 1
            else:
                x[i, j, channel_of_input] = 1
            deps[i, j] = _forward(stack, weights, x, shapes) > 0
    return deps


def _random_stack(rng: random.Random):
    c = rng.randint(1, 3)
    stack, channels = [], c
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["conv", "conv", "dilated", "transposed", "pool", "adaptive", "act"])
        if kind in ("conv", "dilated"):
            groups = rng.choice([g for g in (1, 2, 3) if channels % g == 0])
            stride = (rng.randint(1, 3), rng.randint(1, 2))
            pad = rng.choice([0, 1, (2, 0)] + (["same"] if stride == (1, 1) else []))
            dil = (rng.randint(2, 3), rng.randint(1, 3)) if kind == "dilated" else (1, 1)
            layer = L.Conv2d(
                channels,
                groups * rng.randint(1, 2),
                (rng.randint(1, 3), rng.randint(1, 4)),
                stride,
                pad,
                dil,
                groups,
                padding_mode=rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"]),
            )
        elif kind == "transposed":
            s, d = rng.randint(1, 3), rng.randint(1, 2)
            layer = L.ConvTranspose2d(
                channels, rng.randint(1, 2), rng.randint(1, 3), s, rng.randint(0, 1),
                rng.randint(0, max(s, d) - 1), 1, True, d,
            )  # fmt: skip
        elif kind == "pool":
            k = (rng.randint(1, 3), rng.randint(1, 3))
            pad = (rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2))
            stride = (rng.randint(1, 3), rng.randint(1, 3))
            layer = rng.choice(
                [
                    L.MaxPool2d(k, stride, pad, (rng.randint(1, 2), 1), False, rng.random() < 0.5),
                    L.AvgPool2d(k, stride, pad, rng.random() < 0.5),
                ]
            )
        elif kind == "adaptive":
            layer = L.AdaptiveAvgPool2d((rng.randint(1, 4), rng.choice([None, 3])))
        else:
            layer = L.Pointwise("ReLU")
        stack.append(layer)
        channels = getattr(layer, "out_channels", channels)
    return stack, (c, rng.randint(3, 11), rng.randint(3, 11))


def _check(rf, lit_by, out_cell, channel, copies_border, map_index=0):
    """The reached cells of a map (any channel) equal rf's reached rows x cols there."""
    r, c = out_cell
    picked = slice(None) if channel is None else channel
    reached = {cell for cell, out in lit_by.items() if out[r, c, picked].any()}
    at_input = rf.maps[map_index]
    assert reached == {(i, j) for i in at_input.reached_rows for j in at_input.reached_cols}
    if reached:
        rows, cols = zip(*reached, strict=True)
        assert at_input.rows == range(min(rows), max(rows) + 1)
        assert at_input.cols == range(min(cols), max(cols) + 1)
        if not copies_border:  # reflect/replicate/circular taps land far from the cell they copy
            assert at_input.padded_rows.start <= min(rows) <= max(rows) < at_input.padded_rows.stop


@pytest.mark.parametrize("seed", range(200))
def test_receptive_field_matches_brute_force(seed):
    rng = random.Random(seed)
    trace = None
    while trace is None or not trace.ok:  # draw until the stack runs on its input
        stack, chw = _random_stack(rng)
        trace = conv.trace_layers(stack, chw, layout="CHW")
    lit_by = {}
    for layer in sorted({rng.randrange(len(stack)), len(stack) - 1}):
        sub = stack[: layer + 1]
        lit_by = _dependencies(
            sub, conv.trace_layers(sub, chw, layout="CHW"), np.random.default_rng(seed)
        )
        _, c_out, h, w = trace.rows[layer].out_shape
        for _ in range(4):
            cell = (rng.randrange(h), rng.randrange(w))
            channel = rng.choice([None, rng.randrange(c_out)])
            rf = conv.receptive_field(trace, layer, *cell, channel=channel)
            copies = any(getattr(x, "padding_mode", "zeros") != "zeros" for x in stack)
            _check(rf, lit_by, cell, channel, copies)
            assert rf.maps[-1].rows == range(cell[0], cell[0] + 1)
            assert len(rf.maps) == layer + 2
        # An intermediate map: brute force from that map's shape through the rest.
        start = rng.randint(1, layer + 1) if layer else 0
        if start and start <= layer:
            sub = stack[start : layer + 1]
            c_mid, h_mid, w_mid = trace.rows[start - 1].out_shape[1:]
            sub_trace = conv.trace_layers(sub, (c_mid, h_mid, w_mid), layout="CHW")
            lit_mid = _dependencies(sub, sub_trace, np.random.default_rng(seed))
            rf = conv.receptive_field(trace, layer, *cell)
            copies = any(getattr(x, "padding_mode", "zeros") != "zeros" for x in stack)
            _check(rf, lit_mid, cell, None, copies, map_index=start)


def test_grouped_convolution_channels_by_brute_force():
    stack = [L.Conv2d(4, 4, 3, groups=4), L.Conv2d(4, 6, 1, groups=2)]  # depthwise, then 2 groups
    trace = conv.trace_layers(stack, (4, 6, 6))
    for out_channel, expected in ((0, range(0, 2)), (5, range(2, 4))):
        rf = conv.receptive_field(trace, 1, 2, 2, channel=out_channel)
        assert rf.maps[0].channels == expected
        for c_in in range(4):
            lit = _dependencies(stack, trace, np.random.default_rng(0), channel_of_input=c_in)
            reaches = any(out[2, 2, out_channel] for out in lit.values())
            assert reaches == (c_in in expected)


def test_unbounded_size_jump_and_offset_by_textbook_recurrence():
    rng = random.Random(5)
    for _ in range(30):
        stack = []
        for _ in range(rng.randint(1, 5)):
            k, s, d = rng.randint(1, 5), rng.randint(1, 3), rng.randint(1, 3)
            stack.append(rng.choice([L.Conv2d(1, 1, k, s, k // 2, d), L.MaxPool2d(k, s, k // 2)]))
        trace = conv.trace_layers(stack, (1, 300, 300))
        if not trace.ok:
            continue
        # r = 1 + sum (k - 1) * d * (product of earlier strides), written out here.
        size, jump, start = 1, 1, Fraction(0)
        for layer in stack:
            k, s = layer.kernel_size[0], layer.stride[0]
            d = layer.dilation[0]
            size += (k - 1) * d * jump
            start += Fraction((k - 1) * d, 2) * jump - layer.padding[0] * jump
            jump *= s
        h = trace.rows[-1].out_shape[2]
        rf = conv.receptive_field(trace, -1, h // 2, h // 2)
        assert rf.unbounded_size == (size, size)
        assert rf.jump == (jump, jump) and rf.offset == (start, start)
        inner = rf.maps[0].rows  # the centre cell's field, unclipped on a large input
        if len(inner) == size:
            assert Fraction(inner.start + inner.stop - 1, 2) == start + (h // 2) * jump


def test_dilated_stack_reaches_gaps_and_padding_is_shown():
    stack = [L.Conv2d(1, 1, 3, dilation=2), L.Conv2d(1, 1, 3, dilation=2)]
    trace = conv.trace_layers(stack, (1, 12, 12))
    rf = conv.receptive_field(trace, 1, 0, 0)
    assert rf.maps[0].reached_rows == (0, 2, 4, 6, 8)
    assert not rf.maps[0].dense
    padded = conv.trace_layers([L.Conv2d(1, 1, 5, padding=2)], (1, 6, 6))
    corner = conv.receptive_field(padded, 0, 0, 5).maps[0]
    assert (corner.rows, corner.cols) == (range(0, 3), range(3, 6))
    assert (corner.padded_rows, corner.padded_cols) == (range(-2, 3), range(3, 8))


def test_receptive_field_refuses_bad_cells():
    trace = conv.trace_layers([L.Conv2d(1, 2, 3), L.Flatten(), L.Linear(18, 2)], (1, 5, 5))
    with pytest.raises(ValueError, match="row must be from 0 to 2, got 3"):
        conv.receptive_field(trace, 0, 3, 0)
    with pytest.raises(ValueError, match="no \\(H, W\\) map"):
        conv.receptive_field(trace, 2, 0, 0)
    with pytest.raises(ValueError, match="layer must index"):
        conv.receptive_field(trace, 3, 0, 0)
    with pytest.raises(ValueError, match="channel must be"):
        conv.receptive_field(trace, 0, 0, 0, channel=2)
