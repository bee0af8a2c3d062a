"""conv2d on images big enough to cross the kernels' internal blocking, against scipy.

The loop reference is too slow at these sizes, so the expected values come
from ``scipy.signal.correlate2d`` one channel and filter at a time, on an
input padded by per-index lookup and a kernel dilated by inserting zeros.
"""

import numpy as np
import pytest
from reference import padding_amounts, reference_pad
from scipy import signal

import conv


def scipy_conv2d(x, kernel, *, stride, padding, dilation, pad_mode):
    """(OH, OW, F) for x (H, W, C) and kernel (KH, KW, C, F), float64."""
    (sh, sw), (dh, dw) = stride, dilation
    kh, kw, c, f = kernel.shape
    pads = padding_amounts(x.shape[:2], (kh, kw), stride, padding, dilation)
    xp = reference_pad(x.astype(np.float64), pads, pad_mode)
    dilated = np.zeros(((kh - 1) * dh + 1, (kw - 1) * dw + 1, c, f))
    dilated[::dh, ::dw] = kernel
    planes = [
        sum(signal.correlate2d(xp[..., ch], dilated[..., ch, fi], mode="valid") for ch in range(c))
        for fi in range(f)
    ]
    return np.stack(planes, axis=-1)[::sh, ::sw]


CASES = [
    # (H, W, C, KH, KW, F, stride, dilation, padding, pad_mode)
    (131, 157, 3, 5, 5, 4, (1, 1), (1, 1), "same", "zeros"),
    (131, 157, 3, 3, 3, 1, (1, 1), (1, 1), "valid", "reflect"),
    (120, 97, 2, 4, 3, 2, (2, 3), (1, 2), "full", "circular"),
    (96, 140, 1, 7, 5, 3, (3, 1), (2, 1), ((3, 0), (1, 5)), "replicate"),
    (64, 64, 16, 3, 3, 8, (1, 1), (1, 1), 1, "zeros"),
    (90, 80, 3, 15, 13, 2, (1, 1), (1, 1), "same", "reflect"),
    (200, 210, 1, 11, 11, 1, (2, 2), (1, 1), "valid", "zeros"),
]


@pytest.fixture(scope="module", params=CASES, ids=lambda case: "-".join(map(str, case[:6])))
def large_case(request):
    h, w, c, kh, kw, f, stride, dilation, padding, pad_mode = request.param
    rng = np.random.default_rng(h * w + c)
    x = rng.normal(size=(h, w, c))
    kernel = rng.normal(size=(kh, kw, c, f))
    kwargs = dict(stride=stride, dilation=dilation, padding=padding, pad_mode=pad_mode)
    return x, kernel, kwargs, scipy_conv2d(x, kernel, **kwargs)


@pytest.mark.parametrize("method", ["auto", "direct", "fft"])
def test_float64_matches_scipy(large_case, method):
    x, kernel, kwargs, expected = large_case
    out = conv.conv2d(x, kernel, method=method, **kwargs)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("method", ["direct", "fft"])
def test_float32_matches_scipy(large_case, method):
    x, kernel, kwargs, expected = large_case
    out = conv.conv2d(x.astype(np.float32), kernel.astype(np.float32), method=method, **kwargs)
    assert out.dtype == np.float32
    # float32 rounding grows with the number of terms summed, not with the values.
    scale = np.sqrt(kernel.shape[0] * kernel.shape[1] * kernel.shape[2])
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=2e-5 * scale * np.abs(expected).max())


def test_non_contiguous_views_are_read_correctly():
    rng = np.random.default_rng(11)
    base = rng.normal(size=(80, 90, 6))
    x = base[::2, ::-1, 1::2]  # strided, reversed, channel-sliced view
    kernel = rng.normal(size=(3, 4, 3, 5)).transpose(1, 0, 2, 3)  # Fortran-ish kernel
    kwargs = dict(stride=(1, 2), dilation=(2, 1), padding="same", pad_mode="reflect")
    expected = scipy_conv2d(np.ascontiguousarray(x), np.ascontiguousarray(kernel), **kwargs)
    for method in ("direct", "fft"):
        np.testing.assert_allclose(
            conv.conv2d(x, kernel, method=method, **kwargs), expected, rtol=1e-9, atol=1e-9
        )
