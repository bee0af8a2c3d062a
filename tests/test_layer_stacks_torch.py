"""Traced shapes, failures, params and multiply-adds against real torch.nn modules on zeros."""

import random

import numpy as np
import pytest

import conv
from conv import layers as L
from conv.stacks import STACKS

torch = pytest.importorskip("torch")
nn = torch.nn


def _to_torch(layer):
    """The torch module a description stands for, built from its fields."""
    if isinstance(layer, L.Pointwise):
        return getattr(nn, layer.kind)(**dict(layer.options))
    if isinstance(layer, L.BatchNorm2d):
        return nn.BatchNorm2d(layer.num_features, affine=layer.affine)
    fields = {name: getattr(layer, name) for name in layer.__dataclass_fields__}
    return getattr(nn, type(layer).__name__)(**fields)


def _random_layer(rng: random.Random, channels: int):
    """A valid layer, usually fed the right channel count, sometimes not."""
    c_in = channels if rng.random() < 0.92 else rng.randint(1, 6)
    kind = rng.choice(["conv", "conv", "transposed", "max", "avg", "adaptive", "bn", "act"])
    if kind == "conv":
        groups = rng.choice([g for g in (1, 2, 3) if c_in % g == 0])
        stride = (rng.randint(1, 3), rng.randint(1, 3))
        padding = rng.choice([0, 1, 2, (0, 2), "valid"] + (["same"] if stride == (1, 1) else []))
        return L.Conv2d(
            c_in,
            groups * rng.randint(1, 3),
            (rng.randint(1, 5), rng.randint(1, 5)),
            stride,
            padding,
            (rng.randint(1, 3), rng.randint(1, 2)),
            groups,
            rng.random() < 0.5,
            rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"]),
        )
    if kind == "transposed":
        groups = rng.choice([g for g in (1, 2) if c_in % g == 0])
        stride, dilation = rng.randint(1, 3), rng.randint(1, 2)
        return L.ConvTranspose2d(
            c_in,
            groups * rng.randint(1, 3),
            rng.randint(1, 4),
            stride,
            rng.randint(0, 2),
            rng.randint(0, max(stride, dilation) - 1),
            groups,
            True,
            dilation,
        )
    if kind in ("max", "avg"):
        k = (rng.randint(1, 4), rng.randint(1, 4))
        d = (rng.randint(1, 2), 1) if kind == "max" else (1, 1)
        pad = (rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2))
        stride = rng.choice([None, (rng.randint(1, 3), rng.randint(1, 3))])
        if kind == "max":
            return L.MaxPool2d(k, stride, pad, d, False, rng.random() < 0.4)
        return L.AvgPool2d(k, stride, pad, rng.random() < 0.4)
    if kind == "adaptive":
        cls = rng.choice([L.AdaptiveAvgPool2d, L.AdaptiveMaxPool2d])
        return cls((rng.choice([None, 1, 2, 3, 5]), rng.randint(1, 4)))
    if kind == "bn":
        return L.BatchNorm2d(c_in)
    return L.Pointwise(rng.choice(["ReLU", "Tanh", "GELU", "Identity", "Dropout"]))


def _random_stack(rng: random.Random):
    channels = rng.randint(1, 4)
    stack, c = [], channels
    for _ in range(rng.randint(1, 6)):
        layer = _random_layer(rng, c)
        stack.append(layer)
        c = getattr(layer, "out_channels", c)
    if rng.random() < 0.3:
        stack += [L.Flatten(), L.Linear(rng.randint(1, 400), 3)]
    return stack, (channels, rng.randint(1, 24), rng.randint(1, 24))


def _run_torch(stack, chw):
    """Shapes after each layer, the index torch raises at (or None), params, MACs."""
    x = torch.zeros((1, *chw))
    shapes, params, macs = [], [], []
    with torch.no_grad():
        for i, layer in enumerate(stack):
            module = _to_torch(layer).eval()
            try:
                y = module(x)
            except (RuntimeError, ValueError, IndexError):
                return shapes, i, params, macs
            weight = getattr(module, "weight", None)
            mac = 0
            if isinstance(module, nn.Conv2d):
                mac = y.numel() * weight[0].numel()
            elif isinstance(module, nn.ConvTranspose2d):
                mac = x.numel() * weight[0].numel()
            elif isinstance(module, nn.Linear):
                mac = y.numel() * module.in_features
            shapes.append(tuple(y.shape))
            params.append(sum(p.numel() for p in module.parameters()))
            macs.append(mac)
            x = y
    return shapes, None, params, macs


