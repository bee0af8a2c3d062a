"""Code that computes a conv2d layer in PyTorch, TensorFlow/Keras, JAX or ONNX.

Pure functions from a layer's shapes and settings to a Python script as
text, so the app can offer it for download and the tests can run it. Every
script starts from ``x`` (H, W, C) and ``k`` (KH, KW, C, F) numpy arrays,
writes each layout move out, and leaves ``out`` as numpy with the shape
:func:`conv.conv2d` gives, in float32 (the frameworks' default).
"""

from __future__ import annotations

from collections.abc import Sequence

import conv
from conv._geometry import as_pair

TARGETS = ("pytorch", "pytorch-functional", "keras", "tensorflow", "jax", "onnx")

_LOAD = """\
x = np.load("input.npy").astype(np.float32).reshape({h}, {w}, {c})  # (H, W, C)
k = np.load("filter.npy").astype(np.float32).reshape({kh}, {kw}, {c}, {f})  # (KH, KW, C, F)
"""
_GIVEN = """\
# x: (H, W, C) and k: (KH, KW, C, F) numpy arrays, as in convscope.
x = np.asarray(x, dtype=np.float32).reshape({h}, {w}, {c})
k = np.asarray(k, dtype=np.float32).reshape({kh}, {kw}, {c}, {f})
"""


def _pytorch(v: dict, functional: bool) -> str:
    (t, b), (left, r) = v["pads"]
    symmetric = t == b and left == r
    pad = f"({t}, {left})" if symmetric else "0"
    pad_line = (
        ""
        if symmetric
        else f"xt = F.pad(xt, ({left}, {r}, {t}, {b}))  # (left, right, top, bottom)\n"
    )
    head = "import numpy as np\nimport torch\nimport torch.nn.functional as F\n\n" + v["inputs"]
    layouts = (
        "xt = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None]))  # HWC -> NCHW\n"
        "weight = torch.from_numpy(np.ascontiguousarray(k.transpose(3, 2, 0, 1)))  # HWIO -> OIHW\n"
    )
    args = f"stride={v['stride']}, padding={pad}, dilation={v['dilation']}"
    if not symmetric:
        layouts += "# nn.Conv2d pads the same on both sides; asymmetric padding goes first.\n"
    if functional:
        body = layouts + pad_line + f"y = F.conv2d(xt, weight, {args})\n"
    else:
        body = (
            layouts
            + f"layer = torch.nn.Conv2d({v['c']}, {v['f']}, kernel_size={v['kernel']}, {args}, "
            "bias=False)\n"
            "with torch.no_grad():\n    layer.weight.copy_(weight)\n"
            + (
                "model = layer\n"
                if symmetric
                else f"model = torch.nn.Sequential(torch.nn.ZeroPad2d(({left}, {r}, {t}, {b})), "
                "layer)\n"
            )
            + "with torch.no_grad():\n    y = model(xt)\n"
        )
    return head + body + "out = y[0].permute(1, 2, 0).numpy()  # NCHW -> (OH, OW, F)\n"


def _tf_padding(v: dict) -> str:
    if v["pads"] == ((0, 0), (0, 0)):
        return '"VALID"'
    if v["pads"] == v["same_pads"]:
        return '"SAME"'
    (t, b), (left, r) = v["pads"]
    return f"[[0, 0], [{t}, {b}], [{left}, {r}], [0, 0]]"


def _tensorflow(v: dict) -> str:
    return (
        "import numpy as np\nimport tensorflow as tf\n\n"
        + v["inputs"]
        + "# TensorFlow is channels-last and its filters are HWIO, like convscope: no transposes.\n"
        f"y = tf.nn.conv2d(x[None], k, strides={v['stride']}, padding={_tf_padding(v)}, "
        f"dilations={v['dilation']})\n"
        "out = y.numpy()[0]  # NHWC -> (OH, OW, F)\n"
    )


def _keras(v: dict) -> str:
    if max(v["stride"]) > 1 and max(v["dilation"]) > 1:
        return (
            "# Keras Conv2D refuses strides > 1 together with dilation_rate > 1;\n"
            "# tf.nn.conv2d computes the layer.\n" + _tensorflow(v)
        )
    pads = v["pads"]
    named = pads == ((0, 0), (0, 0)) or pads == v["same_pads"]
    padding = '"valid"' if pads == ((0, 0), (0, 0)) else '"same"'
    lines = [
        "import numpy as np\nimport tensorflow as tf\n\n" + v["inputs"].rstrip("\n"),
        "xt = x[None]  # HWC -> NHWC; Keras kernels are HWIO like convscope's, no transpose",
    ]
    if not named:
        padding = '"valid"'
        lines.append(f"xt = tf.keras.layers.ZeroPadding2D({pads})(xt)  # Conv2D pads only 'same'")
    lines += [
        f"layer = tf.keras.layers.Conv2D({v['f']}, {v['kernel']}, strides={v['stride']}, "
        f"padding={padding}, dilation_rate={v['dilation']}, use_bias=False)",
        "layer.build(xt.shape)",
        "layer.set_weights([k])",
        "out = np.asarray(layer(xt))[0]  # NHWC -> (OH, OW, F)",
    ]
    return "\n".join(lines) + "\n"


def _jax(v: dict) -> str:
    return (
        "import numpy as np\nfrom jax import lax\n\n"
        + v["inputs"]
        + "# lax's default layouts are NCHW inputs and OIHW kernels; dimension_numbers=\n"
        '# ("NHWC", "HWIO", "NHWC") would skip these transposes.\n'
        "xt = x.transpose(2, 0, 1)[None]  # HWC -> NCHW\n"
        "weight = k.transpose(3, 2, 0, 1)  # HWIO -> OIHW\n"
        f"y = lax.conv_general_dilated(xt, weight, window_strides={v['stride']}, "
        f"padding={v['pads']}, rhs_dilation={v['dilation']})  # ((top, bottom), (left, right))\n"
        "out = np.asarray(y)[0].transpose(1, 2, 0)  # NCHW -> (OH, OW, F)\n"
    )


