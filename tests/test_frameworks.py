"""framework_padding's transposed-conv and pooling tables against live PyTorch, JAX and
onnxruntime, plus to_layout and the error messages."""

import numpy as np
import pytest

import conv

GEOMETRIES = [  # (n, k, stride, dilation)
    (n, k, s, d) for n in (4, 5, 7) for k in (1, 2, 3) for s in (1, 2, 3) for d in (1, 2)
]


def onnx_shape(op, n, k, s, d, **attrs):
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper

    attrs = {"kernel_shape": [k, k], "strides": [s, s], **attrs}
    if d > 1:
        attrs["dilations"] = [d, d]
    inputs = ["x", "w"] if op == "ConvTranspose" else ["x"]
    node = helper.make_node(op, inputs, ["y"], **attrs)
    info = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, n, n])]
    if op == "ConvTranspose":
        info.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, [1, 1, k, k]))
    out = [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]
    model = helper.make_model(
        helper.make_graph([node], "g", info, out),
        opset_imports=[helper.make_opsetid("", 21)],
        ir_version=10,
    )
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = {"x": np.ones((1, 1, n, n), np.float32), "w": np.ones((1, 1, k, k), np.float32)}
    return session.run(None, {i: feed[i] for i in inputs})[0].shape[2:]


def onnx_shape_or_none(*args, **kwargs):
    try:
        return onnx_shape(*args, **kwargs)
    except Exception as error:  # onnxruntime refuses in its own exception types
        if "onnxruntime" not in type(error).__module__:
            raise
        return None


def test_pytorch_conv_transpose_and_pool_shapes():
    torch = pytest.importorskip("torch")
    for n, k, s, d in GEOMETRIES:
        x = torch.ones(1, 1, n, n)
        for p in range(3):
            for a in range(max(s, d)):
                got = conv.framework_padding(
                    "pytorch", n, k, s, d, p, op="conv_transpose", output_padding=a
                )
                layer = torch.nn.ConvTranspose2d(1, 1, k, s, p, a, dilation=d)
                try:
                    want = tuple(layer(x).shape[2:])
                except RuntimeError:
                    want = None
                assert got.output_shape == want, (n, k, s, d, p, a, got)
            for ceil_mode in (False, True):
                got = conv.framework_padding(
                    "pytorch", n, k, s, d, p, op="pool", ceil_mode=ceil_mode
                )
                try:
                    want = tuple(torch.nn.MaxPool2d(k, s, p, d, ceil_mode=ceil_mode)(x).shape[2:])
                except RuntimeError:
                    want = None
                assert got.output_shape == want, (n, k, s, d, p, ceil_mode, got)


def test_jax_conv_transpose_and_pool_pads_give_its_values():
    pytest.importorskip("jax")
    from jax import lax

    rng = np.random.default_rng(3)
    for n, k, s, d in GEOMETRIES:
        x = rng.normal(size=(n, n)).astype(np.float32)
        w = rng.normal(size=(k, k)).astype(np.float32)
        for rule in ("VALID", "SAME"):
            fp = conv.framework_padding("jax", n, k, s, d, rule, op="conv_transpose")
            y = np.asarray(
                lax.conv_transpose(
                    x[None, None],
                    w[None, None],
                    (s, s),
                    rule,
                    rhs_dilation=(d, d),
                    dimension_numbers=("NCHW", "OIHW", "NCHW"),
                    transpose_kernel=True,  # the gradient of conv, as PyTorch's
                )
            )[0, 0]
            np.testing.assert_allclose(y, transposed_loop(x, w, s, d, fp.pads), atol=1e-4)
            fp = conv.framework_padding("jax", n, k, s, d, rule, op="pool")
            y = lax.reduce_window(x, -np.inf, lax.max, (k, k), (s, s), rule, window_dilation=(d, d))
            assert np.asarray(y).shape == fp.output_shape, (n, k, s, d, rule)


def transposed_loop(x, w, s, d, pads):
    """Scatter every input pixel through the kernel, then crop ``pads`` (negative adds)."""
    n, k = x.shape[0], w.shape[0]
    full = (n - 1) * s + d * (k - 1) + 1
    (t, b), (left, r) = pads
    big = np.zeros((full + 2 * max(0, -b, -r), full + 2 * max(0, -b, -r)))
    for i in range(n):
        for j in range(n):
            for m in range(k):
                for q in range(k):
                    big[i * s + m * d, j * s + q * d] += x[i, j] * w[m, q]
    return big[t : full - b, left : full - r]


