"""Fuzzing: whatever bytes arrive, read_array returns a clean array or raises InputError."""

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from conv.io import InputError, npz_names, read_array, to_csv, to_npy
from conv.io.limits import MAX_CELLS

EXTENSIONS = ["a.csv", "a.tsv", "a.txt", "a.npy", "a.npz", "a.png", "a.jpg", "a.bmp", "a.gif"]


def _image(fmt, mode="L"):
    rng = np.random.default_rng(3)
    shape = (6, 5) if mode == "L" else (6, 5, 3)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)).save(buf, fmt)
    return buf.getvalue()


def _npz():
    buf = io.BytesIO()
    np.savez_compressed(buf, a=np.arange(12.0).reshape(3, 4))
    return buf.getvalue()


GOOD_FILES = [
    ("good.csv", to_csv(np.random.default_rng(1).normal(size=(4, 3)))),
    ("long.csv", to_csv(np.random.default_rng(2).normal(size=(2, 2, 2)))),
    ("df.csv", b",0,1\n0,0.5,1.5\n1,2.5,-3\n"),
    ("ws.txt", b"1 2 3\n4 5 6\n"),
    ("good.npy", to_npy(np.arange(12, dtype=np.int32).reshape(3, 4))),
    ("good.npz", _npz()),
    ("good.png", _image("PNG", "RGB")),
    ("good.gif", _image("GIF")),
    ("good.bmp", _image("BMP")),
    ("good.jpg", _image("JPEG", "RGB")),
]

BANK_FILES = [
    ("bank.csv", to_csv(np.random.default_rng(4).normal(size=(2, 2, 2, 2)))),
    ("bank.npy", to_npy(np.random.default_rng(5).normal(size=(3, 3, 2, 2)))),
]


def assert_clean_outcome(data, filename, max_ndim=3):
    try:
        arr = read_array(data, filename, max_ndim=max_ndim)
    except InputError as err:
        message = str(err)
        assert message and len(message) < 300, message
        return
    assert isinstance(arr, np.ndarray)
    assert 2 <= arr.ndim <= max_ndim and 0 < arr.size <= MAX_CELLS
    assert arr.dtype.kind in "biuf"
    if arr.dtype.kind == "f":
        assert np.isfinite(arr).all()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), filename=st.sampled_from(EXTENSIONS))
def test_random_bytes(data, filename):
    assert_clean_outcome(data, filename)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet='0123456789.,;\t -+eEinfatNI#"\r\n\ufeffrowcl_', max_size=200),
    filename=st.sampled_from(["a.csv", "a.tsv", "a.txt"]),
)
def test_random_numberish_text(text, filename):
    assert_clean_outcome(text.encode(), filename)


@st.composite
def mutated_good_file(draw, files=GOOD_FILES):
    filename, data = draw(st.sampled_from(files))
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif action == "truncate":
            del data[position:]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            del data[position : position + draw(st.integers(1, 16))]
    return filename, bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_good_file())
def test_mutated_good_files(case):
    filename, data = case
    assert_clean_outcome(data, filename)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_good_file(GOOD_FILES + BANK_FILES), st.sampled_from([3, 4]))
def test_mutated_filter_banks_and_others_under_either_limit(case, max_ndim):
    filename, data = case
    assert_clean_outcome(data, filename, max_ndim)


@settings(max_examples=100, deadline=None)
@given(mutated_good_file())
def test_npz_names_on_mutated_files(case):
    try:
        names = npz_names(case[1])
    except InputError:
        return
    assert all(isinstance(n, str) for n in names)


def test_unmutated_good_files_read():
    for filename, data in GOOD_FILES:
        arr = read_array(data, filename)
        assert arr.ndim in (2, 3), filename
    for filename, data in BANK_FILES:
        assert read_array(data, filename, max_ndim=4).ndim == 4, filename
        with pytest.raises(InputError, match=r"4-D|4 dimensions"):
            read_array(data, filename)


@st.composite
def table_text(draw):
    """Rows of numbers with random delimiters, padding, blank and comment lines and defects."""
    rows = draw(st.integers(1, 6))
    cols = draw(st.integers(1, 4))
    delimiter = draw(st.sampled_from([",", ";", "\t", " "]))
    cell = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(-999, 999).map(str),
        st.sampled_from(["", "x", "1,5", "1_0", "#", "nan", "-inf", "1e999", " 2 ", "\t3"]),
    )
    lines = []
    if draw(st.booleans()):
        lines.append(delimiter.join(draw(st.sampled_from(["", "a", "row"])) for _ in range(cols)))
    for _ in range(rows):
        width = cols if draw(st.integers(0, 9)) else draw(st.integers(1, 5))
        lines.append(delimiter.join(draw(cell) for _ in range(width)))
        if not draw(st.integers(0, 6)):
            lines.append(draw(st.sampled_from(["", "  ", "# note", "  # indented"])))
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=300, deadline=None)
@given(text=table_text(), allow=st.booleans())
def test_fast_and_careful_text_paths_agree(text, allow):
    """numpy's bulk parse, in one chunk or many, must match the line-by-line path exactly."""
    from conv.io import _text

    data = text.encode()
    fast = _outcome_allow(data, allow)
    original = _text._parse_fast
    _text._parse_fast = lambda *args, **kwargs: None
    try:
        careful = _outcome_allow(data, allow)
    finally:
        _text._parse_fast = original
    chunk_chars = _text._CHUNK_CHARS
    _text._CHUNK_CHARS = 7  # many chunk boundaries, mid-table
    try:
        chunked = _outcome_allow(data, allow)
    finally:
        _text._CHUNK_CHARS = chunk_chars
    for other in (careful, chunked):
        if isinstance(fast, str) or isinstance(other, str):
            assert fast == other
        else:
            np.testing.assert_array_equal(fast, other)


def _outcome_allow(data, allow):
    try:
        return read_array(data, "t.csv", allow_nonfinite=allow)
    except InputError as err:
        return str(err)
