"""Ordinary files, written by the tools that make them, read to arrays known independently.

Issue 13, findings 4-7: a named pandas index, 16-bit grey+alpha and 48-bit PNGs,
EXIF orientation, trailing delimiters, quoted numbers, Excel's ``sep=`` line,
inline comments and mixed tabs and spaces. Every expected array comes from the
data the file was written from, never from ``conv.io``.
"""

import io
import struct
import zlib

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageOps

from conv.io import InputError, read_array, read_array_with_notes

M = np.array([[1.5, -2.0, 3.0], [4.0, 0.25, -6.5e-3], [7.0, 8.0, 9.0]])


# --- text ---------------------------------------------------------------------------------


def savetxt(**kwargs) -> bytes:
    buf = io.BytesIO()
    np.savetxt(buf, M, **kwargs)
    return buf.getvalue()


FRAME = pd.DataFrame(M, columns=["a", "b", "c"])

TEXT_FILES = {
    "savetxt-default.txt": savetxt(),
    "savetxt-header-footer.txt": savetxt(header="made by numpy\na b c", footer="the end"),
    "savetxt-comma.csv": savetxt(delimiter=",", header="a,b,c", fmt="%.6g"),
    "savetxt-custom-comment.csv": savetxt(delimiter=",", header="x", comments="# note: "),
    "pandas-default.csv": FRAME.to_csv().encode(),
    "pandas-no-index.csv": FRAME.to_csv(index=False).encode(),
    "pandas-rename-axis.csv": FRAME.rename_axis("row").to_csv().encode(),
    "pandas-index-label.csv": FRAME.to_csv(index_label="row").encode(),
    "pandas-string-labels.csv": FRAME.set_index(pd.Index(["p", "q", "r"], name="id"))
    .to_csv()
    .encode(),
    "pandas-semicolon.csv": FRAME.rename_axis("row").to_csv(sep=";").encode(),
    "pandas-tab.tsv": FRAME.to_csv(sep="\t").encode(),
    "pandas-quote-all.csv": FRAME.to_csv(quoting=1).encode(),
    "pandas-default-columns.csv": pd.DataFrame(M).to_csv().encode(),
    "r-write-csv.csv": (b'"","a","b","c"\n"1",1.5,-2,3\n"2",4,0.25,-0.0065\n"3",7,8,9\n'),
    "r-write-csv-no-rownames.csv": b'"a","b","c"\n1.5,-2,3\n4,0.25,-0.0065\n7,8,9\n',
    "excel-sep-line.csv": b"sep=;\r\n1.5;-2;3\r\n4;0.25;-0.0065\r\n7;8;9\r\n",
    "excel-quoted-sep-line.csv": b'"sep=,"\n1.5,-2,3\n4,0.25,-0.0065\n7,8,9\n',
    "trailing-delimiters.csv": b"1.5,-2,3,\n4,0.25,-0.0065,\n7,8,9,\n",
    "trailing-semicolons-header.csv": b"a;b;c;\n1.5;-2;3;\n4;0.25;-0.0065;\n7;8;9;\n",
    "quoted-numbers.csv": b'"1.5","-2","3"\n"4","0.25","-0.0065"\n"7","8","9"\n',
    "inline-comments.csv": b"1.5,-2,3  # first\n4,0.25,-0.0065 # second\n# a note\n7,8,9\n",
    "tabs-and-spaces.txt": b"1.5\t-2  3\n4  0.25\t-0.0065\n7 8\t9\n",
}


@pytest.mark.parametrize("filename", sorted(TEXT_FILES))
def test_ordinary_text_files_read_to_the_matrix(filename):
    got = read_array(TEXT_FILES[filename], filename)
    np.testing.assert_array_equal(got, M)


def test_named_pandas_index_is_read_as_an_index_and_said():
    # Issue 13, finding 4: (2, 3) with the index as a column before.
    text = pd.DataFrame([[1, 2], [3, 4]], columns=["a", "b"]).rename_axis("row").to_csv()
    arr, notes = read_array_with_notes(text.encode(), "df.csv")
    np.testing.assert_array_equal(arr, [[1, 2], [3, 4]])
    assert any("index" in n and "'row'" in n for n in notes)


def test_ambiguous_named_first_column_is_read_as_data_and_reported():
    # set_index("id") with ids that are numbers cannot be told from a data column.
    text = FRAME.set_index(pd.Index([10, 20, 30], name="id")).to_csv()
    arr, notes = read_array_with_notes(text.encode(), "ids.csv")
    np.testing.assert_array_equal(arr, np.column_stack([[10, 20, 30], M]))
    assert any("'id'" in n and "may be an index" in n for n in notes)


def test_plain_files_have_no_notes():
    arr, notes = read_array_with_notes(b"1,2\n3,4\n", "m.csv")
    assert notes == [] and arr.tolist() == [[1, 2], [3, 4]]


def test_tab_file_with_empty_cells_and_spaces_names_the_problem():
    with pytest.raises(InputError, match=r"row 1, column 2 is empty"):
        read_array(b"1\t\t3\n4 5 6\n", "m.tsv")
    with pytest.raises(InputError, match=r"separated by spaces, but the file's delimiter is ','"):
        read_array(b"1,2,3\n4 5,6,7\n", "m.csv")


# --- images -------------------------------------------------------------------------------

RNG = np.random.default_rng(13)
GREY8 = RNG.integers(0, 256, size=(5, 7), dtype=np.uint8)
RGB8 = RNG.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
ALPHA8 = RNG.integers(0, 256, size=(5, 7), dtype=np.uint8)
GREY16 = RNG.integers(0, 65536, size=(5, 7), dtype=np.uint16)
RGBA16 = RNG.integers(0, 65536, size=(5, 7, 4), dtype=np.uint16)


