"""The Convolve page's framework section and the array-layout choice for uploads.

Expected paddings are the frameworks' rules written out here (TensorFlow's
"SAME": ceil(n / stride) outputs, the odd pad after; SAME_LOWER: the odd pad
before); PyTorch's refusal is read from torch itself; the exported code is
run in the real frameworks against the page's output; uploads in
channels-first layouts are checked against the loop reference.
"""

import numpy as np
import pandas as pd
import pytest
from apptest import APP, open_app, result
from reference import reference_conv2d
from streamlit.testing.v1 import AppTest

import conv
from conv import io as conv_io
from conv.app.frameworks_view import PAD_MODE_SUPPORT

NPY = "application/octet-stream"
MODULES = {
    "PyTorch module": "torch",
    "PyTorch functional": "torch",
    "TensorFlow": "tensorflow",
    "Keras": "tensorflow",
    "JAX": "jax",
    "ONNX": "onnxruntime",
}
SIDES = ["top", "bottom", "left", "right"]


def table(at: AppTest) -> pd.DataFrame:
    frames = [t.value for t in at.table if "vs page" in t.value.columns]
    assert len(frames) == 1
    return frames[0].set_index("framework")


def upload(at: AppTest, key: str, name: str, array: np.ndarray) -> AppTest:
    at.file_uploader(key=key).set_value((name, conv_io.to_npy(array), NPY)).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("example", "out"), [("seed-2d", "3×3"), ("seed-3d", "15×15")])
def test_every_framework_agrees_with_the_exercise_at_valid(example, out):
    t = table(open_app(example=example))
    assert list(t.index) == ["PyTorch", "TensorFlow", "Keras", "JAX", "ONNX"]
    assert (t[SIDES] == 0).all().all()
    assert (t["output"] == out).all()
    assert (t["vs page"] == "✓\u00a0agrees").all()


