"""The exported PyTorch, TensorFlow/Keras, JAX and ONNX scripts compute conv.conv2d's output."""

import numpy as np
import pytest

import conv
from conv.app.framework_code import TARGETS, framework_code

MODULES = {
    "pytorch": "torch",
    "pytorch-functional": "torch",
    "keras": "tensorflow",
    "tensorflow": "tensorflow",
    "jax": "jax",
    "onnx": "onnxruntime",
}
LAYERS = [  # (x shape, kernel shape, settings): symmetric, asymmetric, "same", dilated+strided
    ((7, 8, 3), (3, 2, 3, 4), {"stride": 2, "padding": ((1, 2), (0, 1))}),
    ((9, 9, 2), (3, 3, 2, 2), {"padding": 1, "dilation": 2}),
    ((6, 6), (4, 4), {"stride": 2, "padding": "same"}),
    ((11, 10, 2), (3, 3, 2), {"stride": (2, 3), "padding": "same", "dilation": 2}),
    ((5, 5), (3, 3), {}),
]


@pytest.mark.parametrize("target", TARGETS)
def test_exported_code_matches_conv2d(target):
    pytest.importorskip(MODULES[target], reason=f"{MODULES[target]} is not installed")
    rng = np.random.default_rng(7)
    for x_shape, k_shape, settings in LAYERS:
        x, k = rng.normal(size=x_shape), rng.normal(size=k_shape)
        namespace = {"x": x, "k": k}
        exec(framework_code(target, x_shape, k_shape, load=False, **settings), namespace)
        want = conv.conv2d(x, k, **settings)
        assert namespace["out"].shape == want.shape
        np.testing.assert_allclose(namespace["out"], want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("target", TARGETS)
def test_exported_code_reads_npy_files_and_gives_the_exercise(target, exercise_2d, tmp_path):
    pytest.importorskip(MODULES[target], reason=f"{MODULES[target]} is not installed")
    x, kernel, expected = exercise_2d
    np.save(tmp_path / "input.npy", x)
    np.save(tmp_path / "filter.npy", kernel)
    code = framework_code(target, x.shape, kernel.shape).replace(
        '"input.npy"', repr(str(tmp_path / "input.npy"))
    )
    namespace = {}
    exec(code.replace('"filter.npy"', repr(str(tmp_path / "filter.npy"))), namespace)
    np.testing.assert_allclose(namespace["out"], expected, atol=0.006)


def test_pytorch_code_pads_asymmetrically_before_the_layer():
    code = framework_code("pytorch", (7, 8, 3), (3, 2, 3, 4), padding=((1, 2), (0, 1)))
    assert "torch.nn.ZeroPad2d((0, 1, 1, 2))" in code
    assert "padding=0" in code


def test_onnx_code_orders_pads_begins_then_ends():
    code = framework_code("onnx", (7, 8, 3), (3, 2, 3, 4), padding=((1, 2), (0, 3)))
    assert "pads=[1, 0, 2, 3]" in code


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "caffe"}, "target must be one of"),
        ({"pad_mode": "reflect"}, "pad_mode must be 'zeros' for exported code, got 'reflect'"),
        ({"load": "yes"}, "load must be True or False, got 'yes'"),
        ({"padding": "sideways"}, "padding must be one of"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    args = {"target": "jax", **kwargs}
    target = args.pop("target")
    with pytest.raises(ValueError, match=message):
        framework_code(target, (5, 5), (3, 3), **args)