def test_onnx_conv_transpose_and_pool_shapes():
    pytest.importorskip("onnxruntime")
    # Windows wider than the input are left out: onnxruntime's pools give odd sizes there.
    for n, k, s, d in [g for g in GEOMETRIES[::2] if g[3] * (g[1] - 1) < g[0]]:
        for rule in ("VALID", "SAME_UPPER", "SAME_LOWER"):
            fp = conv.framework_padding("onnx", n, k, s, d, rule, op="conv_transpose")
            assert onnx_shape("ConvTranspose", n, k, s, d, auto_pad=rule) == fp.output_shape
            fp = conv.framework_padding("onnx", n, k, s, d, rule, op="pool")
            assert onnx_shape_or_none("MaxPool", n, k, s, d, auto_pad=rule) == fp.output_shape
        for ceil_mode in (0, 1):
            fp = conv.framework_padding("onnx", n, k, s, d, 1, op="pool", ceil_mode=bool(ceil_mode))
            want = onnx_shape_or_none("MaxPool", n, k, s, d, pads=[1] * 4, ceil_mode=ceil_mode)
            assert want == fp.output_shape, (n, k, s, d, ceil_mode)


def test_tensorflow_same_puts_the_odd_pixel_after_and_onnx_lower_before():
    assert conv.framework_padding("tensorflow", 6, 4, 1).pads == ((0, 0), (0, 0))
    assert conv.framework_padding("keras", 6, 4, 1, padding="same").pads == ((1, 2), (1, 2))
    assert conv.framework_padding("onnx", 6, 4, 1, padding="SAME_LOWER").pads == ((2, 1), (2, 1))
    refusal = conv.framework_padding("pytorch", 6, 3, 2, padding="same")
    assert refusal.refused == "padding='same' is not supported for strided convolutions"
    assert refusal.pads is None and refusal.output_shape is None
    asym = conv.framework_padding("pytorch", 6, 3, 1, padding=((0, 1), (1, 1)))
    assert asym.refused and "F.pad" in asym.note


def test_to_layout_moves_the_values_not_just_the_shape():
    hwio = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)  # (KH, KW, C, F)
    oihw = conv.to_layout(hwio, "HWIO", "OIHW")
    assert oihw.shape == (5, 4, 2, 3)
    assert oihw[4, 3, 1, 2] == hwio[1, 2, 3, 4]
    np.testing.assert_array_equal(conv.to_layout(oihw, "OIHW", "HWIO"), hwio)
    iohw = conv.to_layout(hwio, "HWIO", "IOHW")
    assert iohw[3, 4, 1, 2] == hwio[1, 2, 3, 4]
    hwc = np.arange(24).reshape(2, 3, 4)
    nchw = conv.to_layout(hwc, "HWC", "NCHW")
    assert nchw.shape == (1, 4, 2, 3) and nchw[0, 3, 1, 2] == hwc[1, 2, 3]
    np.testing.assert_array_equal(conv.to_layout(nchw, "NCHW", "HWC"), hwc)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.to_layout(np.zeros((2, 2)), "HWC", "CHW"), "array must have 3 axes"),
        (lambda: conv.to_layout(np.zeros((2, 2, 2)), "HWX", "CHW"), "src must be a layout.*'HWX'"),
        (lambda: conv.to_layout(np.zeros((1, 1, 1, 1)), "OIHW", "NCHW"), "name different axes"),
        (lambda: conv.framework_padding("caffe", 5, 3), "framework must be one of.*'caffe'"),
        (lambda: conv.framework_padding("jax", 5, 3, op="deconv"), "op must be one of.*'deconv'"),
        (lambda: conv.framework_padding("jax", 5, 3, padding="half"), "padding must be.*'half'"),
        (lambda: conv.framework_padding("jax", 5, 0), "kernel_size must be positive"),
        (lambda: conv.framework_padding("jax", 5, 3, output_padding=1), "output_padding is for"),
        (lambda: conv.framework_padding("jax", 5, 3, ceil_mode=1), "ceil_mode must be True or"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