def _onnx(v: dict) -> str:
    (t, b), (left, r) = v["pads"]
    return (
        "import numpy as np\nimport onnx\nimport onnxruntime as ort\n"
        "from onnx import TensorProto, helper, numpy_helper\n\n"
        + v["inputs"]
        + "xt = np.ascontiguousarray(x.transpose(2, 0, 1)[None])  # HWC -> NCHW\n"
        "weight = np.ascontiguousarray(k.transpose(3, 2, 0, 1))  # HWIO -> OIHW\n"
        "node = helper.make_node(\n"
        '    "Conv", ["x", "w"], ["y"],\n'
        f"    kernel_shape={list(v['kernel'])}, strides={list(v['stride'])}, "
        f"dilations={list(v['dilation'])},\n"
        f"    pads={[t, left, b, r]},  # ONNX order: top, left, bottom, right\n"
        ")\n"
        "graph = helper.make_graph(\n"
        '    [node], "conv2d",\n'
        f'    [helper.make_tensor_value_info("x", TensorProto.FLOAT, {[1, v["c"], *v["hw"]]})],\n'
        f'    [helper.make_tensor_value_info("y", TensorProto.FLOAT, {v["y_shape"]})],\n'
        '    initializer=[numpy_helper.from_array(weight, "w")],\n'
        ")\n"
        "# IR version 10 with opset 21: what current onnxruntime releases read.\n"
        'model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], '
        "ir_version=10)\n"
        "onnx.checker.check_model(model)\n"
        "session = ort.InferenceSession(\n"
        '    model.SerializeToString(), providers=["CPUExecutionProvider"]\n'
        ")\n"
        'y = session.run(None, {"x": xt})[0]\n'
        "out = y[0].transpose(1, 2, 0)  # NCHW -> (OH, OW, F)\n"
    )


def framework_code(
    target: str,
    x_shape: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    stride: conv._geometry.IntPair = 1,
    padding: conv._geometry.PaddingSpec = "valid",
    dilation: conv._geometry.IntPair = 1,
    pad_mode: str = "zeros",
    load: bool = True,
) -> str:
    """A script computing ``conv.conv2d(x, k, ...)`` in another framework.

    Parameters
    ----------
    target : {"pytorch", "pytorch-functional", "keras", "tensorflow", "jax", "onnx"}
        ``"pytorch"`` builds an ``nn.Conv2d`` module, ``"tensorflow"`` calls
        ``tf.nn.conv2d``, ``"jax"`` ``lax.conv_general_dilated``, ``"onnx"``
        builds a ``Conv`` graph with ``onnx.helper`` and runs it in onnxruntime.
    x_shape, kernel_shape : tuple of int
        As for :func:`conv.output_shape`: ``(H, W[, C])`` and ``(KH, KW[, C[, F]])``.
    stride, padding, dilation :
        As for :func:`conv.conv2d`; padding is written out per side.
    pad_mode : {"zeros"}
        Only zero padding is exported.
    load : bool
        Read ``input.npy`` and ``filter.npy`` (True) or use variables ``x`` and ``k``.

    Returns
    -------
    str
        Python source leaving the result in ``out``, shaped as ``conv.conv2d``'s.

    Examples
    --------
    >>> code = framework_code("pytorch-functional", (5, 5), (3, 3), stride=2)
    >>> print(code.splitlines()[-3])
    y = F.conv2d(xt, weight, stride=(2, 2), padding=(0, 0), dilation=(1, 1))
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    if pad_mode != "zeros":
        raise ValueError(f"pad_mode must be 'zeros' for exported code, got {pad_mode!r}")
    if not isinstance(load, bool):
        raise ValueError(f"load must be True or False, got {load!r}")
    out_shape = conv.output_shape(
        x_shape, kernel_shape, stride=stride, padding=padding, dilation=dilation
    )
    strides, dilations = as_pair(stride, "stride"), as_pair(dilation, "dilation")
    pads = conv.resolve_padding(
        x_shape, kernel_shape, stride=stride, padding=padding, dilation=dilation
    )
    same_pads = conv.resolve_padding(
        x_shape, kernel_shape, stride=stride, padding="same", dilation=dilation
    )
    h, w = x_shape[:2]
    kh, kw = kernel_shape[:2]
    c = x_shape[2] if len(x_shape) == 3 else 1
    f = kernel_shape[3] if len(kernel_shape) == 4 else 1
    sizes = {"h": h, "w": w, "c": c, "kh": kh, "kw": kw, "f": f}
    v = {
        "pads": pads,
        "same_pads": same_pads,
        "stride": strides,
        "dilation": dilations,
        "kernel": (kh, kw),
        "c": c,
        "f": f,
        "hw": [h, w],
        "y_shape": [1, f, *out_shape[:2]],
        "inputs": (_LOAD if load else _GIVEN).format(**sizes) + "\n",
    }
    if target.startswith("pytorch"):
        code = _pytorch(v, functional=target == "pytorch-functional")
    else:
        code = {"keras": _keras, "tensorflow": _tensorflow, "jax": _jax, "onnx": _onnx}[target](v)
    if len(kernel_shape) < 4:
        code += "out = out[:, :, 0]  # one filter: (OH, OW), as conv.conv2d\n"
    return code
