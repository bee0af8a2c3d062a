"""conv.framework_padding + conv.conv2d against outputs the real frameworks computed.

The golden file (tests/golden/conv2d_frameworks.npz, written by
tests/golden/make_golden.py with PyTorch, JAX, onnxruntime and TensorFlow/Keras)
is checked on every run; the same cases run against each framework that is
installed here.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import conv

GOLDEN = Path(__file__).parent / "golden"
sys.path.insert(0, str(GOLDEN))
import make_golden  # noqa: E402

with np.load(GOLDEN / "conv2d_frameworks.npz") as _file:
    META = json.loads(str(_file["meta"]))
    ARRAYS = {key: _file[key] for key in _file.files if key != "meta"}
RECORDS = META["records"]


def padding_of(rule, pads):
    """The golden case's padding in framework_padding's vocabulary."""
    if rule == "explicit":
        return tuple(tuple(p) for p in pads)
    if rule == "torch_int":
        return (pads[0][0], pads[1][0])
    return rule


def ours(framework, rule, geometry, x, k):
    fp = conv.framework_padding(
        framework,
        x.shape[:2],
        k.shape[:2],
        geometry["stride"],
        geometry["dilation"],
        padding_of(rule, geometry["pads"]),
    )
    out = None
    if fp.refused is None:
        out = conv.conv2d(
            x, k, stride=geometry["stride"], padding=fp.pads, dilation=geometry["dilation"]
        )
        assert out.shape[:2] == fp.output_shape
    return fp, out


def test_golden_file_covers_every_rule_and_framework():
    computed = [r for r in RECORDS if r["refused"] is None]
    assert len(computed) >= 300
    assert {r["rule"] for r in computed} == set(make_golden.RULES)
    assert {r["framework"] for r in computed} == {"pytorch", "jax", "onnx", "tensorflow", "keras"}


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow", "keras", "jax", "onnx"])
def test_conv_matches_golden(framework):
    records = [r for r in RECORDS if r["framework"] == framework]
    assert records
    for r in records:
        x, k = ARRAYS[f"x_{r['case']}"], ARRAYS[f"k_{r['case']}"]
        fp, out = ours(framework, r["rule"], r, x, k)
        if r["refused"] is not None:
            assert fp.refused is not None, r
            # The framework's own words (onnxruntime wraps them in more text).
            assert fp.refused[:40] in r["refused"], (fp.refused, r["refused"])
            continue
        assert fp.refused is None, (fp, r)
        np.testing.assert_allclose(out, ARRAYS[f"out_{r['id']}"], rtol=1e-4, atol=1e-4)


LIVE = {"pytorch": "torch", "jax": "jax", "onnx": "onnxruntime", "tensorflow": "tensorflow"}


@pytest.mark.parametrize("framework", list(LIVE))
def test_conv_matches_live_framework(framework):
    pytest.importorskip(LIVE[framework], reason=f"{LIVE[framework]} is not installed")
    runner = make_golden.RUNNERS[framework][1]
    checked = 0
    for i, (rule, geometry, x, k) in enumerate(make_golden.cases(count_per_rule=12)):
        try:
            want = runner(rule, geometry, x, k)
        except Exception:
            want = "refused"
        if want is None:  # the framework has no spelling for this rule
            continue
        fp, out = ours(framework, rule, geometry, x, k)
        if isinstance(want, str):
            assert fp.refused is not None, (i, rule, geometry)
            continue
        assert fp.refused is None, (fp, rule, geometry)
        np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4)
        checked += 1
    assert checked >= 20
