"""conv2d against PyTorch, the semantics the contract borrows, where torch is installed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conv

torch = pytest.importorskip("torch")
F = torch.nn.functional


def torch_conv2d(x, kernel, *, stride, padding, dilation, pad_mode="zeros"):
    """PyTorch's answer for channels-last ``x`` (H, W, C) and ``kernel`` (KH, KW, C, F).

    ``padding`` is ((top, bottom), (left, right)) or "same"; non-zero modes go
    through ``F.pad`` exactly as ``nn.Conv2d(padding_mode=...)`` does.
    """
    xt = torch.from_numpy(x).permute(2, 0, 1)[None]
    wt = torch.from_numpy(kernel).permute(3, 2, 0, 1)
    if padding == "same":
        out = F.conv2d(xt, wt, stride=stride, padding="same", dilation=dilation)
    else:
        (top, bottom), (left, right) = padding
        mode = "constant" if pad_mode == "zeros" else pad_mode
        xt = F.pad(xt, (left, right, top, bottom), mode=mode)
        out = F.conv2d(xt, wt, stride=stride, dilation=dilation)
    return out[0].permute(1, 2, 0).numpy()


@settings(max_examples=150)
@given(
    h=st.integers(1, 10),
    w=st.integers(1, 10),
    c=st.integers(1, 3),
    f=st.integers(1, 3),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    pads=st.tuples(*(st.integers(0, 3),) * 4),
    pad_mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_torch(h, w, c, f, kh, kw, stride, dilation, pads, pad_mode, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(h, w, c))
    kernel = rng.normal(size=(kh, kw, c, f))
    padding = (pads[:2], pads[2:])
    try:
        expected = torch_conv2d(
            x, kernel, stride=stride, padding=padding, dilation=dilation, pad_mode=pad_mode
        )
    except (RuntimeError, ValueError):
        # torch refused (kernel too large, or too much reflect/circular padding): so must we.
        with pytest.raises(ValueError):
            conv.conv2d(
                x, kernel, stride=stride, padding=padding, dilation=dilation, pad_mode=pad_mode
            )
        return
    for method in ("direct", "fft"):
        out = conv.conv2d(
            x,
            kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            pad_mode=pad_mode,
            method=method,
        )
        np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9)


# torch warns that even kernels cost it an extra copy; the numbers are what matter here.
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("kernel_hw", [(3, 3), (2, 2), (4, 3), (1, 5)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_same_padding_at_stride_1_matches_torch(kernel_hw, dilation):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(9, 8, 2))
    kernel = rng.normal(size=(*kernel_hw, 2, 3))
    expected = torch_conv2d(x, kernel, stride=1, padding="same", dilation=dilation)
    out = conv.conv2d(x, kernel, padding="same", dilation=dilation)
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("pad_mode", ["reflect", "replicate", "circular"])
def test_pad_matches_torch_pad(pad_mode):
    x = np.arange(20.0).reshape(4, 5, 1)
    pads = ((3, 1), (2, 4))
    expected = F.pad(torch.from_numpy(x).permute(2, 0, 1)[None], (2, 4, 3, 1), mode=pad_mode)
    np.testing.assert_array_equal(conv.pad(x, pads, pad_mode), expected[0].permute(1, 2, 0).numpy())


def test_float32_matches_torch_float32():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(16, 16, 3)).astype(np.float32)
    kernel = rng.normal(size=(5, 5, 3, 4)).astype(np.float32)
    expected = torch_conv2d(x, kernel, stride=2, padding=((2, 2), (1, 1)), dilation=1)
    for method in ("direct", "fft"):
        out = conv.conv2d(x, kernel, stride=2, padding=((2, 2), (1, 1)), method=method)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
