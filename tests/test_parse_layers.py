"""parse_layers on real print(model) output, code, one layer per line, and hostile text."""

import random
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conv
from conv import layers as L
from conv.stacks import STACKS

ALEXNET_LIKE = """Net(
  (features): Sequential(
    (0): Conv2d(3, 64, kernel_size=(11, 11), stride=(4, 4), padding=(2, 2))
    (1): ReLU(inplace=True)
    (2): MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)
  )
  (avgpool): AdaptiveAvgPool2d(output_size=(6, 6))
  (flatten): Flatten(start_dim=1, end_dim=-1)
  (classifier): Sequential(
    (0): Dropout(p=0.5, inplace=False)
    (1): Linear(in_features=2304, out_features=10, bias=True)
  )
)"""

REPEATED = """Sequential(
  (0): Linear(in_features=8, out_features=8, bias=True)
  (1-3): 3 x Linear(in_features=8, out_features=8, bias=True)
)"""


def _normal(layer):
    """What a printout can carry: AvgPool2d's ceil_mode and activation options are not printed."""
    if isinstance(layer, L.AvgPool2d):
        return (layer.kernel_size, layer.stride, layer.padding)
    if isinstance(layer, L.Pointwise):
        return layer.kind
    return layer


def test_stored_printouts():
    layers = conv.parse_layers(ALEXNET_LIKE)
    assert layers == [
        L.Conv2d(3, 64, 11, 4, 2),
        L.Pointwise("ReLU", (("inplace", True),)),
        L.MaxPool2d(3, 2),
        L.AdaptiveAvgPool2d(6),
        L.Flatten(),
        L.Pointwise("Dropout", (("p", 0.5), ("inplace", False))),
        L.Linear(2304, 10),
    ]
    assert conv.trace_layers(layers, (3, 224, 224)).output_shape == (1, 10)
    assert conv.parse_layers(REPEATED) == [L.Linear(8, 8)] * 4


def test_stored_printout_is_what_torch_prints():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2)
            )
            self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
            self.flatten = nn.Flatten()
            self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(2304, 10))

    assert str(Net()) == ALEXNET_LIKE


@pytest.mark.parametrize("name", list(STACKS))
def test_printouts_of_example_stacks(name):
    torch = pytest.importorskip("torch")
    model = eval(STACKS[name].code, {"nn": torch.nn})  # our own example code
    assert conv.parse_layers(str(model)) == STACKS[name].layers


def test_printouts_of_random_torch_stacks():
    torch = pytest.importorskip("torch")
    from test_layer_stacks_torch import _random_stack, _to_torch

    rng = random.Random(1)
    for _ in range(100):
        stack, _ = _random_stack(rng)
        model = torch.nn.Sequential(*map(_to_torch, stack))
        parsed = conv.parse_layers(str(model))
        assert list(map(_normal, parsed)) == list(map(_normal, stack))


def test_code_forms():
    code = """
import torch.nn as nn
from collections import OrderedDict

model = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding="same"),  # a comment
    nn.Sequential(nn.ReLU(), torch.nn.MaxPool2d(2, ceil_mode=True)),
    nn.Sequential(OrderedDict([("pool", nn.AdaptiveAvgPool2d((1, None)))])),
)
"""
    assert conv.parse_layers(code) == [
        L.Conv2d(3, 8, 3, padding="same"),
        L.Pointwise("ReLU"),
        L.MaxPool2d(2, ceil_mode=True),
        L.AdaptiveAvgPool2d((1, None)),
    ]
    lines = "nn.Conv2d(3, 8, 3),\nnn.ReLU(),\n\nFlatten()\nLinear(in_features=8, out_features=2)"
    assert [type(x).__name__ for x in conv.parse_layers(lines)] == [
        "Conv2d", "Pointwise", "Flatten", "Linear",
    ]  # fmt: skip


MARKER = Path("/tmp/convscope_parse_layers_marker")

