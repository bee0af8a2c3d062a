"""Kernel presets hold their textbook values, written out here independently."""

import math

import numpy as np
import pytest

from conv.kernels import KERNELS, SIZED_KERNELS, kernel

TEXTBOOK = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box-blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "laplacian-4": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "laplacian-8": [[1, 1, 1], [1, -8, 1], [1, 1, 1]],
    "sobel-x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel-y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "prewitt-x": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "prewitt-y": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "scharr-x": [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]],
    "scharr-y": [[-3, -10, -3], [0, 0, 0], [3, 10, 3]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


def test_catalogue_names_are_the_contract():
    assert set(KERNELS) == set(TEXTBOOK) | {"gaussian"}
    assert all(isinstance(d, str) and 10 < len(d) < 100 for d in KERNELS.values())


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_values(name):
    k = kernel(name)
    assert k.dtype == np.float64 and k.shape == (3, 3)
    np.testing.assert_allclose(k, TEXTBOOK[name], rtol=0, atol=1e-15)


def test_gaussian_matches_the_formula_by_hand():
    sigma, size = 1.5, 5
    expected = np.empty((size, size))
    for i in range(size):
        for j in range(size):
            expected[i, j] = math.exp(-((i - 2) ** 2 + (j - 2) ** 2) / (2 * sigma**2))
    expected /= expected.sum()
    np.testing.assert_allclose(kernel("gaussian", size=5, sigma=1.5), expected, rtol=1e-14)


@pytest.mark.parametrize("size", [1, 5, 7])
def test_sized_kernels(size):
    ident = kernel("identity", size=size)
    assert ident.shape == (size, size) and ident.sum() == 1 and ident[size // 2, size // 2] == 1
    np.testing.assert_allclose(kernel("box-blur", size=size), 1 / size**2)
    assert kernel("gaussian", size=size).sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"name": "blur"}, r"name must be one of .*'blur'"),
        ({"name": "gaussian", "size": 4}, r"size must be an odd positive int, got 4"),
        ({"name": "gaussian", "size": 0}, r"size must be an odd positive int, got 0"),
        ({"name": "gaussian", "size": 3.0}, r"size must be an odd positive int, got 3.0"),
        ({"name": "gaussian", "size": 101}, r"size must be at most 99, got 101"),
        ({"name": "sobel-x", "size": 5}, r"size=5 is not available for 'sobel-x'"),
        ({"name": "gaussian", "sigma": 0}, r"sigma must be a positive finite number, got 0"),
        ({"name": "gaussian", "sigma": float("nan")}, r"sigma must be .*, got nan"),
    ],
)
def test_bad_arguments_name_parameter_and_value(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        kernel(**kwargs)


def test_sized_kernels_listed():
    assert set(SIZED_KERNELS) == {"identity", "box-blur", "gaussian"}
