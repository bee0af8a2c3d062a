"""Round trips: what we write (and what numpy, pandas and Pillow write) reads back exactly."""

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from conv.io import npz_names, read_array, to_csv, to_npy

finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
shapes_2d = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8)
shapes_3d = hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=5)
numeric_dtypes = st.sampled_from(
    [np.float64, np.float32, np.float16, np.int8, np.int64, np.uint16, np.bool_, ">f8", "<i4"]
)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, shapes_2d, elements=finite_floats))
def test_csv_2d_round_trips_through_us_numpy_and_pandas(a):
    data = to_csv(a)
    np.testing.assert_array_equal(read_array(data, "a.csv"), a)
    np.testing.assert_array_equal(np.loadtxt(io.BytesIO(data), delimiter=",", ndmin=2), a)
    np.testing.assert_array_equal(pd.read_csv(io.BytesIO(data), header=None).to_numpy(), a)
    assert not data.startswith(b"row,")


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, shapes_3d, elements=finite_floats))
def test_csv_3d_long_form_round_trips(a):
    data = to_csv(a)
    assert data.splitlines()[0] == b"row,col,channel,value"
    got = read_array(data, "a.csv")
    assert got.shape == a.shape
    np.testing.assert_array_equal(got, a)
    table = pd.read_csv(io.BytesIO(data))
    assert len(table) == a.size
    np.testing.assert_array_equal(table["value"].to_numpy(), a.ravel())


@settings(max_examples=40, deadline=None)
@given(st.data(), numeric_dtypes, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
def test_csv_keeps_values_of_every_numeric_dtype(data, dtype, shape):
    a = data.draw(hnp.arrays(dtype, shape))
    if a.dtype.kind == "f":
        a = np.where(np.isfinite(a), a, 0).astype(a.dtype)
    got = read_array(to_csv(a), "a.csv")
    expected = a.reshape(1, -1) if a.ndim == 1 else a
    assert got.dtype == np.float64 and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected.astype(np.float64))


@settings(max_examples=60, deadline=None)
@given(st.data(), numeric_dtypes, hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=6))
def test_npy_round_trip_keeps_dtype_and_values(data, dtype, shape):
    finite = {"allow_nan": False, "allow_infinity": False}
    a = data.draw(
        hnp.arrays(dtype, shape, elements=finite if np.dtype(dtype).kind == "f" else None)
    )
    got = read_array(to_npy(a), "a.npy")
    assert got.dtype == a.dtype.newbyteorder("=") and got.shape == a.shape
    np.testing.assert_array_equal(got, a)
    assert got.flags.writeable and got.flags.c_contiguous


shapes_4d = hnp.array_shapes(min_dims=4, max_dims=4, min_side=1, max_side=4)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, shapes_4d, elements=finite_floats))
def test_csv_4d_filter_bank_long_form_round_trips(a):
    data = to_csv(a)
    lines = data.decode().splitlines()
    assert lines[0] == "row,col,channel,filter,value"
    # Independent of our reader: every line names its cell and holds its exact value.
    assert len(lines) == a.size + 1
    for line in lines[1:]:
        *index, value = line.split(",")
        assert float(value) == a[tuple(int(i) for i in index)]
    got = read_array(data, "bank.csv", max_ndim=4)
    assert got.shape == a.shape and got.dtype == np.float64
    np.testing.assert_array_equal(got, a)


@settings(max_examples=40, deadline=None)
@given(st.data(), numeric_dtypes, shapes_4d)
def test_npy_4d_filter_bank_round_trips_with_dtype(data, dtype, shape):
    finite = {"allow_nan": False, "allow_infinity": False}
    a = data.draw(
        hnp.arrays(dtype, shape, elements=finite if np.dtype(dtype).kind == "f" else None)
    )
    blob = to_npy(a)
    np.testing.assert_array_equal(np.load(io.BytesIO(blob)), a)
    got = read_array(blob, "bank.npy", max_ndim=4)
    assert got.dtype == a.dtype.newbyteorder("=") and got.shape == a.shape
    np.testing.assert_array_equal(got, a)


def test_4d_filter_bank_in_an_npz_reads_only_when_allowed():
    bank = np.arange(24.0).reshape(2, 2, 3, 2)
    buf = io.BytesIO()
    np.savez(buf, image=np.eye(3), bank=bank)
    np.testing.assert_array_equal(read_array(buf.getvalue(), "b.npz", key="bank", max_ndim=4), bank)
    with pytest.raises(ValueError, match=r"b\.npz\['bank'\]: has 4 dimensions"):
        read_array(buf.getvalue(), "b.npz", key="bank")


def test_filter_bank_long_form_may_come_in_any_row_order():
    bank = np.random.default_rng(3).normal(size=(2, 3, 2, 2))
    header, *rows = to_csv(bank).decode().splitlines()
    shuffled = [rows[i] for i in np.random.default_rng(4).permutation(len(rows))]
    data = "\n".join([header, *shuffled]).encode()
    np.testing.assert_array_equal(read_array(data, "shuffled.csv", max_ndim=4), bank)