def pillow_bytes(img: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def png16(arr: np.ndarray, colour_type: int) -> bytes:
    """A 16-bit PNG written here from the PNG spec, rows with the None, Sub and Up filters."""
    h, w = arr.shape[:2]
    rows = arr.astype(">u2").reshape(h, -1).view(np.uint8).reshape(h, -1).astype(np.int64)
    bpp = rows.shape[1] // w
    raw = b""
    for i, row in enumerate(rows):
        kind = i % 3
        if kind == 1:  # Sub: minus the byte one pixel to the left
            row = (row - np.concatenate([np.zeros(bpp, np.int64), row[:-bpp]])) % 256
        elif kind == 2:  # Up: minus the byte above
            row = (row - rows[i - 1]) % 256
        raw += bytes([kind]) + row.astype(np.uint8).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def palette_image(colours: np.ndarray, index: np.ndarray) -> Image.Image:
    img = Image.frombytes("P", (index.shape[1], index.shape[0]), index.astype(np.uint8).tobytes())
    img.putpalette(colours.astype(np.uint8).ravel().tolist())
    return img


INDEX = RNG.integers(0, 4, size=(5, 7))
COLOURS = np.array([[255, 0, 0], [0, 128, 0], [10, 20, 30], [255, 255, 255]])
GREYS = np.array([[0, 0, 0], [51, 51, 51], [200, 200, 200], [255, 255, 255]])

IMAGES = {
    # name: (bytes, expected array, a word every note list must contain or None)
    "mode-1.png": (
        pillow_bytes(Image.fromarray(GREY8 > 127)),
        (GREY8 > 127).astype(float),
        None,
    ),
    "mode-L.png": (pillow_bytes(Image.fromarray(GREY8)), GREY8 / 255, None),
    "mode-LA.png": (
        pillow_bytes(Image.fromarray(np.stack([GREY8, ALPHA8], -1), mode="LA")),
        GREY8 / 255,
        "alpha",
    ),
    "mode-I16.png": (pillow_bytes(Image.fromarray(GREY16)), GREY16 / 65535, None),
    "mode-RGB.png": (pillow_bytes(Image.fromarray(RGB8)), RGB8 / 255, None),
    "mode-RGBA.png": (
        pillow_bytes(Image.fromarray(np.dstack([RGB8, ALPHA8]), mode="RGBA")),
        RGB8 / 255,
        "alpha",
    ),
    "mode-P-colour.png": (
        pillow_bytes(palette_image(COLOURS, INDEX)),
        COLOURS[INDEX] / 255,
        None,
    ),
    "mode-P-greys.png": (
        pillow_bytes(palette_image(GREYS, INDEX)),
        GREYS[INDEX][..., 0] / 255,
        "grey",
    ),
    "mode-RGB.bmp": (pillow_bytes(Image.fromarray(RGB8), "BMP"), RGB8 / 255, None),
    "grey-alpha-16.png": (png16(RGBA16[..., :2], 4), RGBA16[..., 0] / 65535, "alpha"),
    "rgb-48.png": (png16(RGBA16[..., :3], 2), RGBA16[..., :3] / 65535, None),
    "rgba-64.png": (png16(RGBA16, 6), RGBA16[..., :3] / 65535, "alpha"),
    "grey-16-handwritten.png": (png16(GREY16, 0), GREY16 / 65535, None),
}


@pytest.mark.parametrize("filename", sorted(IMAGES))
def test_pillow_modes_read_to_their_pixels(filename):
    data, expected, word = IMAGES[filename]
    arr, notes = read_array_with_notes(data, filename)
    assert arr.shape == expected.shape
    np.testing.assert_array_equal(arr, expected)
    if word is not None:
        assert any(word in n for n in notes), notes


def test_sixteen_bit_grey_alpha_is_two_dimensional_with_every_bit():
    # Issue 13, finding 5: was (H, W, 3) cut to 8 bits.
    values = np.array([[0, 1, 257, 65535]], dtype=np.uint16)
    data = png16(np.stack([values, np.full_like(values, 1000)], -1), 4)
    arr = read_array(data, "ga.png")
    assert arr.shape == (1, 4)
    assert (arr * 65535).round().astype(int).tolist() == [[0, 1, 257, 65535]]


def test_cmyk_jpeg_reads_as_rgb_close_to_what_was_saved():
    cmyk = Image.fromarray(RGB8).convert("CMYK")
    data = pillow_bytes(cmyk.resize((40, 28)), "JPEG", quality=95)
    arr, notes = read_array_with_notes(data, "cmyk.jpg")
    assert arr.shape == (28, 40, 3)
    expected = np.asarray(cmyk.resize((40, 28)).convert("RGB")) / 255
    assert np.abs(arr - expected).mean() < 0.05
    assert any("CMYK" in n for n in notes)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_exif_orientation_is_applied(orientation):
    # Issue 13, finding 6. A 16x24 image with a bright corner, stored with each orientation.
    pixels = np.zeros((16, 24), np.uint8)
    pixels[:4, :8] = 255
    pixels[12:, 20:] = 128
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = pillow_bytes(Image.fromarray(pixels), "JPEG", quality=100, exif=exif.tobytes())
    arr, notes = read_array_with_notes(data, "phone.jpg")
    # Expected: what Pillow's own exif_transpose shows, decoded independently.
    shown = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("L")) / 255
    assert arr.shape == shown.shape
    np.testing.assert_array_equal(arr, shown)
    assert any("orientation" in n for n in notes) == (orientation != 1)
