"""State fuzzing of the Layer types page: seeded random walks over its links and widgets.

Each walk opens a random link to the page (valid, out of range or junk values
for the operation, groups, output_padding, pooling window, padding, ceil_mode,
count_include_pad, the scatter position and the shared input/filter keys),
then takes 2 to 5 random steps over whatever widgets the page shows. After
every step: no exception reached the page, and the output drawn equals the
loop reference (``layer_reference``, ``reference``) for the result the page
reports. ``CONVSCOPE_FUZZ_WALKS`` sets the number of walks (60 by default).
"""

import os
import random

import numpy as np
import pytest
from apptest import output_shown, random_walk
from layer_reference import pool, transposed_conv
from reference import reference_conv2d
from streamlit.testing.v1 import AppTest
from test_app_fuzz import JUNK, VALUE_OF_LABEL, random_upload

from conv.app.layers import OP_LABELS

WALKS = int(os.environ.get("CONVSCOPE_FUZZ_WALKS", "60"))
PAGE = "conv/app/pages/layers.py"
VALID = {
    "op": ["conv", "transpose", "max", "avg"],
    "groups": ["1", "2", "3", "4", "5"],
    "opad": ["0", "1", "2", "1,0"],
    "psize": ["1", "2", "3", "2,3", "5"],
    "lpad": ["0", "1", "2", "1,0", "3"],
    "ceil": ["0", "1"],
    "cip": ["0", "1"],
    "painted": ["0", "1", "4", "999"],
    "source": ["example", "generate"],
    "example": ["seed-2d", "seed-3d"],
    "dist": ["normal", "integers", "pattern"],
    "shape": ["3x3", "5x5", "6x7x2", "4x4x4", "1x8", "7x5x3"],
    "filter": ["same-rng", "generate", "preset"],
    "kshape": ["1x1", "2x3", "3x3"],
    "filters": ["1", "2"],
    "stride": ["1", "2", "3", "2,1"],
    "dilation": ["1", "2", "1,2"],
    "padding": ["valid", "same", "full", "custom"],
    "pad_mode": ["zeros", "reflect", "circular"],
    "flip": ["0", "1"],
    "cell": ["0", "2,1", "40,40"],
    "cellf": ["0", "1", "3"],
}
LABELS = {**VALUE_OF_LABEL, **{label: op for op, label in OP_LABELS.items()}}
SHAPES = ["3x3", "5x5", "6x6x2", "4x4x4", "8x3", "0x4", "", "12 by 3", "2x2x2x2"]


def random_link(rng: random.Random) -> dict[str, str]:
    keys = ["op", *rng.sample(sorted(set(VALID) - {"op"}), rng.randint(0, 7))]
    return {k: rng.choice(JUNK) if rng.random() < 0.15 else rng.choice(VALID[k]) for k in keys}


def step(at: AppTest, rng: random.Random) -> str:
    """One random user action on a widget the page shows now; a description of it."""
    widgets = []
    for kind in ("radio", "selectbox", "number_input", "text_input", "toggle", "multiselect",
                 "slider", "file_uploader"):  # fmt: skip
        widgets += [(kind, w) for w in at.get(kind) if not getattr(w, "disabled", False)]
    # The operation is what this page is about: change it often.
    ops = [(k, w) for k, w in widgets if w.key == "w.op"]
    kind, w = ops[0] if ops and rng.random() < 0.3 else rng.choice(widgets)
    if kind in ("radio", "selectbox"):
        value = rng.choice(list(w.options))
        w.set_value(LABELS.get(value, value))
    elif kind == "number_input":
        low = w.min if w.min is not None else 0
        high = min(w.max if w.max is not None else low + 10, low + rng.choice([3, 6]))
        w.set_value(rng.randint(int(low), int(high)) if w.step == 1 else rng.uniform(low, high))
    elif kind == "text_input":
        w.set_value(rng.choice(SHAPES))
    elif kind == "toggle":
        w.set_value(not w.value)
    elif kind == "multiselect":
        w.set_value(rng.sample(["sobel-x", "sobel-y", "gaussian", "box-blur"], rng.randint(0, 2)))
    elif kind == "slider":
        w.set_value(rng.randint(int(w.min), int(w.max)))
    elif w.key == "settings_json":
        return "skipped settings file"
    else:
        w.set_value((*random_upload(rng), "application/octet-stream"))
    at.run()
    return f"{kind} {w.key}"


def reference(res) -> np.ndarray:
    x, k, p = res.x, res.kernel, res.params
    if res.op == "conv":
        g = p["groups"]
        cg, fg = x.shape[2] // g, k.shape[3] // g
        kw = {key: p[key] for key in ("stride", "padding", "dilation", "pad_mode", "flip")}
        parts = [reference_conv2d(x[..., i * cg : (i + 1) * cg], k[..., i * fg : (i + 1) * fg],
                                  **kw) for i in range(g)]  # fmt: skip
        return np.concatenate([q.reshape(*q.shape[:2], -1) for q in parts], axis=2)
    if res.op == "transpose":
        return transposed_conv(x, k, p["stride"], p["padding"], p["output_padding"],
                               p["dilation"], 1)  # fmt: skip
    return pool(x, p["size"], p["stride"], p["padding"], p["dilation"], p["ceil_mode"],
                p["mode"], p.get("count_include_pad", True), None)  # fmt: skip


def check(at: AppTest, trail: list[str]) -> None:
    assert not at.exception, (trail, [e.message for e in at.exception])
    shown = output_shown(at)
    if shown is None:
        return
    op = at.radio(key="w.op").value
    res = at.session_state["last_good_layer"][op]
    want = reference(res)
    drawn = ~np.isnan(shown)
    expected = want[: shown.shape[0], : shown.shape[1], : shown.shape[2]][drawn]
    np.testing.assert_allclose(shown[drawn], expected, rtol=1e-9, atol=1e-9, err_msg=str(trail))


@pytest.mark.parametrize("batch", range(6))
def test_random_walks_over_layer_links_and_widgets_never_crash_and_draw_the_reference(batch):
    for walk in [w for w in range(WALKS) if w % 6 == batch]:
        random_walk(walk, 10_000 + walk, random_link, step, check, (2, 5), PAGE)
