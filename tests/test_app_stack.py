"""The Layer stack page through AppTest: shapes, failures, pasted printouts, hostile text,
receptive fields, the link, and seeded random walks over its widgets.

Expected shapes come from a formula loop written here (PyTorch's documented
size formulas) and from real ``torch.nn`` modules when torch is installed;
expected receptive fields from an interval recurrence written here and from
torch autograd (an output cell's gradient is non-zero exactly on its field
when every weight and activation is positive).
"""

import math
import os
import random
import re

import numpy as np
import pytest
from apptest import APP, figures, plotly_array, random_walk
from streamlit.testing.v1 import AppTest

import conv
from conv.app import limits
from conv.app.settings import Settings
from conv.app.stack_tables import apply_edits, layer_rows, rows_text
from conv.layers import (
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Flatten,
    Linear,
    MaxPool2d,
    Pointwise,
)
from conv.stacks import STACKS

PAGE = "conv/app/pages/stack.py"
WALKS = int(os.environ.get("CONVSCOPE_FUZZ_WALKS", "60"))
OUTPUT = "output (C × H × W)"


def open_stack(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def shapes_shown(at: AppTest) -> list[str]:
    """The output column of the trace table, input first."""
    table = next(d.value for d in at.dataframe if OUTPUT in d.value.columns)
    return list(table[OUTPUT])


def text_of(elements) -> str:
    return "\n".join(e.value for e in elements)


# -- an independent reference: PyTorch's size formulas, one loop --------------------------


def expected_shapes(layers, chw) -> list[tuple[int, ...]]:
    """(C, H, W) or (F,) after each layer, from PyTorch's documented formulas."""
    shape, out = tuple(chw), []
    for layer in layers:
        if isinstance(layer, (Conv2d, MaxPool2d, AvgPool2d)):
            c = layer.out_channels if isinstance(layer, Conv2d) else shape[0]
            d = getattr(layer, "dilation", (1, 1))
            sizes = []
            for axis in (0, 1):
                n, k, s, p = (shape[1 + axis], layer.kernel_size[axis], layer.stride[axis],
                              layer.padding[axis])  # fmt: skip
                span = n + 2 * p - d[axis] * (k - 1) - 1
                sizes.append((math.ceil if layer_ceil(layer) else math.floor)(span / s) + 1)
            shape = (c, *sizes)
        elif isinstance(layer, ConvTranspose2d):
            sizes = [
                (shape[1 + a] - 1) * layer.stride[a] - 2 * layer.padding[a]
                + layer.dilation[a] * (layer.kernel_size[a] - 1) + layer.output_padding[a] + 1
                for a in (0, 1)
            ]  # fmt: skip
            shape = (layer.out_channels, *sizes)
        elif isinstance(layer, Flatten):
            shape = (math.prod(shape),)
        elif isinstance(layer, Linear):
            shape = (layer.out_features,)
        out.append(shape)
    return out


def layer_ceil(layer) -> bool:
    return getattr(layer, "ceil_mode", False)


def torch_shapes(code: str, chw) -> list[tuple[int, ...]]:
    torch = pytest.importorskip("torch")
    model = eval(code, {"nn": torch.nn})  # our own example code, trusted
    x, out = torch.zeros(1, *chw), []
    with torch.no_grad():
        for module in model.eval():
            x = module(x)
            out.append(tuple(x.shape[1:]))
    return out


def as_text(shape) -> str:
    return " × ".join(map(str, shape))


@pytest.mark.parametrize("name", list(STACKS))
def test_each_example_traces_with_the_shapes_pytorch_gives(name):
    stack = STACKS[name]
    at = open_stack(stack=name)
    shown = shapes_shown(at)
    want = expected_shapes(conv.parse_layers(stack.code), stack.input_shape)
    assert shown == [as_text(stack.input_shape)] + [as_text(s) for s in want]
    if name != "LeNet-5":  # LeNet's torch check is below, with its Linear layers
        assert want == torch_shapes(stack.code, stack.input_shape)
    assert "The stack runs" in text_of(at.success) and not at.error


def test_lenet_shapes_match_torch_and_linear_in_features_are_named():
    stack = STACKS["LeNet-5"]
    assert expected_shapes(conv.parse_layers(stack.code), (1, 32, 32)) == torch_shapes(
        stack.code, (1, 32, 32)
    )
    at = open_stack(stack="LeNet-5")
    notes = text_of(at.info)
    assert "in_features must be 400 (flattened: 16 * 5 * 5 = 400); given 400: matches" in notes
    # LeNet's three Linear layers, checked in one box rather than a box each.
    linear = [box.value for box in at.info if "in_features" in box.value]
    assert len(linear) == 1 and linear[0].count(": matches") == 3


def test_a_failing_stack_shows_the_failing_layer_its_condition_and_a_fix_that_runs():
    at = open_stack(layers="Conv2d(3, 8, 3, stride=2)\nConv2d(8, 8, 5)", input="3x5x5")
    message = text_of(at.error)
    assert "Layer 1" in message and "cannot run" in message
    # PyTorch: padded 2 x 2 is smaller than the 5 x 5 kernel.
    assert "Kernel size: (5 x 5)" in message and "(2 x 2)" in message
    # 11 is the smallest n with floor((n - 3) / 2) + 1 >= 5.
    assert min(n for n in range(1, 40) if (n - 3) // 2 + 1 >= 5) == 11
    assert "An input of **11 × 11**" in message
    fix = next(b for b in at.button if b.label == "use input 11 × 11")
    fix.click().run()
    assert not at.exception and not at.error
    assert shapes_shown(at) == ["3 × 11 × 11", "8 × 5 × 5", "8 × 1 × 1"]


def test_lenet_on_28_by_28_fails_at_linear_and_the_fix_is_32_by_32():
    at = open_stack(stack="LeNet-5", input="1x28x28")
    message = text_of(at.error)
    # 28 -> 24 -> 12 -> 8 -> 4: 16 * 4 * 4 = 256 features, not 400.
    assert "Layer 7" in message and "in_features=400" in message and "256" in message
    assert "An input of **32 × 32**" in message


PRINTOUT = """Sequential(
  (0): Conv2d(3, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
  (1): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
  (2): ReLU(inplace=True)
  (3): MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)
  (4): AdaptiveAvgPool2d(output_size=(1, 1))
  (5): Flatten(start_dim=1, end_dim=-1)
  (6): Linear(in_features=16, out_features=10, bias=True)
)"""


def test_a_pasted_print_model_text_parses_and_traces():
    at = open_stack()
    at.text_area(key="w.layers").input(PRINTOUT).run()
    assert "expects 3 input channels" in text_of(at.error)  # LeNet's 1 x 32 x 32 input
    at.number_input(key="w.stack_input.0").set_value(3).run()
    at.number_input(key="w.stack_input.1").set_value(50).run()
    at.number_input(key="w.stack_input.2").set_value(40).run()
    # 50 -> 25 -> 13, 40 -> 20 -> 10 (floor((n + 2 - 3) / 2) + 1 each time).
    assert shapes_shown(at) == ["3 × 50 × 40", "16 × 25 × 20", "16 × 25 × 20", "16 × 25 × 20",
                                "16 × 13 × 10", "16 × 1 × 1", "16", "10"]  # fmt: skip
    assert not at.error


def test_a_real_torch_printout_parses():
    torch = pytest.importorskip("torch")
    stack = STACKS["MobileNet depthwise-separable block"]
    printout = str(eval(stack.code, {"nn": torch.nn}))
    at = open_stack(stack=stack.name)
    at.text_area(key="w.layers").input(printout).run()
    assert not at.error
    assert shapes_shown(at)[-1] == as_text(torch_shapes(stack.code, stack.input_shape)[-1])


def test_hostile_text_is_refused_with_a_message_and_nothing_runs(tmp_path):
    target = tmp_path / "x"
    at = open_stack(stack="VGG block")
    before = shapes_shown(at)
    for text in (
        f"__import__('os').system('touch {target}')",
        f"nn.Conv2d(3, 8, kernel_size=__import__('os').system('touch {target}'))",
        f"nn.Sequential(*[open('{target}', 'w')])",
    ):
        at.text_area(key="w.layers").input(text).run()
        assert not at.exception
        assert "line 1" in text_of(at.error)
        assert not target.exists()
        assert shapes_shown(at) == before  # the last good trace stays
        assert "last stack that could be read" in "\n".join(c.value for c in at.caption)


def test_too_long_text_and_too_large_inputs_are_refused_naming_the_numbers():
    at = open_stack(layers="nn.ReLU()\n" * (limits.MAX_STACK_CHARS // 10 + 1))
    assert f"more than the {limits.MAX_STACK_CHARS:,}" in text_of(at.error)
    at = open_stack(layers="nn.ReLU()\n" * (limits.MAX_STACK_LAYERS + 1))
    assert f"{limits.MAX_STACK_LAYERS + 1} layers, more than" in text_of(at.error)
    at = open_stack(input="1x5000x5000")
    assert f"from 1 to {limits.MAX_STACK_SIDE}" in text_of(at.warning)


# -- receptive fields -------------------------------------------------------------------


def field_back(layers, chw, layer, cell):
    """Rows and cols of the input that ``cell`` of ``layer``'s output depends on (intervals)."""
    sizes = [chw[1:]]
    for shape in expected_shapes(layers, chw):
        sizes.append(shape[1:])
    spans = [(cell[0], cell[0]), (cell[1], cell[1])]
    for i in range(layer, -1, -1):
        lay = layers[i]
        for a in (0, 1):
            lo, hi = spans[a]
            n = sizes[i][a]
            if isinstance(lay, (Conv2d, MaxPool2d, AvgPool2d)):
                k, s, p = lay.kernel_size[a], lay.stride[a], lay.padding[a]
                d = getattr(lay, "dilation", (1, 1))[a]
                lo, hi = lo * s - p, hi * s - p + (k - 1) * d
            elif isinstance(lay, ConvTranspose2d):
                k, s, p, d = lay.kernel_size[a], lay.stride[a], lay.padding[a], lay.dilation[a]
                lo, hi = -(-(lo + p - (k - 1) * d) // s), (hi + p) // s
            spans[a] = (max(lo, 0), min(hi, n - 1))
    return spans


def field_shown(at: AppTest):
    text = text_of(at.markdown)
    found = re.search(r"depends on a \*\*(\d+) × (\d+)\*\* rectangle of the input: rows (\d+) – "
                      r"(\d+), columns (\d+) – (\d+)", text)  # fmt: skip
    assert found, text
    return [int(v) for v in found.groups()]


def input_panel_reached(at: AppTest) -> np.ndarray:
    titled = [f for f in figures(at) if "title" in f["layout"]]
    panel = next(f for f in titled if f["layout"]["title"]["text"].startswith("input<br>"))
    return plotly_array(panel["data"][0]["z"]) == 2


@pytest.mark.parametrize("cell", [(63, 63), (0, 0), (21, 40)])
def test_unet_output_cell_field_matches_the_interval_recurrence_and_autograd(cell):
    stack = STACKS["Small U-Net"]
    layers = conv.parse_layers(stack.code)
    at = open_stack(stack=stack.name, at=f"{cell[0]},{cell[1]}")
    rows, cols, r0, r1, c0, c1 = field_shown(at)
    (wr0, wr1), (wc0, wc1) = field_back(layers, stack.input_shape, len(layers) - 1, cell)
    assert (rows, cols, r0, r1, c0, c1) == (wr1 - wr0 + 1, wc1 - wc0 + 1, wr0, wr1, wc0, wc1)
    torch = pytest.importorskip("torch")
    # Max pooling passes a gradient to one cell only: average pooling has the same windows.
    model = eval(stack.code.replace("MaxPool2d", "AvgPool2d"), {"nn": torch.nn}).eval()
    for p in model.parameters():
        p.data.fill_(0.1)
    x = torch.ones(1, *stack.input_shape, requires_grad=True)
    model(x)[0, 0, cell[0], cell[1]].backward()
    reached = (x.grad[0, 0] != 0).numpy()
    np.testing.assert_array_equal(input_panel_reached(at), reached)


def test_a_dilated_field_shows_the_gaps_between_reached_cells():
    stack = STACKS["Dilated stack (WaveNet-style)"]
    at = open_stack(stack=stack.name, layer="4", at="32,32")
    # Layer 4 is Conv2d(dilation=2) after two 3 x 3: taps 30, 32, 34, then +-1 twice.
    rows, cols, r0, r1, *_ = field_shown(at)
    assert (rows, cols, r0, r1) == (9, 9, 28, 36)
    assert "cells actually reached" not in text_of(at.markdown)  # the 3 x 3s fill the gaps
    at = open_stack(layers="Conv2d(1, 1, 3, dilation=3)\nConv2d(1, 1, 3, dilation=3)",
                    input="1x20x20", at="0,0")  # fmt: skip
    reached = input_panel_reached(at)
    want = np.zeros((20, 20), bool)
    want[np.ix_(range(0, 13, 3), range(0, 13, 3))] = True
    np.testing.assert_array_equal(reached, want)


# -- the link ---------------------------------------------------------------------------


def test_the_link_round_trips_the_pages_settings():
    query = {"stack": "Small U-Net", "input": "64x64x1", "layout": "HWC", "layer": "13",
             "at": "12,20"}  # fmt: skip
    at = open_stack(**query)
    assert at.query_params.to_dict() == query if hasattr(at.query_params, "to_dict") else True
    assert {k: at.query_params[k] for k in query} == query
    assert at.selectbox(key="w.stack_layer").value == 13
    at.number_input(key="w.stack_cell.0").set_value(5).run()
    assert at.query_params["at"] == "5,20"
    at.text_area(key="w.layers").input("Conv2d(1, 4, 3)\nMaxPool2d(2)").run()
    link = {k: at.query_params[k] for k in at.query_params}
    assert link["layers"] == "Conv2d(1, 4, 3)\nMaxPool2d(2)"
    again = open_stack(**link)
    assert shapes_shown(again) == ["1 × 64 × 64", "4 × 62 × 62", "4 × 31 × 31"]
    settings, problems = Settings.from_query(link)
    assert problems == [] and Settings.from_query(settings.stack_query())[0] == settings


def test_choosing_an_example_and_the_layout_move_the_input_with_them():
    at = open_stack()
    at.selectbox(key="w.stack").select("VGG block").run()
    assert shapes_shown(at)[0] == "3 × 224 × 224"
    at.radio(key="w.stack_layout").set_value("HWC").run()
    assert [at.number_input(key=f"w.stack_input.{i}").value for i in range(3)] == [224, 224, 3]
    assert shapes_shown(at)[-1] == "64 × 112 × 112"


# -- the table editor -------------------------------------------------------------------


def test_table_rows_round_trip_every_kind_of_layer():
    extra = [
        ConvTranspose2d(4, 8, 3, stride=2, padding=(1, 2), output_padding=1, bias=False),
        Conv2d(3, 3, (3, 5), padding="same", padding_mode="reflect"),
        AvgPool2d(3, 2, 1, ceil_mode=True), Flatten(0, 2), Linear(4, 5, bias=False),
        BatchNorm2d(3, affine=False), Pointwise("LeakyReLU", (("negative_slope", 0.2),)),
    ]  # fmt: skip
    for layers in [*(s.layers for s in STACKS.values()), extra]:
        assert conv.parse_layers(rows_text(layer_rows(layers))) == layers
    rows = layer_rows([Conv2d(3, 8, 3), MaxPool2d(2)])
    edited = apply_edits(rows, {"edited_rows": {0: {"kernel": "5,3"}}, "deleted_rows": [1],
                                "added_rows": [{"layer": "ReLU"}]})  # fmt: skip
    assert conv.parse_layers(rows_text(edited)) == [Conv2d(3, 8, (5, 3)), Pointwise("ReLU")]


# -- seeded random walks ----------------------------------------------------------------

JUNK = ["", "abc", "-1", "0", "1e9", "💥", "none", "3x", "5000"]
VALID = {
    "stack": list(STACKS),
    "input": ["1x32x32", "3x224x224", "1x64x64", "32x32x1", "1x7x9", "16x5x5", "1x1x1"],
    "layout": ["CHW", "HWC"],
    "layer": ["0", "3", "13", "199"],
    "at": ["0", "5,7", "63,63", "4095"],
    "layers": ["Conv2d(1, 4, 3)\nMaxPool2d(2)", PRINTOUT, "nn.Linear(3, 4)", "ReLU(",
               "__import__('os').getpid()", "Conv2d(1, 2, 3, stride=2)\nConv2d(2, 2, 9)"],
}  # fmt: skip


def random_link(rng: random.Random) -> dict[str, str]:
    keys = rng.sample(sorted(VALID), rng.randint(0, 4))
    return {k: rng.choice(JUNK) if rng.random() < 0.2 else rng.choice(VALID[k]) for k in keys}


def step(at: AppTest, rng: random.Random) -> str:
    widgets = []
    for kind in ("selectbox", "radio", "number_input", "text_area", "button"):
        widgets += [(kind, w) for w in at.get(kind) if not getattr(w, "disabled", False)]
    kind, w = rng.choice(widgets)
    if kind == "radio":
        w.set_value(rng.choice(["CHW", "HWC"]))
    elif kind == "selectbox":
        w.select_index(rng.randrange(len(w.options)))
    elif kind == "number_input":
        w.set_value(rng.choice([1, 2, 3, 7, 16, 31, 64, 100]))
    elif kind == "text_area":
        w.input(rng.choice(VALID["layers"] + [s.code for s in STACKS.values()]))
    else:
        w.click()
    at.run()
    return f"{kind} {w.key or w.label}"


def check(at: AppTest, trail: list[str]) -> None:
    assert not at.exception, (trail, [e.message for e in at.exception])
    assert not any("Something went wrong" in e.value for e in at.error), trail
    if at.dataframe:
        assert at.success or at.error, trail  # a trace is shown with its verdict


@pytest.mark.parametrize("batch", range(4))
def test_random_walks_over_the_stack_page_never_crash(batch):
    for walk in [w for w in range(WALKS) if w % 4 == batch]:
        random_walk(walk, 1000 + walk, random_link, step, check, (1, 3), PAGE)


def test_a_linear_stack_given_its_fix_draws_its_field_without_an_error():
    # Found by a 600-walk fuzz run: the receptive-field drawing indexed past a map's width.
    at = open_stack(layers="nn.Linear(3, 4)", at="63,63", input="3x224x224")
    next(b for b in at.button if b.label.startswith("use input")).click().run()
    assert not at.exception
    assert not any("Something went wrong" in e.value for e in at.error)