def same_pads(n: int, k: int, s: int) -> tuple[int, int]:
    """TensorFlow's SAME (= ONNX SAME_UPPER): (before, after), the odd one after."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def test_a_strided_same_layer_is_refused_by_pytorch_and_split_differently_by_onnx_lower():
    at = open_app(source="generate", shape="6x8", filter="same-rng", kshape="3x3",
                  stride="2", padding="same")  # fmt: skip
    t = table(at)
    (top, bottom), (left, right) = same_pads(6, 3, 2), same_pads(8, 3, 2)
    assert (top, bottom, left, right) == (0, 1, 0, 1)  # the arithmetic above, on these numbers
    out = f"{-(-6 // 2)}×{-(-8 // 2)}"
    for name in ("TensorFlow", "Keras", "JAX", "ONNX SAME_UPPER"):
        assert list(t.loc[name, SIDES]) == [top, bottom, left, right], name
        assert t.loc[name, "output"] == out and t.loc[name, "vs page"] == "✓\u00a0agrees"
    lower = t.loc["ONNX SAME_LOWER"]
    assert list(lower[SIDES]) == [bottom, top, right, left]  # the odd row/column first
    assert lower["output"] == out and lower["vs page"] == "✗\u00a0differs"
    assert t.loc["PyTorch", "vs page"] == "refused"
    assert pd.isna(t.loc["PyTorch", "top"])
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as said:
        torch.nn.functional.conv2d(torch.zeros(1, 1, 6, 8), torch.zeros(1, 1, 3, 3), stride=2,
                                   padding="same")  # fmt: skip
    assert t.loc["PyTorch", "output"] == f"refused: {said.value}"


def test_a_pad_mode_names_the_frameworks_that_cannot_pad_that_way():
    at = open_app(example="seed-2d", padding="same", pad_mode="replicate")
    said = [m.value for m in at.markdown if "Pad mode replicate" in m.value]
    assert len(said) == 1 and "TensorFlow and Keras cannot pad this way" in said[0]
    assert not [t for t in at.tabs if t.label == "JAX"]  # no zero-padding code for it
    at = open_app(example="seed-2d", padding="same", pad_mode="reflect")
    assert any("every framework can pad this way" in m.value for m in at.markdown)


LAYERS = [  # links: the exercise, an asymmetric strided "same" bank, flip with custom pads
    {"example": "seed-3d"},
    {"source": "generate", "shape": "7x6x2", "filter": "same-rng", "kshape": "3x2",
     "filters": "2", "stride": "2", "padding": "same"},
    {"example": "seed-2d", "flip": "1", "padding": "custom", "pad": "1,0,2,1", "dilation": "2"},
]  # fmt: skip


@pytest.mark.parametrize("tab", list(MODULES))
def test_exported_code_computes_the_pages_output(tab, tmp_path):
    pytest.importorskip(MODULES[tab], reason=f"{MODULES[tab]} is not installed")
    for link in LAYERS:
        at = open_app(**link)
        shown = result(at)
        code = next(t for t in at.tabs if t.label == tab).code[0].value
        np.save(tmp_path / "input.npy", shown.x)  # what the page's .npy downloads hold
        np.save(tmp_path / "filter.npy", shown.kernel)
        for name in ("input.npy", "filter.npy"):
            code = code.replace(f'"{name}"', repr(str(tmp_path / name)))
        namespace = {}
        exec(code, namespace)
        s = shown.settings
        want = reference_conv2d(shown.x, shown.kernel, stride=s.stride, padding=s.padding_arg,
                                dilation=s.dilation, flip=s.flip)  # fmt: skip
        assert namespace["out"].shape == shown.out.shape == want.shape, link
        np.testing.assert_allclose(namespace["out"], shown.out, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(shown.out, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("with_batch", [False, True])
def test_channels_first_uploads_give_the_channels_last_result(exercise_3d, with_batch):
    x, k, first_row = exercise_3d
    x_chw = x.transpose(2, 0, 1)[None] if with_batch else x.transpose(2, 0, 1)
    bank = np.stack([k, -2 * k], axis=-1)  # (KH, KW, C, F)
    at = open_app(source="upload", xlayout="CHW", filter="upload", klayout="OIHW", stride="2")
    upload(at, "x_upload.file", "x.npy", x_chw)
    upload(at, "k_upload.file", "w.npy", bank.transpose(3, 2, 0, 1))  # PyTorch's (F, C, KH, KW)
    assert not at.error, [e.value for e in at.error]
    shown = result(at)
    np.testing.assert_array_equal(shown.x, x)
    np.testing.assert_array_equal(shown.kernel, bank)
    np.testing.assert_allclose(shown.out, reference_conv2d(x, bank, stride=2), rtol=1e-12)
    np.testing.assert_allclose(shown.out[0, :4, 0].round(2), first_row)
    assert any("moved to channels-last" in c.value for c in at.caption)
    assert at.query_params["xlayout"] == "CHW" and at.query_params["klayout"] == "OIHW"


def test_a_channels_first_upload_is_hinted_and_the_switch_reads_it_right():
    x = np.random.default_rng(5).normal(size=(3, 32, 32)).round(2)
    at = upload(open_app(source="upload", filter="preset", preset="box-blur"),
                "x_upload.file", "img.npy", x)  # fmt: skip
    hints = [i.value for i in at.info if "3×32×32" in i.value]
    assert len(hints) == 1 and "looks like C×H×W" in hints[0]
    assert result(at).x.shape == (3, 32, 32)  # read as H×W×C until the user switches
    at.button(key="switch.x_layout").click().run()
    assert not at.exception
    np.testing.assert_array_equal(result(at).x, x.transpose(1, 2, 0))
    assert not [i for i in at.info if "3×32×32" in i.value]
    assert at.query_params["xlayout"] == "CHW"


def test_a_pytorch_weight_upload_is_hinted(exercise_3d):
    weight = np.random.default_rng(6).normal(size=(8, 3, 3, 3)).round(2)  # (F, C, KH, KW)
    at = upload(open_app(example="seed-3d", filter="upload"), "k_upload.file", "w.npy", weight)
    hints = [i.value for i in at.info if "8×3×3×3" in i.value]
    assert len(hints) == 1 and "looks like F×C×KH×KW" in hints[0]
    at.button(key="switch.k_layout").click().run()
    x, _, _ = exercise_3d
    hwio = weight.transpose(2, 3, 1, 0)
    np.testing.assert_allclose(result(at).out, reference_conv2d(x, hwio, stride=2), rtol=1e-12)


# The page's pad modes, and the spelling its framework section gives for each.
SPELLINGS = {
    "reflect": {"torch": "reflect", "jax": "reflect", "onnx": "reflect"},
    "replicate": {"torch": "replicate", "jax": "edge", "onnx": "edge"},
    "circular": {"torch": "circular", "jax": "wrap", "onnx": "wrap"},
}


@pytest.mark.parametrize("mode", list(SPELLINGS))
def test_the_pad_mode_spellings_shown_pad_as_the_page_does(mode):
    x = np.random.default_rng(8).normal(size=(5, 6)).astype(np.float32)
    pads = ((2, 1), (1, 3))
    want = conv.pad(x, pads, mode)
    said, spelled = PAD_MODE_SUPPORT[mode], SPELLINGS[mode]
    torch = pytest.importorskip("torch")
    assert f"mode='{spelled['torch']}'" in said["pytorch"]
    got = torch.nn.functional.pad(torch.from_numpy(x)[None, None], (1, 3, 2, 1), mode=mode)
    np.testing.assert_array_equal(got[0, 0].numpy(), want)
    jnp = pytest.importorskip("jax.numpy")
    assert f"mode='{spelled['jax']}'" in said["jax"]
    np.testing.assert_array_equal(np.asarray(jnp.pad(x, pads, mode=spelled["jax"])), want)
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper

    assert f"mode='{spelled['onnx']}'" in said["onnx"]
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode=spelled["onnx"])
    graph = helper.make_graph(
        [node], "pad", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[helper.make_tensor("pads", TensorProto.INT64, [4], [2, 1, 1, 3])],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], ir_version=10)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(session.run(None, {"x": x})[0], want)


def test_the_frameworks_section_is_drawn_only_when_opened():
    from streamlit.testing.v1 import AppTest

    from conv.app import frameworks_view

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["example"] = "seed-3d"
    at.run()
    assert not at.exception
    assert not at.table and not any("onnx" in c.value for c in at.code)  # closed: not drawn
    at.session_state[frameworks_view.OPEN] = True
    at.run()
    assert len(at.table) == 1 and any("onnxruntime" in c.value for c in at.code)
