"""The input-size solver against tracing every size one by one (the tracer is checked on torch)."""

import random

import pytest

import conv
from conv import layers as L
from conv.stacks import STACKS


def _exact_everywhere(trace):
    """Every size formula divides exactly, recomputed here from each layer's numbers."""
    for row in trace.rows:
        layer = row.layer
        for axis in (0, 1):
            if isinstance(layer, (L.Conv2d, L.MaxPool2d, L.AvgPool2d)):
                n = row.in_shape[2 + axis]
                k, s = layer.kernel_size[axis], layer.stride[axis]
                d = getattr(layer, "dilation", (1, 1))[axis]
                pad = layer.padding
                if pad == "same":
                    total = d * (k - 1)
                elif pad == "valid":
                    total = 0
                else:
                    total = 2 * pad[axis]
                if (n + total - d * (k - 1) - 1) % s:
                    return False
            elif isinstance(layer, L.AdaptiveAvgPool2d):
                target = layer.output_size[axis]
                if target is not None and row.in_shape[2 + axis] % target:
                    return False
    return True


@pytest.mark.parametrize("name", list(STACKS))
def test_examples_square_sizes_agree_with_tracing_each(name):
    stack = STACKS[name]
    found = conv.input_sizes(stack.layers, range(1, 80))
    c = stack.input_shape[0]
    for n in range(1, 80):
        trace = conv.trace_layers(stack.layers, (c, n, n), layout="CHW")
        if found.pairs is None:
            runs = n in found.rows.runs and n in found.cols.runs
        else:
            runs = any(n in h and n in w for h, w in found.pairs)
        assert trace.ok == runs, n
        if trace.ok:
            assert (n in found.rows.no_drop) == all(r.dropped == (0, 0) for r in trace.rows)
            assert (n in found.rows.exact) == (n in found.rows.no_drop and _exact_everywhere(trace))
    if found.smallest:
        assert conv.trace_layers(stack.layers, (c, *found.smallest), layout="CHW").ok


def test_unet_rule_is_multiples_of_four_and_round_trips():
    found = conv.input_sizes(STACKS["Small U-Net"].layers, range(1, 130))
    assert found.rows.exact == tuple(range(4, 130, 4))
    for n in (36, 37, 38, 39):
        out = conv.trace_layers(STACKS["Small U-Net"].layers, (1, n, n)).output_shape
        assert (out[2] == n) == (n in found.rows.exact)


def test_lenet_needs_400_features():
    found = conv.input_sizes(STACKS["LeNet-5"].layers, range(1, 120))
    assert (range(32, 36), range(32, 36)) in found.pairs
    # 16 * h * w = 400 at the Flatten: 5 x 5 (32 to 35 in), or 1 x 25 / 25 x 1; least area 32 x 32.
    assert found.smallest == (32, 32)
    for h, w in found.pairs:  # every rectangle corner runs, just outside does not
        assert conv.trace_layers(STACKS["LeNet-5"].layers, (1, h.start, w.stop - 1)).ok
        assert not conv.trace_layers(STACKS["LeNet-5"].layers, (1, h.start, w.stop)).ok


def test_random_rectangular_sizes_agree_with_tracing():
    from test_layer_stacks_torch import _random_stack

    rng = random.Random(3)
    for _ in range(40):
        stack, chw = _random_stack(rng)
        found = conv.input_sizes(stack, range(1, 30), channels=chw[0])
        for _ in range(10):
            h, w = rng.randint(1, 29), rng.randint(1, 29)
            ok = conv.trace_layers(stack, (chw[0], h, w), layout="CHW").ok
            if found.blocked is not None:
                assert not ok
            elif found.pairs is not None:
                assert ok == any(h in a and w in b for a, b in found.pairs)
            else:
                assert ok == (h in found.rows.runs and w in found.cols.runs)


def test_blocked_and_bad_arguments():
    found = conv.input_sizes([L.Conv2d(3, 8, 3), L.Conv2d(4, 8, 3)], range(1, 20))
    assert found.blocked.index == 1 and found.smallest is None
    assert "set in_channels=8" in found.blocked.fix
    with pytest.raises(ValueError, match="sizes must be a non-empty range"):
        conv.input_sizes([L.Conv2d(1, 1, 3)], range(0, 10))
    with pytest.raises(ValueError, match="sizes must stay within"):
        conv.input_sizes([L.Conv2d(1, 1, 3)], range(1, 10**6))


def test_linear_mismatch_suggests_the_nearest_input_that_fits():
    failure = conv.trace_layers(STACKS["LeNet-5"].layers, (1, 28, 28)).failure
    assert failure.index == 7 and failure.fix == "set in_features=256"
    assert failure.fix_input == (32, 32)  # 16 * 5 * 5 = 400 needs 32 to 35 per side
    assert conv.trace_layers(STACKS["LeNet-5"].layers, (1, 40, 33)).failure.fix_input == (35, 33)
