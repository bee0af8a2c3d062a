"""Text layouts people really upload, each read to the matrix written out by hand."""

import io
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from conv.io import read_array

M = [[1.5, -2.0, 3.0], [4.0, 0.25, -6.5e-3]]


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        ("comma.csv", "1.5,-2,3\n4,0.25,-6.5e-3\n"),
        ("spaces-after-commas.csv", "1.5, -2, 3\n4, 0.25, -6.5E-3\n"),
        ("semicolon.csv", "1.5;-2;3\n4;.25;-0.0065\n"),
        ("tab.tsv", "1.5\t-2\t3\n4\t0.25\t-6.5e-3\n"),
        ("whitespace.txt", "  1.5   -2  3\n4 0.25\t-6.5e-3\n"),
        ("crlf.csv", "1.5,-2,3\r\n4,0.25,-6.5e-3\r\n"),
        ("old-mac.csv", "1.5,-2,3\r4,0.25,-6.5e-3"),
        ("bom.csv", "\ufeff1.5,-2,3\n4,0.25,-6.5e-3\n"),
        ("header.csv", "a,b,c\n1.5,-2,3\n4,0.25,-6.5e-3\n"),
        ("quoted-header.csv", '"x 1","x 2","x 3"\n1.5,-2,3\n4,0.25,-6.5e-3\n'),
        ("pandas-index.csv", ",0,1,2\n0,1.5,-2,3\n1,4,0.25,-6.5e-3\n"),
        ("pandas-named-index.csv", "r,0,1,2\n0,1.5,-2,3\n1,4,0.25,-6.5e-3\n"),
        ("pandas-string-index.csv", ",a,b,c\nfirst,1.5,-2,3\nsecond,4,0.25,-6.5e-3\n"),
        ("numpy-savetxt.txt", "# made by savetxt\n1.5 -2 3\n\n4 0.25 -6.5e-3\n"),
        ("plus-signs-and-exponents.csv", "+1.5,-2.,3e0\n4E+0,25e-2,-6.5e-3\n"),
    ],
)
def test_layouts_read_to_the_same_matrix(filename, text):
    got = read_array(text.encode(), filename)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, M)


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("index", [True, False])
def test_what_pandas_writes_is_recognised(sep, index):
    a = np.random.default_rng(7).normal(size=(5, 4))
    frame = pd.DataFrame(a, columns=["w", "x", "y", "z"])
    text = frame.to_csv(sep=sep, index=index)
    np.testing.assert_array_equal(read_array(text.encode(), "pandas.csv"), a)


def test_pandas_default_header_with_index_is_recognised():
    a = np.arange(6.0).reshape(2, 3) / 7
    text = pd.DataFrame(a).to_csv()
    assert text.startswith(",0,1,2")
    np.testing.assert_array_equal(read_array(text.encode(), "d.csv"), a)


def test_numeric_only_header_is_read_as_data():
    """Documented limit: to_csv(index=False) writes a header '0,1' that looks like data."""
    text = pd.DataFrame([[5.0, 6.0]]).to_csv(index=False)
    np.testing.assert_array_equal(read_array(text.encode(), "d.csv"), [[0.0, 1.0], [5.0, 6.0]])


def test_numpy_savetxt_output_reads_exactly():
    a = np.random.default_rng(8).normal(size=(6, 3))
    buf = io.StringIO()
    np.savetxt(buf, a, delimiter=",", fmt="%.17g", header="written by numpy")
    np.testing.assert_array_equal(read_array(buf.getvalue().encode(), "s.csv"), a)


def test_long_form_in_any_order_with_pandas_index():
    cells = [(1, 0, 1, 8.0), (0, 0, 0, 1.0), (1, 1, 0, 7.0), (0, 1, 1, 4.0)]
    cells += [(0, 0, 1, 2.0), (0, 1, 0, 3.0), (1, 0, 0, 5.0), (1, 1, 1, 6.0)]
    frame = pd.DataFrame(cells, columns=["row", "col", "channel", "value"])
    expected = np.zeros((2, 2, 2))
    for r, c, ch, v in cells:
        expected[r, c, ch] = v
    for text in (frame.to_csv(index=False), frame.to_csv(), frame.to_csv(sep=";")):
        got = read_array(text.encode(), "long.csv")
        assert got.shape == (2, 2, 2)
        np.testing.assert_array_equal(got, expected)


def test_long_form_header_is_case_and_space_insensitive():
    text = b"Row, Col, Channel, Value\n0,0,0,9\n"
    np.testing.assert_array_equal(read_array(text, "l.csv"), [[[9.0]]])


def test_single_value_and_single_row():
    np.testing.assert_array_equal(read_array(b"42\n", "one.csv"), [[42.0]])
    np.testing.assert_array_equal(read_array(b"1,2,3", "row.csv"), [[1.0, 2.0, 3.0]])


def test_extension_case_does_not_matter():
    np.testing.assert_array_equal(read_array(b"1,2\n", "DATA.CSV"), [[1.0, 2.0]])
    np.testing.assert_array_equal(read_array(b"1 2\n", "dir/sub/data.TXT"), [[1.0, 2.0]])


def test_exact_decimal_parsing():
    """Shortest repr strings must parse to the very same doubles Python's float() gives."""
    values = [0.1, 1 / 3, 2.0**-1074, 1.7976931348623157e308, -2.2250738585072014e-308]
    text = ",".join(repr(v) for v in values).encode()
    got = read_array(text, "edge.csv")
    assert got[0].tolist() == values


@pytest.mark.parametrize(("filename", "separator"), [("a.csv", b","), ("a.txt", b" ")])
def test_one_huge_line_is_parsed_without_a_python_object_per_cell(filename, separator):
    """A 4 MB single line: memory stays near numpy's own needs (it was ~700 MB per 1 M cells)."""
    data = separator.join([b"0.5"] * 1_000_000)
    tracemalloc.start()
    try:
        got = read_array(data, filename)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got.shape == (1, 1_000_000) and (got == 0.5).all()
    assert peak < 80 * 2**20, peak