HOSTILE = [
    # (text, what the error names)
    (
        f"nn.Conv2d(1, 2, __import__('pathlib').Path('{MARKER}').touch())",
        "line 1: Conv2d: argument 'kernel_size'",
    ),
    (f"open('{MARKER}', 'w')", "line 1: unknown layer 'open'"),
    (
        f"nn.Conv2d(1, 2, 3)\nnn.Conv2d(1, 2, 3, stride=(lambda: open('{MARKER}', 'w'))())",
        "line 2: Conv2d: argument 'stride'",
    ),
    ("nn.Conv2d(1, 2, 3)(x)", "line 1: a layer must be called by name"),
    ("nn.Conv2d(1, 2, 3, stride=2**100)", "argument 'stride'"),
    ("nn.Conv2d(1, 2, 3, padding=[i for i in range(10**9)])", "argument 'padding'"),
    ("nn.Linear(" + "9" * 5000 + ", 2)", "line 1: a number with more than 12 digits"),
    ("nn.Linear(99999999999, 2)", "Linear: in_features must be an int"),
    ("nn.Linear(4, 2, bias=1e999)", "Linear: bias must be True or False"),
    ("nn.Sequential(" * 50 + ")" * 50, "line 1: brackets nested deeper than 12"),
    ("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "brackets nested deeper"),
    ("x" * 200_001, "text must be at most 100000 characters"),
    ("nn.Conv2d(1, 2, 3, **kwargs)", "line 1: Conv2d: **kwargs cannot be read"),
    ("nn.Sequential(*layers)", "line 1: expected a layer call"),
    ("nn.Conv3d(1, 2, 3)", "line 1: unknown layer 'Conv3d'"),
    ("nn.Conv2d(1, 2, 3, foo=1)", "line 1: Conv2d has no argument 'foo'"),
    ("nn.Conv2d(1, 2, 3, stride=1, stride=2)", "argument 'stride' given twice"),
    ("nn.Conv2d(1, 2, 3, 1, 0, 1, 1, True, 'zeros', None, None, 7)", "at most 11 positional"),
    ("nn.Conv2d(1, 2, 3, padding='x' * 10)", "argument 'padding'"),
    ("nn.ReLU(inplace='" + "a" * 100 + "')", "string too long"),
    ("def f():\n    pass", "line 1: only layer calls"),
    (
        "Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3)\n  (1): ReLU()\n)",
        "line 2: cannot read",
    ),
    ("Sequential(\n  (0): Conv2d(3, 8, kernel_size=(0, 3))\n)", "line 2: Conv2d: kernel_size"),
    ("  (0-9): 99999 x ReLU()", "line 1: repeat count"),
    ("nn.Conv2d(1, 2, 3, groups=2)", "line 1: Conv2d: in_channels (1) must be divisible by groups"),
    (b"nn.ReLU()", "text must be a str"),
]


@pytest.mark.parametrize(("text", "named"), HOSTILE)
def test_hostile_text_is_refused_by_line_and_argument(text, named):
    MARKER.unlink(missing_ok=True)
    with pytest.raises(ValueError) as error:
        conv.parse_layers(text)
    assert named in str(error.value)
    assert not MARKER.exists()


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_text_parses_or_names_the_problem(text):
    try:
        layers = conv.parse_layers(text)
    except ValueError as error:
        assert str(error)
    else:
        assert all(str(layer) for layer in layers)


@settings(max_examples=300)
@given(st.data())
def test_mangled_printouts_parse_or_name_the_line(data):
    text = ALEXNET_LIKE
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + data.draw(st.sampled_from(["", "(", ")", "=", "1", ",", "x", "\n"]))
            + text[at + 1 :]
        )
    try:
        conv.parse_layers(text)
    except ValueError as error:
        assert str(error).startswith(("line ", "text "))


@pytest.mark.parametrize(
    "text, named",
    [
        ('x = "\\d"', "line 1"),  # an invalid escape: Python warns as it parses
        ('nn.Conv2d(3, 8, 3)\ny = "\\q" + 1', "line 2"),
    ],
)
def test_code_python_warns_about_gets_this_modules_message_and_no_warning(text, named):
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        with pytest.raises(ValueError) as error:
            conv.parse_layers(text)
    assert named in str(error.value)
    assert [w.category for w in warned] == []
