"""The named examples reproduce the exercise, checked with a naive loop."""

import numpy as np
import pytest

from conv.examples import EXAMPLES, Example, example


def naive_correlate(x, k, stride):
    """Valid cross-correlation by explicit loops: the independent reference."""
    if x.ndim == 2:
        x = x[:, :, None]
    if k.ndim == 2:
        k = k[:, :, None]
    kh, kw, c = k.shape
    oh = (x.shape[0] - kh) // stride + 1
    ow = (x.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            total = 0.0
            for m in range(kh):
                for n in range(kw):
                    for ch in range(c):
                        total += x[i * stride + m, j * stride + n, ch] * k[m, n, ch]
            out[i, j] = total
    return out


def test_seed_2d_matches_the_published_numbers():
    ex = example("seed-2d")
    out = naive_correlate(ex.x, ex.kernel, ex.stride)
    expected = [[0.9, 4.15, 4.47], [7.74, 5.27, 0.74], [-1.6, -0.43, 3.72]]
    np.testing.assert_array_equal(out.round(2), expected)
    np.testing.assert_array_equal(ex.published, expected)
    assert ex.x[2, 3] == 2.58 and ex.kernel[2, 1] == 1.87


def test_seed_3d_is_the_seed_123_draw_and_matches_the_published_row():
    ex = example("seed-3d")
    rng = np.random.default_rng(123)
    np.testing.assert_array_equal(ex.x, rng.normal(size=(33, 33, 3)).round(2))
    np.testing.assert_array_equal(ex.kernel, rng.normal(size=(5, 5, 3)).round(2))
    assert ex.stride == 2
    out = naive_correlate(ex.x, ex.kernel, ex.stride)
    assert out.shape == (15, 15)
    np.testing.assert_array_equal(out[0, :4].round(2), [1.64, -3.22, -2.44, 5.48])
    np.testing.assert_array_equal(ex.published, [[1.64, -3.22, -2.44, 5.48]])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_is_consistent_and_read_only(name):
    ex = EXAMPLES[name]
    assert isinstance(ex, Example) and ex.name == name and ex.description
    assert ex.x.ndim in (2, 3) and np.isfinite(ex.x).all()
    assert ex.kernel.shape[:2] <= ex.x.shape[:2]
    if ex.x.ndim == 3 and ex.kernel.ndim >= 3:
        assert ex.kernel.shape[2] == ex.x.shape[2]
    with pytest.raises(ValueError, match="read-only"):
        ex.x[0, 0] = 99.0
    with pytest.raises(ValueError, match="read-only"):
        ex.kernel[0, 0] = 99.0


def test_test_image_example_uses_sobel_x():
    ex = example("test-image")
    np.testing.assert_array_equal(ex.kernel, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert ex.padding == "same"


def test_unknown_example_names_the_value():
    with pytest.raises(ValueError, match=r"name must be one of .*'seed-4d'"):
        example("seed-4d")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_conv2d_runs_every_example_and_reproduces_published_numbers(name):
    import conv

    ex = EXAMPLES[name]
    out = conv.conv2d(
        ex.x,
        ex.kernel,
        stride=ex.stride,
        padding=ex.padding,
        dilation=ex.dilation,
        pad_mode=ex.pad_mode,
        flip=ex.flip,
    )
    assert out.shape == conv.output_shape(
        ex.x.shape, ex.kernel.shape, stride=ex.stride, padding=ex.padding, dilation=ex.dilation
    )
    if ex.padding == "valid" and ex.dilation == 1:
        np.testing.assert_allclose(out, naive_correlate(ex.x, ex.kernel, ex.stride), atol=1e-12)
    if ex.published is not None:
        rows, cols = ex.published.shape
        np.testing.assert_array_equal(out[:rows, :cols].round(ex.decimals), ex.published)
