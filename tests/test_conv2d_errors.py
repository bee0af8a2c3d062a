"""Every bad argument is refused with a ValueError naming the parameter and the value."""

import re

import numpy as np
import pytest

import conv

X = np.ones((5, 5))
K = np.ones((3, 3))


def raises(message):
    return pytest.raises(ValueError, match=re.escape(message))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(stride=(0, 1)), "stride must be positive integers, got (0, 1)"),
        (dict(stride=0), "stride must be positive integers, got 0"),
        (dict(stride=-2), "stride must be positive integers, got -2"),
        (dict(stride=True), "stride must be an int or a pair of ints (rows, cols), got True"),
        (dict(stride=1.0), "stride must be an int or a pair of ints (rows, cols), got 1.0"),
        (
            dict(stride=(1, 2, 3)),
            "stride must be an int or a pair of ints (rows, cols), got (1, 2, 3)",
        ),
        (dict(stride="2"), "stride must be an int or a pair of ints (rows, cols), got '2'"),
        (dict(dilation=(1, 0)), "dilation must be positive integers, got (1, 0)"),
        (
            dict(dilation=(1.5, 1)),
            "dilation must be an int or a pair of ints (rows, cols), got (1.5, 1)",
        ),
        (
            dict(padding="sme"),
            "padding must be one of ('valid', 'same', 'full') or numbers, got 'sme'",
        ),
        (
            dict(padding="SAME"),
            "padding must be one of ('valid', 'same', 'full') or numbers, got 'SAME'",
        ),
        (dict(padding=-1), "padding must be non-negative, got -1"),
        (dict(padding=(1, -1)), "padding must be non-negative, got (1, -1)"),
        (dict(padding=((0, 1), (-1, 0))), "padding must be non-negative, got ((0, 1), (-1, 0))"),
        (dict(padding=((1, 2), (3,))), "got ((1, 2), (3,))"),
        (dict(padding=(1, 2, 3)), "got (1, 2, 3)"),
        (dict(padding=1.5), "padding must be 'valid', 'same', 'full', an int,"),
        (dict(padding=True), "got True"),
        (dict(padding=None), "got None"),
        (
            dict(pad_mode="wrap"),
            "pad_mode must be one of ('zeros', 'reflect', 'replicate', 'circular'), got 'wrap'",
        ),
        (dict(pad_mode="constant", padding=1), "got 'constant'"),
        (dict(method="FFT"), "method must be one of ('auto', 'direct', 'fft'), got 'FFT'"),
        (dict(method=None), "method must be one of ('auto', 'direct', 'fft'), got None"),
        (dict(flip=1), "flip must be True or False, got 1"),
        (dict(flip="yes"), "flip must be True or False, got 'yes'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with raises(message):
        conv.conv2d(X, K, **kwargs)


def test_kernel_larger_than_padded_input():
    with raises("effective kernel 9x9 (5x5, dilation 2) is larger than the padded input 7x7"):
        conv.conv2d(X, np.ones((5, 5)), dilation=2, padding=1)
    with raises("effective kernel 6x1 (6x1, dilation 1) is larger than the padded input 5x5"):
        conv.conv2d(X, np.ones((6, 1)))


def test_reflect_padding_must_be_smaller_than_input():
    with raises("reflect padding 3 needs input larger than 3 in that dimension, but input has 3"):
        conv.conv2d(np.ones((3, 8)), K, padding=3, pad_mode="reflect")
    with raises("reflect padding 5 needs input larger than 5 in that dimension"):
        conv.conv2d(np.ones((9, 5)), K, padding=((0, 0), (0, 5)), pad_mode="reflect")
    # The largest legal amount works: pad 2 on 3 rows.
    assert conv.conv2d(np.ones((3, 3)), K, padding=2, pad_mode="reflect").shape == (5, 5)


def test_circular_padding_must_not_exceed_input():
    with raises("circular padding 4 needs input at least 4 in that dimension, but input has 3"):
        conv.conv2d(np.ones((3, 8)), K, padding=(4, 0), pad_mode="circular")
    assert conv.conv2d(np.ones((3, 3)), K, padding=3, pad_mode="circular").shape == (7, 7)


@pytest.mark.parametrize(
    ("x", "kernel", "message"),
    [
        (np.ones((5, 5, 3)), np.ones((3, 3, 4)), "kernel has 4 channels but input has 3"),
        (np.ones((5, 5, 3)), np.ones((3, 3, 2, 8)), "kernel has 2 channels but input has 3"),
        (np.ones((5, 5)), np.ones((3, 3, 2)), "kernel has 2 channels but input has 1"),
        (
            np.ones((5, 5, 3)),
            np.ones((3, 3)),
            "kernel of shape (3, 3) has no channel axis but input has 3 channels",
        ),
        (np.ones(5), K, "x must be (H, W) or (H, W, C), got 1-D shape (5,)"),
        (np.ones((2, 5, 5, 3)), K, "x must be (H, W) or (H, W, C), got 4-D shape (2, 5, 5, 3)"),
        (np.float64(3.0), K, "x must be (H, W) or (H, W, C), got 0-D shape ()"),
        (
            X,
            np.ones(3),
            "kernel must be (KH, KW), (KH, KW, C) or (KH, KW, C, F), got 1-D shape (3,)",
        ),
        (X, np.ones((1, 1, 1, 1, 1)), "got 5-D shape (1, 1, 1, 1, 1)"),
        (np.ones((0, 5)), K, "x must not be empty, got shape (0, 5)"),
        (np.ones((5, 5, 0)), K, "x must not be empty, got shape (5, 5, 0)"),
        (X, np.ones((3, 0)), "kernel must not be empty, got shape (3, 0)"),
        (X, np.ones((3, 3, 1, 0)), "kernel must not be empty, got shape (3, 3, 1, 0)"),
        (X + 1j, K, "x must be real, got complex dtype complex128"),
        (X, K.astype(np.complex64), "kernel must be real, got complex dtype complex64"),
        (np.full((5, 5), "a"), K, "x must be numeric, got dtype <U1"),
        (X, np.array([[None]]), "kernel must be numeric, got dtype object"),
    ],
)
def test_bad_arrays(x, kernel, message):
    with raises(message):
        conv.conv2d(x, kernel)


def test_ragged_list_is_refused_with_valueerror():
    with raises("x must be a rectangular numeric array"):
        conv.conv2d([[1.0, 2.0], [3.0]], K)
    with raises("kernel must be a rectangular numeric array"):
        conv.conv2d(X, [[1.0], [2.0, 3.0]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: conv.output_shape((5,), (3, 3)),
            "input_shape must be a tuple of 2 or 3 ints, got (5,)",
        ),
        (
            lambda: conv.output_shape((5, 5), (3,)),
            "kernel_shape must be a tuple of 2 or 3 or 4 ints, got (3,)",
        ),
        (
            lambda: conv.output_shape((5, 0), (3, 3)),
            "input_shape must have no empty axis, got (5, 0)",
        ),
        (
            lambda: conv.output_shape((5, 5.0), (3, 3)),
            "input_shape must be a tuple of 2 or 3 ints, got (5, 5.0)",
        ),
        (
            lambda: conv.output_shape((5, 5), (3, 3), stride=(1, 0)),
            "stride must be positive integers, got (1, 0)",
        ),
        (lambda: conv.resolve_padding((5, 5), (3, 3), padding="half"), "got 'half'"),
        (
            lambda: conv.unreached((5, 5), (7, 3)),
            "effective kernel 7x3 (7x3, dilation 1) is larger than the padded input 5x5",
        ),
        (lambda: conv.pad(X, "same"), "padding must be numbers here, got 'same'"),
        (lambda: conv.pad(X, 1, "mirror"), "pad_mode must be one of"),
        (lambda: conv.pad(X, 5, "reflect"), "reflect padding 5 needs input larger than 5"),
        (
            lambda: conv.pad(np.ones(3), 1),
            "x must be a non-empty (H, W) or (H, W, C) array, got shape (3,)",
        ),
    ],
)
def test_bad_arguments_to_helpers(call, message):
    with raises(message):
        call()
