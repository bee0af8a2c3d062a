"""A catalogue of bad uploads: each is refused with a message that says which file and why.

Every case asserts the message (file name first, then the specific reason),
and that it is an ``InputError`` — a ``ValueError`` the app shows as is.
"""

import io
import pickle
import struct
import tracemalloc
import warnings
import zipfile
import zlib

import numpy as np
import pytest
from numpy.lib import format as npformat
from PIL import Image

from conv.io import UPLOAD_TYPES, InputError, npz_names, read_array
from conv.io.limits import MAX_CELLS, MAX_UPLOAD_BYTES


def npy(array, **kw):
    buf = io.BytesIO()
    np.save(buf, array, **kw)
    return buf.getvalue()


def npy_header_only(shape, descr="<f8", tail=b"\0" * 64):
    buf = io.BytesIO()
    npformat.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + tail


def npz(compression=zipfile.ZIP_DEFLATED, **arrays):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for key, value in arrays.items():
            zf.writestr(f"{key}.npy", value if isinstance(value, bytes) else npy(value))
    return buf.getvalue()


def zip_bomb():
    """An .npz whose one member inflates from ~300 kB to 300 MB of zeros."""
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("bomb.npy", "w", force_zip64=True) as member,
    ):
        member.write(npy_header_only((20_000, 1_875), tail=b""))
        chunk = bytes(2**24)
        for _ in range(18):
            member.write(chunk)
    return buf.getvalue()


