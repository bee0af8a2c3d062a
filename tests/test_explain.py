"""explain_cell agrees with conv2d and with index arithmetic written here."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import padded_value, padding_amounts, pair, reference_conv2d, source
from test_conv2d import cases

import conv


@settings(max_examples=60)
@given(case=cases())
def test_every_cell_value_equals_conv2d(case):
    x, kernel, kwargs = case
    if reference_conv2d(x, kernel, **kwargs) is None:
        return
    out = conv.conv2d(x, kernel, **kwargs)
    out3 = out.reshape(*out.shape[:2], -1)
    for i in range(out3.shape[0]):
        for j in range(out3.shape[1]):
            for f in range(out3.shape[2]):
                cell = conv.explain_cell(x, kernel, i, j, filter_index=f, **kwargs)
                assert cell.value == pytest.approx(out3[i, j, f], rel=1e-9, abs=1e-9)


@settings(max_examples=150)
@given(
    case=cases(),
    pick=st.tuples(st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True)),
)
def test_cell_fields_match_index_arithmetic(case, pick):
    x, kernel, kwargs = case
    expected_out = reference_conv2d(x, kernel, **kwargs)
    if expected_out is None:
        return
    i, j = int(pick[0] * expected_out.shape[0]), int(pick[1] * expected_out.shape[1])
    f = kernel.shape[3] - 1 if kernel.ndim == 4 else 0
    cell = conv.explain_cell(x, kernel, i, j, filter_index=f, **kwargs)

    x3 = x.reshape(*x.shape[:2], -1)
    h, w, c = x3.shape
    kh, kw = kernel.shape[:2]
    k4 = kernel.reshape(kh, kw, c, -1)
    (sh, sw), (dh, dw) = pair(kwargs["stride"]), pair(kwargs["dilation"])
    (top, _), (left, _) = padding_amounts((h, w), (kh, kw), **_geometry(kwargs))
    mode = kwargs["pad_mode"]

    np.testing.assert_array_equal(cell.rows, [i * sh - top + m * dh for m in range(kh)])
    np.testing.assert_array_equal(cell.cols, [j * sw - left + n * dw for n in range(kw)])
    assert cell.is_padding.shape == cell.source_rows.shape == (kh, kw)
    assert cell.window.shape == cell.weights.shape == cell.products.shape == (kh, kw, c)
    for m, r in enumerate(cell.rows):
        for n, col in enumerate(cell.cols):
            assert cell.is_padding[m, n] == (not (0 <= r < h and 0 <= col < w))
            src = (source(r, h, mode), source(col, w, mode))
            expected_src = (-1, -1) if None in src else src
            assert (cell.source_rows[m, n], cell.source_cols[m, n]) == expected_src
            km, kn = (kh - 1 - m, kw - 1 - n) if kwargs["flip"] else (m, n)
            for ch in range(c):
                assert cell.window[m, n, ch] == padded_value(x3, r, col, ch, mode)
                assert cell.weights[m, n, ch] == k4[km, kn, ch, f]
    np.testing.assert_array_equal(cell.products, cell.window * cell.weights)
    assert cell.value == pytest.approx(float(cell.products.sum()), rel=1e-12, abs=1e-12)
    assert cell.value == pytest.approx(
        expected_out[i, j, f] if kernel.ndim == 4 else expected_out[i, j], rel=1e-9, abs=1e-9
    )


def _geometry(kwargs):
    return {key: kwargs[key] for key in ("stride", "padding", "dilation")}


def test_exercise_cell(exercise_2d):
    x, kernel, expected = exercise_2d
    cell = conv.explain_cell(x, kernel, 1, 0)
    np.testing.assert_array_equal(cell.rows, [1, 2, 3])
    np.testing.assert_array_equal(cell.cols, [0, 1, 2])
    assert not cell.is_padding.any()
    np.testing.assert_array_equal(cell.window[..., 0], x[1:4, 0:3])
    np.testing.assert_array_equal(cell.weights[..., 0], kernel)
    assert round(cell.value, 2) == expected[1, 0]


def test_reflect_padding_cell_reads_mirrored_inputs():
    x = np.arange(16.0).reshape(4, 4)
    cell = conv.explain_cell(x, np.ones((3, 3)), 0, 0, padding=1, pad_mode="reflect")
    np.testing.assert_array_equal(cell.rows, [-1, 0, 1])
    np.testing.assert_array_equal(cell.source_rows[:, 0], [1, 0, 1])
    np.testing.assert_array_equal(cell.source_cols[0], [1, 0, 1])
    np.testing.assert_array_equal(cell.is_padding, [[1, 1, 1], [1, 0, 0], [1, 0, 0]])
    np.testing.assert_array_equal(cell.window[..., 0], [[5, 4, 5], [1, 0, 1], [5, 4, 5]])


def test_zero_padding_cell_has_no_source():
    cell = conv.explain_cell(np.ones((3, 3)), np.ones((2, 2)), 0, 2, padding=((0, 0), (0, 1)))
    np.testing.assert_array_equal(cell.source_cols, [[2, -1], [2, -1]])
    np.testing.assert_array_equal(cell.source_rows, [[0, -1], [1, -1]])
    assert cell.value == 2.0


def test_float32_input_is_explained_in_float32():
    cell = conv.explain_cell(np.ones((3, 3), np.float32), np.ones((2, 2), np.float32), 0, 0)
    assert cell.window.dtype == cell.weights.dtype == np.float32
    assert isinstance(cell.value, float)


def test_explanation_is_frozen():
    cell = conv.explain_cell(np.ones((3, 3)), np.ones((2, 2)), 0, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cell.value = 1.0


@pytest.mark.parametrize(
    ("row", "col", "filter_index", "message"),
    [
        (3, 0, 0, "row must be an int in 0..2, got 3"),
        (-1, 0, 0, "row must be an int in 0..2, got -1"),
        (0, 4, 0, "col must be an int in 0..3, got 4"),
        (0, -4, 0, "col must be an int in 0..3, got -4"),
        (0.0, 0, 0, "row must be an int in 0..2, got 0.0"),
        (True, 0, 0, "row must be an int in 0..2, got True"),
        (0, 0, 2, "filter_index must be an int in 0..1, got 2"),
        (0, 0, -1, "filter_index must be an int in 0..1, got -1"),
    ],
)
def test_out_of_range_cell_is_refused(row, col, filter_index, message):
    x = np.ones((4, 5, 1))
    kernel = np.ones((2, 2, 1, 2))
    with pytest.raises(ValueError, match=message):
        conv.explain_cell(x, kernel, row, col, filter_index=filter_index)


def test_bad_arguments_are_refused_like_conv2d():
    with pytest.raises(ValueError, match="pad_mode must be one of"):
        conv.explain_cell(np.ones((3, 3)), np.ones((2, 2)), 0, 0, pad_mode="edge")
    with pytest.raises(ValueError, match="kernel has 2 channels but input has 3"):
        conv.explain_cell(np.ones((3, 3, 3)), np.ones((2, 2, 2)), 0, 0)
