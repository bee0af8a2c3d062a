"""Write tests/golden/conv2d_frameworks.npz: conv2d outputs computed by the real frameworks.

Independent of ``conv`` on purpose (it imports nothing from it): each case
asks one framework for one layer in that framework's own padding spelling
and records the output, or the framework's refusal. Run it with every
framework you have; records of frameworks missing from this run are kept
from the existing file, so TensorFlow (large) can run from its own venv:

    python tests/golden/make_golden.py                  # torch, jax, onnxruntime
    /path/to/tf-venv/bin/python tests/golden/make_golden.py  # adds tensorflow

Cases are drawn from a fixed seed, so both runs see the same layers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("conv2d_frameworks.npz")
RULES = ("explicit", "valid", "same", "same_upper", "same_lower", "torch_int")


def cases(count_per_rule: int = 60):
    """(rule, geometry, x, k) with odd and even sizes, kernels 1-7, strides 1-4, dilations 1-3."""
    rng = np.random.default_rng(2024)
    for rule in RULES:
        made = 0
        while made < count_per_rule:
            h, w = (int(v) for v in rng.integers(3, 14, size=2))
            kh, kw = (int(v) for v in rng.integers(1, 8, size=2))
            sh, sw = (int(v) for v in rng.integers(1, 5, size=2))
            dh, dw = (int(v) for v in rng.integers(1, 4, size=2))
            if made % 3 == 0:  # a third square and symmetric, as most layers are
                w, kw, sw, dw = h, kh, sh, dh
            pads = [[int(v) for v in rng.integers(0, 4, size=2)] for _ in range(2)]
            if rule == "torch_int":
                pads = [[pads[0][0]] * 2, [pads[1][0]] * 2]
            if rule not in ("explicit", "torch_int"):
                pads = None
            # Keep only layers whose kernel fits the input padded as much as "same" could.
            reach = [d * (k - 1) + 1 for k, d in ((kh, dh), (kw, dw))]
            extra = [0, 0] if pads is None else [sum(p) for p in pads]
            if rule == "valid" and (reach[0] > h or reach[1] > w):
                continue
            if rule != "valid" and any(
                r > n + e + (r if pads is None else 0)
                for r, n, e in zip(reach, (h, w), extra, strict=True)
            ):
                continue
            c, f = (int(v) for v in rng.integers(1, 3, size=2))
            x = rng.normal(size=(h, w, c)).astype(np.float32)
            k = rng.normal(size=(kh, kw, c, f)).astype(np.float32)
            geometry = {"stride": [sh, sw], "dilation": [dh, dw], "pads": pads}
            yield rule, geometry, x, k
            made += 1


def _torch(rule, g, x, k):
    import torch
    import torch.nn.functional as F

    padding = {"valid": "valid", "same": "same", "torch_int": None}.get(rule, "skip")
    if padding == "skip":
        return None
    if padding is None:
        padding = (g["pads"][0][0], g["pads"][1][0])
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None]))
    wt = torch.from_numpy(np.ascontiguousarray(k.transpose(3, 2, 0, 1)))
    y = F.conv2d(xt, wt, stride=g["stride"], padding=padding, dilation=g["dilation"])
    return y[0].permute(1, 2, 0).numpy()


def _jax(rule, g, x, k):
    from jax import lax

    padding = {"valid": "VALID", "same": "SAME", "same_lower": "SAME_LOWER"}.get(rule)
    if rule == "explicit":
        padding = [tuple(p) for p in g["pads"]]
    if padding is None:
        return None
    y = lax.conv_general_dilated(
        x[None],
        k,
        window_strides=g["stride"],
        padding=padding,
        rhs_dilation=g["dilation"],
        dimension_numbers=("NHWC", "HWIO", "NHWC"),
    )
    return np.asarray(y)[0]


def _onnx(rule, g, x, k):
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    auto_pad = {
        "valid": "VALID",
        "same_upper": "SAME_UPPER",
        "same_lower": "SAME_LOWER",
        "explicit": "NOTSET",
    }.get(rule)
    if auto_pad is None:
        return None
    attrs = {
        "kernel_shape": list(k.shape[:2]),
        "strides": g["stride"],
        "dilations": g["dilation"],
        "auto_pad": auto_pad,
    }
    if rule == "explicit":
        (t, b), (left, r) = g["pads"]
        attrs["pads"] = [t, left, b, r]
    node = helper.make_node("Conv", ["x", "w"], ["y"], **attrs)
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, x.shape[2], *x.shape[:2]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[numpy_helper.from_array(np.ascontiguousarray(k.transpose(3, 2, 0, 1)), "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], ir_version=10)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    y = session.run(None, {"x": np.ascontiguousarray(x.transpose(2, 0, 1)[None])})[0]
    return y[0].transpose(1, 2, 0)


def _tensorflow(rule, g, x, k):
    import tensorflow as tf

    padding = {"valid": "VALID", "same": "SAME"}.get(rule)
    if rule == "explicit":
        padding = [[0, 0], *g["pads"], [0, 0]]
    if padding is None:
        return None
    y = tf.nn.conv2d(x[None], k, strides=g["stride"], padding=padding, dilations=g["dilation"])
    return y.numpy()[0]


def _keras(rule, g, x, k):
    import tensorflow as tf

    if rule not in ("valid", "same"):
        return None
    layer = tf.keras.layers.Conv2D(
        k.shape[3],
        k.shape[:2],
        strides=g["stride"],
        padding=rule,
        dilation_rate=g["dilation"],
        use_bias=False,
    )
    layer.build((1, *x.shape))
    layer.set_weights([k])
    return np.asarray(layer(x[None]))[0]


RUNNERS = {
    "pytorch": ("torch", _torch),
    "jax": ("jax", _jax),
    "onnx": ("onnxruntime", _onnx),
    "tensorflow": ("tensorflow", _tensorflow),
    "keras": ("tensorflow", _keras),
}


def main() -> None:
    available = {}
    for name, (module, runner) in RUNNERS.items():
        try:
            __import__(module)
        except ImportError:
            continue
        available[name] = runner
    records, arrays, versions = [], {}, {}
    if OUT.exists():  # keep what frameworks missing here computed last time
        with np.load(OUT) as old:
            meta = json.loads(str(old["meta"]))
            for rec in meta["records"]:
                if rec["framework"] not in available:
                    records.append(rec)
                    if f"out_{rec['id']}" in old:
                        arrays[f"out_{rec['id']}"] = old[f"out_{rec['id']}"]
            versions = {n: v for n, v in meta["versions"].items() if n not in available}
    versions.update({name: sys.modules[RUNNERS[name][0]].__version__ for name in available})
    for i, (rule, g, x, k) in enumerate(cases()):
        arrays[f"x_{i}"], arrays[f"k_{i}"] = x, k
        for name, runner in available.items():
            try:
                out = runner(rule, g, x, k)
                refused = None
            except Exception as error:  # the refusal is the golden value
                out, refused = None, f"{type(error).__name__}: {error}".strip()
            if out is None and refused is None:
                continue
            rid = f"{name}_{i}"
            records.append({"id": rid, "case": i, "framework": name, "rule": rule, **g})
            records[-1]["refused"] = refused
            if out is not None:
                arrays[f"out_{rid}"] = np.asarray(out, dtype=np.float32)
    meta = {"versions": versions, "records": sorted(records, key=lambda r: (r["case"], r["id"]))}
    np.savez_compressed(OUT, meta=np.array(json.dumps(meta)), **arrays)
    print(f"{len(records)} records written to {OUT} ({OUT.stat().st_size} bytes) by {versions}")


if __name__ == "__main__":
    main()
