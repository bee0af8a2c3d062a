"""State fuzzing: seeded random walks over the page's links and widgets.

Each walk opens a random link (valid, out of range or junk values), then
takes 3 to 8 random steps over whatever widgets the page shows (sources,
examples, shapes, filters, every padding form, flip, filter banks, uploads,
stepping and play, the output cell). After every step: no exception reached
the page, and the output drawn equals the loop reference for the result the
page reports. ``CONVSCOPE_FUZZ_WALKS`` sets the number of walks (300 in CI).
"""

import dataclasses
import json
import os
import random

import numpy as np
import pytest
from apptest import output_shown, random_walk, result
from reference import reference_conv2d
from streamlit.testing.v1 import AppTest

from conv import io as conv_io
from conv.app.layouts import LABELS as LAYOUT_LABELS
from conv.app.settings import Settings
from conv.app.sidebar import KERNEL_LABELS, SOURCE_LABELS

WALKS = int(os.environ.get("CONVSCOPE_FUZZ_WALKS", "300"))
JUNK = ["", "abc", "-1", "0", "1e9", "1,2,3,4,5", "💥", "nan", "3x", "x3", "  2 ", "none"]
VALID = {
    "source": ["example", "generate", "upload"],
    "example": ["seed-2d", "seed-3d", "test-image"],
    "dist": ["normal", "uniform", "integers", "pattern"],
    "pattern": ["zeros", "ones", "gradient", "checkerboard", "disk", "test-image"],
    # 120x110: an output too large for a target per cell, drawn as overview and zoom.
    "shape": ["3x3", "5x5", "6x7x2", "12x9", "9x9x3", "1x8", "16x16", "4x4x4", "120x110"],
    "seed": ["0", "7", "123", "4294967295"],
    "decimals": ["none", "0", "2"],
    "low": ["-3", "0", "1e299"],
    "high": ["2", "5", "1e300"],
    "filter": ["example", "same-rng", "generate", "preset", "upload"],
    "preset": ["sobel-x", "sobel-x,sobel-y", "gaussian", "box-blur,identity", "laplacian-4"],
    "ksize": ["1", "3", "5"],
    "sigma": ["0.5", "2"],
    "kshape": ["1x1", "2x3", "3x3", "5x5"],
    "filters": ["1", "2", "3"],
    "kseed": ["0", "9"],
    "stride": ["1", "2", "3", "2,1", "64"],
    "padding": ["valid", "same", "full", "custom"],
    "pad": ["0", "1", "2,1", "1,0,2,1", "9"],
    "dilation": ["1", "2", "1,3", "32"],
    "pad_mode": ["zeros", "reflect", "replicate", "circular"],
    "flip": ["0", "1"],
    "method": ["auto", "direct", "fft"],
    "cell": ["0", "2,1", "40,40"],
    "cellf": ["0", "1", "15"],
    "xlayout": ["HWC", "CHW"],
    "klayout": ["HWIO", "OIHW"],
}


VALUE_OF_LABEL = {
    label: value
    for labels in (SOURCE_LABELS, KERNEL_LABELS, LAYOUT_LABELS)
    for value, label in labels.items()
}


def random_link(rng: random.Random) -> dict[str, str]:
    keys = rng.sample(sorted(VALID), rng.randint(0, 8))
    query = {}
    for key in keys:
        roll = rng.random()
        query[key] = rng.choice(JUNK) if roll < 0.2 else rng.choice(VALID[key])
    if rng.random() < 0.05:
        query["unknown"] = "1"
    return query


def random_upload(rng: random.Random) -> tuple[str, bytes]:
    shape = rng.choice([(5, 5), (4, 6, 2), (3, 3), (2, 2, 1, 2), (3, 12, 12), (1, 2, 5, 5)])
    array = np.random.default_rng(rng.randrange(1000)).normal(size=shape).round(2)
    if rng.random() < 0.5:
        return "a.npy", conv_io.to_npy(array)
    if rng.random() < 0.2:
        return "bad.csv", b"1,2\n3,x\n"
    return "a.csv", conv_io.to_csv(array)


def step(at: AppTest, rng: random.Random) -> str:
    """One random user action on a widget the page shows now; a description of it."""
    widgets = []
    for kind in ("radio", "selectbox", "number_input", "text_input", "toggle", "multiselect",
                 "slider", "select_slider", "button", "file_uploader"):  # fmt: skip
        widgets += [(kind, w) for w in at.get(kind) if not getattr(w, "disabled", False)]
    kind, w = rng.choice(widgets)
    if kind in ("radio", "selectbox", "select_slider"):
        # Options are shown through labels; pick a label and hand over its value.
        value = rng.choice(list(w.options))
        value = VALUE_OF_LABEL.get(value, value)
        if kind == "select_slider":
            value = int(value)
        w.set_value(value)
    elif kind == "number_input":
        low = w.min if w.min is not None else 0
        high = w.max if w.max is not None else low + 10
        high = min(high, low + rng.choice([3, 10, 70]))
        value = rng.randint(int(low), int(high)) if w.step == 1 else rng.uniform(low, high)
        if w.key == "w.seed" or w.key == "w.kernel_seed":
            value = rng.choice([0, 1, 123])
        w.set_value(value)
    elif kind == "text_input":
        w.set_value(rng.choice(VALID["shape"] + ["12 by 3", "0x4", "", "2x2x2x2", "70x70"]))
    elif kind == "toggle":
        w.set_value(not w.value)
    elif kind == "multiselect":
        w.set_value(rng.sample(["sobel-x", "sobel-y", "gaussian", "box-blur"], rng.randint(0, 2)))
    elif kind == "slider":
        w.set_value(rng.randint(int(w.min), int(w.max)))
    elif kind == "button":
        w.click()
    elif w.key == "settings_json":
        data = dataclasses.asdict(Settings.from_query(random_link(rng))[0])
        w.set_value(("s.json", json.dumps(data).encode(), "application/json"))
    elif rng.random() < 0.2:
        w.set_value(None)
    else:
        w.set_value((*random_upload(rng), "application/octet-stream"))
    at.run()
    return f"{kind} {w.key}"


def check(at: AppTest, trail: list[str]) -> None:
    assert not at.exception, (trail, [e.message for e in at.exception])
    shown = output_shown(at)
    good = result(at)
    if shown is None:
        return
    s = good.settings
    want = reference_conv2d(
        good.x, good.kernel, stride=s.stride, padding=s.padding_arg, dilation=s.dilation,
        pad_mode=s.pad_mode, flip=s.flip,
    )  # fmt: skip
    want = want.reshape(*want.shape[:2], -1)
    drawn = ~np.isnan(shown)
    assert shown.shape == want.shape[: shown.ndim] or drawn.shape[:2] <= want.shape[:2], trail
    got = shown[drawn]
    expected = want[: shown.shape[0], : shown.shape[1], : shown.shape[2]][drawn]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9, err_msg=str(trail))


@pytest.mark.parametrize("batch", range(10))
def test_random_walks_over_links_and_widgets_never_crash_and_draw_the_reference(batch):
    for walk in [w for w in range(WALKS) if w % 10 == batch]:
        random_walk(walk, walk, random_link, step, check, (3, 8))