def png_chunk(kind, payload):
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_header_only(width, height, color_type=0):
    """A PNG that declares its size but holds no pixels: enough to test header checks."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b""))
        + png_chunk(b"IEND", b"")
    )


def png(array):
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


SMALL_PNG = png(np.arange(64, dtype=np.uint8).reshape(8, 8))

# (id, filename, bytes or a callable making them, key, pattern the message must match)
CATALOGUE = [
    # --- .npy: pickle, dtypes, declared sizes, damage
    (
        "pickled-object-npy",
        "objects.npy",
        lambda: npy(np.array([{"evil": 1}, None], dtype=object), allow_pickle=True),
        None,
        r"holds Python objects \(dtype object\), which could only be read by unpickling",
    ),
    (
        "raw-pickle-named-npy",
        "model.npy",
        lambda: pickle.dumps({"weights": [1, 2, 3]}),
        None,
        r"is not a \.npy file \(it lacks the NumPy magic bytes\)",
    ),
    (
        "object-dtype-in-npz",
        "objects.npz",
        lambda: npz(a=npy(np.array([1, "x"], dtype=object), allow_pickle=True)),
        None,
        r"objects\.npz\['a'\]: holds Python objects",
    ),
    (
        "header-declares-100000x100000",
        "huge.npy",
        lambda: npy_header_only((100_000, 100_000)),
        None,
        rf"declares shape \(100000, 100000\), 10000000000 cells, more than the limit of "
        rf"{MAX_CELLS}",
    ),
    (
        "truncated-npy",
        "cut.npy",
        lambda: npy(np.ones((10, 10)))[:-40],
        None,
        r"is truncated: the header declares 800 bytes of data but only 760 follow it",
    ),
    (
        "damaged-npy-header",
        "bad.npy",
        lambda: b"\x93NUMPY\x01\x00\x10\x00{'descr': <f8,   }\n",
        None,
        r"the \.npy header is damaged",
    ),
    (
        "four-dimensional-npy",
        "4d.npy",
        lambda: npy(np.zeros((2, 2, 2, 2))),
        None,
        r"has 4 dimensions \(shape \(2, 2, 2, 2\)\); at most 3, \(H, W, C\), are supported",
    ),
    (
        "zero-size-npy",
        "empty.npy",
        lambda: npy(np.zeros((0, 3))),
        None,
        r"is empty \(shape \(0, 3\)\)",
    ),
    (
        "zero-d-npy",
        "scalar.npy",
        lambda: npy(np.float64(3.0)),
        None,
        r"holds a single number \(shape \(\)\), not an array",
    ),
    (
        "complex-npy",
        "z.npy",
        lambda: npy(np.ones((2, 2), dtype=complex)),
        None,
        r"holds complex numbers \(dtype complex128\); need real numbers",
    ),
    (
        "structured-npy",
        "rec.npy",
        lambda: npy(np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")])),
        None,
        r"has a structured dtype",
    ),
    (
        "string-npy",
        "words.npy",
        lambda: npy(np.array([["ab", "cd"]])),
        None,
        r"has dtype <U2; need bool, integer or float numbers",
    ),
    (
        "nan-in-npy",
        "holes.npy",
        lambda: npy(np.array([[1.0, 2.0], [3.0, np.nan]])),
        None,
        r"holes\.npy: row 2, column 2 holds nan, not a finite number",
    ),
    (
        "inf-in-3d-npy",
        "cube.npy",
        lambda: npy(np.where(np.arange(8).reshape(2, 2, 2) == 5, np.inf, 0.0)),
        None,
        r"row 2, column 1, channel 2 holds inf",
    ),
    # --- .npz: bombs, choice of member, damage
    (
        "zip-bomb-npz",
        "bomb.npz",
        zip_bomb,
        None,
        r"bomb\.npz\['bomb'\]: would decompress to 3019\d+ bytes, more than any array",
    ),
    (
        "npz-several-arrays-no-key",
        "two.npz",
        lambda: npz(image=np.ones((2, 2)), kernel=np.ones((3, 3))),
        None,
        r"holds 2 arrays \(image, kernel\); choose one with key=",
    ),
    (
        "npz-unknown-key",
        "two.npz",
        lambda: npz(image=np.ones((2, 2)), kernel=np.ones((3, 3))),
        "bias",
        r"has no array 'bias'; it holds image, kernel",
    ),
    (
        "npz-bzip2-member",
        "bz.npz",
        lambda: npz(compression=zipfile.ZIP_BZIP2, a=np.ones((2, 2))),
        None,
        r"uses zip compression method 12; only stored or deflated members",
    ),
    (
        "npz-without-arrays",
        "notes.npz",
        lambda: (lambda b: (zipfile.ZipFile(b, "w").writestr("a.txt", "hi"), b.getvalue())[1])(
            io.BytesIO()
        ),
        None,
        r"holds no \.npy arrays",
    ),
    (
        "corrupt-zip-npz",
        "broken.npz",
        lambda: npz(a=np.ones((50, 50)))[:-30],
        None,
        r"is not a readable \.npz \(zip\) archive",
    ),
    # --- images
    (
        "image-bomb-100000x100000",
        "bomb.png",
        lambda: png_header_only(100_000, 100_000),
        None,
        r"declares too many pixels to decode safely \(decompression bomb",
    ),
    (
        "image-bomb-in-pillow-warning-range",
        "warn.png",
        lambda: png_header_only(10_000, 10_000),
        None,
        r"declares too many pixels to decode safely \(decompression bomb",
    ),
    (
        "image-over-pixel-limit",
        "big.png",
        lambda: png_header_only(5_000, 4_000),
        None,
        rf"is 5000 x 4000 pixels \(20000000 cells\), more than the limit of {MAX_CELLS}",
    ),
    (
        "colour-image-over-cell-limit",
        "big-rgb.png",
        lambda: png_header_only(3_000, 2_000, color_type=2),
        None,
        r"is 3000 x 2000 pixels \(18000000 cells\)",
    ),
    (
        "truncated-png",
        "cut.png",
        lambda: png(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8))[:300],
        None,
        r"cut\.png: the image data is damaged or truncated",
    ),
    (
        "text-named-png",
        "fake.png",
        lambda: b"1,2,3\n4,5,6\n",
        None,
        r"is not a PNG, JPEG, BMP, GIF image that can be decoded",
    ),
    # --- content that contradicts its extension
    (
        "png-renamed-csv",
        "data.csv",
        lambda: SMALL_PNG,
        None,
        r"data\.csv: the content is a PNG image, not CSV/TSV/TXT text as the extension \.csv says",
    ),
    (
        "npy-renamed-csv",
        "data.csv",
        lambda: npy(np.ones((2, 2))),
        None,
        r"the content is a NumPy \.npy file, not CSV/TSV/TXT text",
    ),
    (
        "gif-renamed-npy",
        "x.npy",
        lambda: b"GIF89a" + bytes(30),
        None,
        r"the content is a GIF image, not a \.npy file as the extension \.npy says",
    ),
    (
        "unsupported-extension",
        "sheet.xlsx",
        lambda: b"PK\x03\x04",
        None,
        r"extension '\.xlsx' is not supported; use one of \.csv \.tsv \.txt",
    ),
    ("key-for-csv", "m.csv", lambda: b"1,2\n", "a", r"key='a' only applies to \.npz files"),
    # --- sizes
    ("empty-file", "nothing.csv", lambda: b"", None, r"nothing\.csv: is empty \(0 bytes\)"),
    (
        "only-blank-and-comment-lines",
        "blank.csv",
        lambda: b"\n  \n# just a comment\n\r\n",
        None,
        r"has no numbers, only blank or comment lines",
    ),
    (
        "over-upload-limit",
        "huge.csv",
        lambda: b"1," * (MAX_UPLOAD_BYTES // 2) + b"1\n",
        None,
        r"is 20\.0 MB, more than the limit of 20 MB",
    ),
    (
        "huge-single-cell",
        "long.csv",
        lambda: b"1," + b"9" * 5_000_000 + b"\n",
        None,
        r"row 1, column 2 is 5000000 characters long, more than the limit of 100",
    ),
    # --- text encodings and binary junk
    (
        "binary-junk-with-nul",
        "junk.csv",
        lambda: bytes(range(256)) * 4,
        None,
        r"contains a NUL byte at offset 0, so it is binary data",
    ),
    (
        "latin-1-text",
        "latin.csv",
        lambda: "temp\u00e9rature\n1\n".encode("latin-1"),
        None,
        r"is not UTF-8 text \(byte 0xe9 at offset 4\); save it as UTF-8",
    ),
    (
        "bom-then-latin-1",
        "bom-latin.csv",
        lambda: b"\xef\xbb\xbfab\xe9\n1\n",
        None,
        r"is not UTF-8 text \(byte 0xe9 at offset 5\)",
    ),
    (
        "utf-16-text",
        "wide.csv",
        lambda: "1,2\n".encode("utf-16"),
        None,
        r"is UTF-16 text; save it as UTF-8",
    ),
    # --- text structure
    (
        "ragged-rows",
        "ragged.csv",
        lambda: b"1,2,3\n4,5\n",
        None,
        r"row 2 has 2 values but row 1 has 3 values; every row needs the same number",
    ),
    (
        "header-wider-than-rows",
        "head.csv",
        lambda: b"a,b,c\n1,2\n",
        None,
        r"row 2 has 2 values but row 1 has 3 values",
    ),
    (
        "lone-empty-quotes-are-not-an-index-header",
        "quotes.csv",
        lambda: b'""\n1\n',
        None,
        r"row 1, column 1: '\"\"' is not a number",
    ),
    (
        "non-numeric-cell",
        "abc.csv",
        lambda: b"1,2,abc",
        None,
        r"abc\.csv: row 1, column 3: 'abc' is not a number$",
    ),
    (
        "mixed-delimiters",
        "mixed.csv",
        lambda: b"1;2;3\n1,2,3\n",
        None,
        r"row 2 is separated by ',' but row 1 by ';'; use one delimiter throughout",
    ),
    (
        "empty-cell",
        "gap.csv",
        lambda: b"1,2,3\n4,,6\n",
        None,
        r"row 2, column 2 is empty; every cell needs a number",
    ),
    (
        "nan-cell",
        "nan.csv",
        lambda: b"\xef\xbb\xbf1,2\nNaN,4\n",
        None,
        r"nan\.csv: row 2, column 1: 'NaN' is not a finite number; NaN and infinity are refused",
    ),
    (
        "inf-cell-after-header-and-index",
        "inf.csv",
        lambda: b",0,1\n0,1.5,2\n1,3,-inf\n",
        None,
        r"row 3, column 3: '-inf' is not a finite number",
    ),
    (
        "overflowing-number",
        "big.csv",
        lambda: b"1e400,1\n",
        None,
        r"row 1, column 1: '1e400' is not a finite number",
    ),
    (
        "decimal-comma",
        "eu.csv",
        lambda: b"1,5;2,5\n3,0;4,0\n",
        None,
        r"row 1, column 1: '1,5' is not a number \(use '\.' as the decimal point\)",
    ),
    (
        "half-quoted-number",
        "quoted.csv",
        lambda: b'"1.5,2\n',
        None,
        r"""row 1, column 1: '"1\.5' is not a number""",
    ),
    (
        "underscore-digits",
        "under.csv",
        lambda: b"1_000,2\n",
        None,
        r"row 1, column 1: '1_000' is not a number",
    ),
    (
        "non-ascii-digits",
        "arabic.csv",
        lambda: "\u0661,\u0662\n".encode(),
        None,
        r"row 1, column 1: '\u0661' is not a number",
    ),
    (
        "long-offending-text-is-cut",
        "essay.csv",
        lambda: b"1,2\n3,this cell holds a very long sentence instead of a number\n",
        None,
        r"row 2, column 2: 'this cell holds a very long sentence \.\.\.' \(56 characters\)",
    ),
    (
        "header-without-data",
        "head.csv",
        lambda: b"a,b,c\n",
        None,
        r"row 1 'a,b,c' looks like a header, but no rows of numbers follow it",
    ),
    # --- long form (row,col,channel,value)
    (
        "long-form-missing-cell",
        "long.csv",
        lambda: b"row,col,channel,value\n0,0,0,1\n0,0,1,2\n0,1,0,3\n",
        None,
        r"has 3 cells but its indices span shape \(1, 2, 2\); \(row, col, channel\) = \(0, 1, 1\) "
        r"is missing",
    ),
    (
        "long-form-duplicate",
        "long.csv",
        lambda: b"row,col,channel,value\n0,0,0,1\n0,0,0,2\n",
        None,
        r"row 3: \(row, col, channel\) = \(0, 0, 0\) appears twice",
    ),
    (
        "long-form-negative-index",
        "long.csv",
        lambda: b"row,col,channel,value\n0,0,0,1\n-1,0,0,2\n",
        None,
        r"row 3, column 1: row must be a whole number >= 0, got -1\.0",
    ),
    (
        "long-form-huge-index",
        "long.csv",
        lambda: b"row,col,channel,value\n0,0,0,1\n99999,99999,0,2\n",
        None,
        r"the indices span shape \(100000, 100000, 1\), 10000000000 cells, more than the limit",
    ),
]


@pytest.mark.parametrize(
    ("filename", "make", "key", "pattern"),
    [case[1:] for case in CATALOGUE],
    ids=[case[0] for case in CATALOGUE],
)
def test_bad_file_is_refused_with_a_specific_message(filename, make, key, pattern):
    with pytest.raises(InputError) as info:
        read_array(make(), filename, key=key)
    message = str(info.value)
    assert message.startswith(filename), message
    assert len(message) < 250, message
    assert __import__("re").search(pattern, message), f"{pattern!r} not in {message!r}"


BANK_HEADER = b"row,col,channel,filter,value\n"

# Filter banks, read as the app reads a filter upload (max_ndim=4), or refused by default.
FILTER_BANK_CATALOGUE = [
    (
        "bank-csv-refused-by-default",
        "bank.csv",
        lambda: BANK_HEADER + b"0,0,0,0,1\n0,0,0,1,2\n",
        3,
        r"row 1: the header row,col,channel,filter,value is the long form of a 4-D array, "
        r"but at most 3 dimensions, \(H, W, C\), are accepted here",
    ),
    (
        "bank-npy-refused-by-default",
        "bank.npy",
        lambda: npy(np.ones((3, 3, 2, 4))),
        3,
        r"has 4 dimensions \(shape \(3, 3, 2, 4\)\); at most 3, \(H, W, C\), are supported",
    ),
    (
        "bank-npz-refused-by-default",
        "bank.npz",
        lambda: npz(bank=np.ones((3, 3, 2, 4))),
        3,
        r"\['bank'\]: has 4 dimensions \(shape \(3, 3, 2, 4\)\); at most 3",
    ),
    (
        "five-dimensional-npy-refused-for-filters",
        "5d.npy",
        lambda: npy(np.ones((2, 2, 2, 2, 2))),
        4,
        r"has 5 dimensions \(shape \(2, 2, 2, 2, 2\)\); at most 4, \(KH, KW, C, F\), "
        r"are supported",
    ),
    (
        "bank-duplicate-cell",
        "bank.csv",
        lambda: BANK_HEADER + b"0,0,0,0,1\n0,0,0,1,2\n0,0,0,1,3\n",
        4,
        r"row 4: \(row, col, channel, filter\) = \(0, 0, 0, 1\) appears twice",
    ),
    (
        "bank-missing-cell",
        "bank.csv",
        lambda: BANK_HEADER + b"0,0,0,0,1\n0,0,0,1,2\n0,0,1,0,3\n",
        4,
        r"has 3 cells but its indices span shape \(1, 1, 2, 2\); "
        r"\(row, col, channel, filter\) = \(0, 0, 1, 1\) is missing",
    ),
    (
        "bank-negative-filter-index",
        "bank.csv",
        lambda: BANK_HEADER + b"0,0,0,0,1\n0,0,0,-1,2\n",
        4,
        r"row 3, column 4: filter must be a whole number >= 0, got -1\.0",
    ),
    (
        "bank-fractional-channel-index",
        "bank.csv",
        lambda: BANK_HEADER + b"0,0,0.5,0,1\n",
        4,
        r"row 2, column 3: channel must be a whole number >= 0, got 0\.5",
    ),
    (
        "bank-npy-nan-named-by-its-filter",
        "bank.npy",
        lambda: npy(np.array([0.0, np.nan]).reshape(1, 1, 1, 2)),
        4,
        r"row 1, column 1, channel 1, filter 2 holds nan, not a finite number",
    ),
    (
        "bank-four-values-under-five-names",
        "bank.csv",
        lambda: BANK_HEADER + b"0,0,0,0,1\n0,0,0,2\n",
        4,
        r"row 3 has 4 values but row 1 has 5 values",
    ),
    (
        "bank-nan-value",
        "bank.csv",
        lambda: BANK_HEADER + b"0,0,0,0,nan\n",
        4,
        r"row 2, column 5: nan is not a finite number",
    ),
]


@pytest.mark.parametrize(
    ("filename", "make", "max_ndim", "pattern"),
    [case[1:] for case in FILTER_BANK_CATALOGUE],
    ids=[case[0] for case in FILTER_BANK_CATALOGUE],
)
def test_bad_filter_bank_is_refused_with_a_specific_message(filename, make, max_ndim, pattern):
    with pytest.raises(InputError) as info:
        read_array(make(), filename, max_ndim=max_ndim)
    message = str(info.value)
    assert message.startswith(filename), message
    assert len(message) < 250, message
    assert __import__("re").search(pattern, message), f"{pattern!r} not in {message!r}"


def test_colour_image_is_refused_when_only_two_dimensions_are_allowed():
    with pytest.raises(InputError, match=r"rgb\.png: is a colour image of shape \(2, 2, 3\)"):
        read_array(png(np.zeros((2, 2, 3), dtype=np.uint8)), "rgb.png", max_ndim=2)


@pytest.mark.parametrize("bad", [1, 5, True, "4"])
def test_max_ndim_itself_is_checked(bad):
    with pytest.raises(ValueError, match=rf"max_ndim must be 2, 3 or 4, got {bad!r}"):
        read_array(b"1,2\n", "m.csv", max_ndim=bad)


def test_catalogue_is_large_and_input_error_is_a_value_error():
    assert len(CATALOGUE) >= 25
    assert issubclass(InputError, ValueError)


def test_npz_names_refuses_a_non_zip():
    with pytest.raises(InputError, match=r"the \.npz file: is not a readable \.npz"):
        npz_names(b"1,2,3\n")


def test_non_bytes_data_and_non_str_filename():
    with pytest.raises(InputError, match=r"m\.csv: data must be bytes, got str"):
        read_array("1,2", "m.csv")
    with pytest.raises(InputError, match=r"filename must be a str, got None"):
        read_array(b"1,2", None)


# --- Decisions about borderline input, asserted so they cannot drift.


def test_bom_is_accepted_and_ignored():
    got = read_array(b"\xef\xbb\xbfa,b\n1,2\n", "bom.csv")
    np.testing.assert_array_equal(got, [[1.0, 2.0]])


def test_one_dimensional_npy_is_a_row_and_one_csv_column_is_a_column():
    np.testing.assert_array_equal(read_array(npy(np.array([1, 2, 3])), "v.npy"), [[1, 2, 3]])
    np.testing.assert_array_equal(read_array(b"1\n2\n3\n", "v.csv"), [[1.0], [2.0], [3.0]])


def test_semicolon_and_comma_files_read_the_same():
    semi, comma = read_array(b"1;2;3\n", "s.csv"), read_array(b"1,2,3\n", "c.csv")
    np.testing.assert_array_equal(semi, [[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(comma, semi)


def test_nan_is_accepted_when_asked_for():
    got = read_array(b"1,nan\n", "n.csv", allow_nonfinite=True)
    assert got[0, 0] == 1 and np.isnan(got[0, 1])


def test_a_lying_zip_size_never_inflates_more_than_declared():
    """Member sizes patched to claim 160 bytes while the stream holds 50 MB: read stops early."""
    header = npy_header_only((2, 2), tail=b"")
    body = header + bytes(32) + bytes(50 * 2**20)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.npy", body)
    data = bytearray(buf.getvalue())
    real, fake = struct.pack("<I", len(body)), struct.pack("<I", len(header) + 32)
    assert data.count(real) == 2  # local header and central directory
    data = bytes(data).replace(real, fake)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=r"liar\.npz\['a'\]: .*Bad CRC-32"):
            read_array(data, "liar.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20  # the 50 MB were never inflated


def test_image_guards_stay_on_and_leave_warning_filters_alone():
    assert Image.MAX_IMAGE_PIXELS is not None
    before = list(warnings.filters)
    with pytest.raises(InputError):
        read_array(png_header_only(10_000, 10_000), "warn.png")
    read_array(SMALL_PNG, "ok.png")
    assert warnings.filters == before


def test_upload_types_are_exactly_what_read_array_accepts():
    assert set(UPLOAD_TYPES) == {
        "csv",
        "tsv",
        "txt",
        "npy",
        "npz",
        "png",
        "jpg",
        "jpeg",
        "bmp",
        "gif",
    }
    for ext in UPLOAD_TYPES:
        with pytest.raises(InputError) as info:
            read_array(b"\x01", f"x.{ext}")
        assert "is not supported" not in str(info.value)