def test_max_ndim_4_still_reads_two_and_three_dimensional_files():
    a2, a3 = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(2, 3, 2)
    for a in (a2, a3):
        np.testing.assert_array_equal(read_array(to_csv(a), "a.csv", max_ndim=4), a)
        np.testing.assert_array_equal(read_array(to_npy(a), "a.npy", max_ndim=4), a)


def test_nonfinite_values_round_trip_when_allowed():
    a = np.array([[np.nan, np.inf], [-np.inf, -0.0]])
    for data, name in ((to_csv(a), "a.csv"), (to_npy(a), "a.npy")):
        got = read_array(data, name, allow_nonfinite=True)
        np.testing.assert_array_equal(got, a)
        assert np.signbit(got[1, 1])


def test_csv_of_nonfinite_is_readable_by_numpy_and_pandas():
    a = np.array([[np.nan, np.inf, -np.inf]])
    data = to_csv(a)
    np.testing.assert_array_equal(np.loadtxt(io.BytesIO(data), delimiter=",", ndmin=2), a)
    np.testing.assert_array_equal(pd.read_csv(io.BytesIO(data), header=None).to_numpy(), a)


def test_one_dimensional_arrays_become_rows():
    row = np.array([1.5, -2.0, 3.25])
    np.testing.assert_array_equal(read_array(to_npy(row), "r.npy"), [[1.5, -2.0, 3.25]])
    assert to_csv(row) == b"1.5,-2.0,3.25\n"
    np.testing.assert_array_equal(read_array(b"1.5\n-2\n3.25\n", "c.csv"), [[1.5], [-2], [3.25]])


def test_fortran_order_npy_reads_the_same_values():
    a = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    buf = io.BytesIO()
    np.save(buf, a)
    np.testing.assert_array_equal(
        read_array(buf.getvalue(), "f.npy"), np.arange(12.0).reshape(3, 4)
    )


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_npz_members_are_listed_and_read(save):
    image, kernel = np.arange(6.0).reshape(2, 3), np.ones((3, 3, 2), dtype=np.float32)
    buf = io.BytesIO()
    save(buf, image=image, kernel=kernel)
    data = buf.getvalue()
    assert npz_names(data) == ["image", "kernel"]
    np.testing.assert_array_equal(read_array(data, "b.npz", key="image"), image)
    got = read_array(data, "b.npz", key="kernel")
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, kernel)
    one = io.BytesIO()
    save(one, image)
    np.testing.assert_array_equal(read_array(one.getvalue(), "one.npz"), image)


def _image_bytes(arr, mode, fmt, **kw):
    buf = io.BytesIO()
    Image.fromarray(arr, mode=None).convert(mode).save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("BMP", "bmp"), ("GIF", "gif")])
def test_lossless_grayscale_images_scale_to_unit_range(fmt, ext):
    gray = np.array([[0, 51, 255], [102, 204, 153]], dtype=np.uint8)
    got = read_array(_image_bytes(gray, "L", fmt), f"g.{ext}")
    assert got.shape == (2, 3) and got.dtype == np.float64
    np.testing.assert_allclose(got, gray / 255.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("BMP", "bmp")])
def test_lossless_colour_images_give_three_channels(fmt, ext):
    rgb = np.random.default_rng(5).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    got = read_array(_image_bytes(rgb, "RGB", fmt), f"c.{ext}")
    assert got.shape == (4, 5, 3)
    np.testing.assert_allclose(got, rgb / 255.0, rtol=0, atol=1e-12)


def test_rgba_drops_alpha_and_16_bit_png_uses_full_range():
    rgba = np.random.default_rng(6).integers(0, 256, (3, 4, 4), dtype=np.uint8)
    got = read_array(_image_bytes(rgba, "RGBA", "PNG"), "a.png")
    np.testing.assert_allclose(got, rgba[..., :3] / 255.0, rtol=0, atol=1e-12)
    deep = np.array([[0, 1000], [65535, 32768]], dtype=np.uint16)
    buf = io.BytesIO()
    Image.fromarray(deep).save(buf, "PNG")
    np.testing.assert_allclose(read_array(buf.getvalue(), "d.png"), deep / 65535.0, atol=1e-12)


def test_jpeg_reads_close_to_what_was_saved():
    y, x = np.mgrid[0:32, 0:32]
    smooth = (4 * x + 2 * y).astype(np.uint8)
    got = read_array(_image_bytes(smooth, "L", "JPEG", quality=95), "s.JPG")
    assert got.shape == (32, 32)
    assert np.abs(got - smooth / 255.0).max() < 0.05


def test_gif_gives_its_first_frame():
    frames = [Image.fromarray(np.full((3, 3), v, dtype=np.uint8)) for v in (10, 200)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    np.testing.assert_allclose(read_array(buf.getvalue(), "anim.gif"), 10 / 255.0, atol=1e-12)


def test_exercise_input_as_csv_reads_exactly(exercise_2d):
    arr = exercise_2d[0]
    typed = "\n".join(", ".join(str(v) for v in row) for row in arr.tolist()).encode()
    np.testing.assert_array_equal(read_array(typed, "exercise.csv"), arr)