@pytest.mark.parametrize("seed", range(200))
def test_random_stack_matches_torch(seed):
    rng = random.Random(seed)
    stack, chw = _random_stack(rng)
    shapes, failed_at, params, macs = _run_torch(stack, chw)
    trace = conv.trace_layers(stack, chw, layout="CHW")
    n = len(trace.rows)
    assert [row.out_shape for row in trace.rows] == shapes[:n]
    assert [row.params for row in trace.rows] == params[:n]
    assert [row.macs for row in trace.rows] == macs[:n]
    if len(shapes) > n:
        # torch lets a transposed convolution return an empty map; the trace stops there.
        assert isinstance(stack[n], L.ConvTranspose2d) and 0 in shapes[n]
        assert trace.failure.index == n
    elif failed_at is None:
        assert trace.failure is None
    else:
        assert trace.failure is not None and trace.failure.index == failed_at
        fix = trace.failure.fix_input
        if fix is not None:  # the suggested size gets through that layer in torch
            shapes, still_failing, *_ = _run_torch(stack[: n + 1], (chw[0], *fix))
            assert still_failing is None and 0 not in shapes[-1]
            for axis in (0, 1):  # and is the smallest such size along each changed axis
                if fix[axis] > chw[1 + axis]:
                    smaller = list(fix)
                    smaller[axis] -= 1
                    shapes, fails, *_ = _run_torch(stack[: n + 1], (chw[0], *smaller))
                    assert fails is not None or 0 in shapes[-1]


@pytest.mark.parametrize("name", list(STACKS))
def test_example_stacks_match_torch(name):
    stack = STACKS[name]
    model = eval(stack.code, {"nn": nn})  # our own example code, not user input
    with torch.no_grad():
        out = model.eval()(torch.zeros((1, *stack.input_shape)))
    trace = conv.trace_layers(stack.layers, stack.input_shape)
    assert trace.ok and trace.output_shape == tuple(out.shape)
    assert trace.params == sum(p.numel() for p in model.parameters())


def test_conv_descriptions_print_as_torch_does():
    rng = random.Random(0)
    for _ in range(50):
        layer = _random_layer(rng, 6)
        if isinstance(layer, (L.Conv2d, L.ConvTranspose2d, L.Flatten, L.Linear)):
            assert str(layer) == repr(_to_torch(layer))


@pytest.mark.filterwarnings("ignore:Initializing zero-element")
@pytest.mark.parametrize(
    "build",
    [
        lambda m: m.Conv2d(3, 4, 3, stride=2, padding="same"),
        lambda m: m.Conv2d(3, 4, 3, groups=2),
        lambda m: m.Conv2d(4, 3, 3, groups=2),
        lambda m: m.Conv2d(3, 4, 3, padding="full"),
        lambda m: m.Conv2d(3, 4, 0),
        lambda m: m.MaxPool2d(2, padding=2),
        lambda m: m.AvgPool2d(3, padding=2),
    ],
)
def test_layers_torch_refuses_are_refused(build):
    with pytest.raises((ValueError, RuntimeError)):  # when built, or on any input
        build(nn)(torch.zeros(1, 4, 16, 16))
    with pytest.raises(ValueError):
        build(L)


def test_output_padding_torch_refuses_is_refused():
    layer = nn.ConvTranspose2d(1, 1, 3, stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        layer(torch.zeros(1, 1, 5, 5))
    with pytest.raises(ValueError, match="output_padding"):
        L.ConvTranspose2d(1, 1, 3, stride=2, output_padding=2)


def test_channels_last_and_two_axis_shapes():
    stack = [L.Conv2d(3, 8, 3)]
    expected = conv.trace_layers(stack, (3, 20, 30), layout="CHW").output_shape
    assert conv.trace_layers(stack, (20, 30, 3)).output_shape == expected
    assert conv.trace_layers(stack, (20, 30)).output_shape == expected
    # Ambiguous (both ends could be channels): channels-first, as PyTorch.
    assert conv.trace_layers([L.Conv2d(3, 8, 1)], (3, 5, 3)).input_shape == (3, 5, 3)
    with pytest.raises(ValueError, match="input_shape"):
        conv.trace_layers(stack, (3, 0, 5))
    with pytest.raises(ValueError, match="layout"):
        conv.trace_layers(stack, (3, 5, 5), layout="NCHW")


def test_issue_examples_read_as_expected():
    # "Kernel size can't be greater than actual input size" after a few layers.
    stack = [L.Conv2d(1, 4, 3, stride=2), L.Conv2d(4, 4, 3, stride=2), L.Conv2d(4, 4, 3)]
    failure = conv.trace_layers(stack, (1, 12, 12)).failure
    assert failure.index == 2
    assert "(2 x 2). Kernel size: (3 x 3)" in failure.pytorch_error
    assert failure.fix_input == (15, 15)
    with pytest.raises(RuntimeError, match=r"\(2 x 2\). Kernel size: \(3 x 3\)"):
        nn.Sequential(*map(_to_torch, stack))(torch.zeros(1, 1, 12, 12))
    # How a 49 x 74 input became 3 x 3: 7 x 7 pool after two stride-2 stages.
    stack = [L.Conv2d(1, 1, 3, stride=2), L.MaxPool2d(2), L.MaxPool2d(4)]
    trace = conv.trace_layers(stack, (1, 49, 74))
    assert trace.output_shape == (1, 1, 3, 4)
    assert trace.rows[0].arithmetic[1] == (
        "H: floor((49 + 2*0 - 1*(3 - 1) - 1) / 2) + 1 = floor(46 / 2) + 1 = 24"
    )
    assert [row.dropped for row in trace.rows] == [(0, 1), (0, 0), (0, 2)]
    assert np.prod(trace.output_shape) == 12
