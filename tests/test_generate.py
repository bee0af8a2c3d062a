"""Generators match the numpy calls they wrap, and patterns match hand-made arrays."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conv.generate import PATTERNS, pattern, random_array


def test_exercise_draw_is_reproduced_from_one_generator():
    rng = np.random.default_rng(123)
    x = random_array((33, 33, 3), rng=rng, decimals=2)
    k = random_array((5, 5, 3), rng=rng, decimals=2)
    ref = np.random.default_rng(123)
    np.testing.assert_array_equal(x, ref.normal(size=(33, 33, 3)).round(2))
    np.testing.assert_array_equal(k, ref.normal(size=(5, 5, 3)).round(2))
    assert x.dtype == np.float64 and x.shape == (33, 33, 3)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.lists(st.integers(1, 6), min_size=1, max_size=4).map(tuple),
    decimals=st.none() | st.integers(0, 6),
    low=st.integers(-50, 0),
    span=st.integers(1, 50),
)
def test_each_distribution_is_the_numpy_call(seed, shape, decimals, low, span):
    high = low + span
    calls = {
        "normal": lambda r: r.normal(size=shape),
        "uniform": lambda r: r.uniform(low, high, shape),
        "integers": lambda r: r.integers(low, high, shape, endpoint=True),
    }
    for distribution, call in calls.items():
        got = random_array(
            shape,
            rng=np.random.default_rng(seed),
            distribution=distribution,
            decimals=decimals,
            low=low,
            high=high,
        )
        want = call(np.random.default_rng(seed))
        if decimals is not None:
            want = want.round(decimals)
        assert got.shape == shape
        np.testing.assert_array_equal(got, want)


def test_integers_include_both_ends():
    rng = np.random.default_rng(1)
    got = random_array((2000,), rng=rng, distribution="integers", low=0, high=2)
    assert set(np.unique(got)) == {0, 1, 2}


@pytest.mark.parametrize(
    ("kwargs", "pattern_"),
    [
        ({"shape": (0, 3)}, r"shape must be a tuple of positive ints, got \(0, 3\)"),
        ({"shape": (2, 2, 2, 2, 2)}, r"shape must have 1 to 4 dimensions"),
        ({"shape": (5000, 5000, 3)}, r"has 75000000 cells, more than the limit"),
        ({"shape": (2, 2), "rng": 123}, r"rng must be a numpy.random.Generator.*got 123"),
        ({"shape": (2, 2), "distribution": "gauss"}, r"distribution must be one of .*'gauss'"),
        ({"shape": (2, 2), "decimals": -1}, r"decimals must be None or an int >= 0, got -1"),
        ({"shape": (2, 2), "distribution": "uniform", "low": 1, "high": 1}, r"low < high"),
        ({"shape": (2, 2), "distribution": "integers", "low": 0.5}, r"whole-number low"),
        ({"shape": (2, 2), "high": float("inf")}, r"high must be a finite number, got inf"),
    ],
)
def test_bad_arguments_name_parameter_and_value(kwargs, pattern_):
    kwargs.setdefault("rng", np.random.default_rng(0))
    with pytest.raises(ValueError, match=pattern_):
        random_array(**kwargs)


def test_patterns_against_hand_made_arrays():
    np.testing.assert_array_equal(pattern("zeros", (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(pattern("ones", (2, 3, 2)), np.ones((2, 3, 2)))
    np.testing.assert_allclose(pattern("gradient", (2, 5)), [[0, 0.25, 0.5, 0.75, 1]] * 2)
    # 16x16: squares of side 2, top-left square 0.
    board = pattern("checkerboard", (16, 16))
    assert board[0, 0] == board[1, 1] == 0 and board[0, 2] == board[2, 0] == 1
    assert board.sum() == 128
    disk = pattern("disk", (11, 11))
    assert disk[5, 5] == 1 and disk[0, 0] == 0 and disk[5, 2] == 1 and disk[5, 1] == 0
    np.testing.assert_array_equal(disk, disk.T)
    np.testing.assert_array_equal(disk, disk[::-1])


@pytest.mark.parametrize("name", PATTERNS)
@pytest.mark.parametrize("shape", [(1, 1), (7, 9), (8, 6, 3)])
def test_every_pattern_has_shape_range_and_is_deterministic(name, shape):
    img = pattern(name, shape)
    assert img.shape == shape and img.dtype == np.float64
    assert img.min() >= 0 and img.max() <= 1
    np.testing.assert_array_equal(img, pattern(name, shape))


def test_test_image_has_structure_and_channels_differ():
    img = pattern("test-image", (64, 64, 3))
    assert len(np.unique(img[..., 0])) > 10
    assert not np.array_equal(img[..., 0], img[..., 1])
    np.testing.assert_array_equal(pattern("test-image", (64, 64)), img[..., 0])


@pytest.mark.parametrize(
    ("args", "pattern_"),
    [
        (("stripes", (4, 4)), r"name must be one of .*'stripes'"),
        (("ones", (4,)), r"shape must be \(H, W\) or \(H, W, C\), got \(4,\)"),
        (("ones", (4, 4, 1, 1)), r"shape must have 1 to 3 dimensions"),
        (("ones", "4x4"), r"shape must be a tuple of positive ints, got '4x4'"),
    ],
)
def test_bad_pattern_arguments(args, pattern_):
    with pytest.raises(ValueError, match=pattern_):
        pattern(*args)
