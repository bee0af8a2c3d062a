"""Numeric matrices from CSV / TSV / TXT text, with errors that point at the cell.

Accepted layout: one matrix row per line; the delimiter is sniffed (tab, then
semicolon, then comma, else runs of whitespace); blank lines and lines
starting with ``#`` are skipped; a header row and an index column written by
pandas (``DataFrame.to_csv()``) are recognised and dropped. A file whose
header is exactly ``row,col,channel,value`` is the long form of an
``(H, W, C)`` array (see :mod:`conv.io._long_form`).

One line gives a ``1 x N`` row and one value per line an ``N x 1`` column.
A header made only of plain numbers (``to_csv(index=False)``) cannot be told
from data, so it is read as data.
"""

from __future__ import annotations

import codecs
import re

import numpy as np

from conv.io._errors import InputError, quote
from conv.io._long_form import LONG_FORM_HEADER, parse_long_form
from conv.io.limits import MAX_CELLS, MAX_TEXT_CELL_CHARS

__all__ = ["read_text"]

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?i:nan|inf|infinity)"
# re.ASCII: Python's float() would also take "１" or "1_000"; a CSV must not.
_CELL = re.compile(_NUMBER, re.ASCII)
# Padding around a cell: spaces, and tabs too unless the tab is the delimiter.
_PAD = {"\t": " *", ";": "[ \t]*", ",": "[ \t]*"}
_LINE = {
    d: re.compile(rf"{pad}(?:{_NUMBER}){pad}(?:{re.escape(d)}{pad}(?:{_NUMBER}){pad})*", re.ASCII)
    for d, pad in _PAD.items()
}
_DELIMITER_NAMES = {"\t": "tab", ";": "';'", ",": "','", None: "whitespace"}


def _decode(data: bytes, name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{name}: is UTF-16 text; save it as UTF-8")
    nul = data.find(b"\0")
    if nul >= 0:
        raise InputError(
            f"{name}: contains a NUL byte at offset {nul}, so it is binary data, not CSV text"
        )
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = bom + err.start
        raise InputError(
            f"{name}: is not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset}); "
            "save it as UTF-8"
        ) from None


def _delimiter(line: str) -> str | None:
    """The line's own delimiter; "" for a single value, which fits any delimiter."""
    for d in ("\t", ";", ","):
        if d in line:
            return d
    return None if len(line.split()) > 1 else ""


def _split(line: str, delimiter: str | None) -> list[str]:
    return line.split() if delimiter is None else [c.strip() for c in line.split(delimiter)]


def _values(n: int) -> str:
    return f"{n} value" if n == 1 else f"{n} values"


def _is_number(cell: str) -> bool:
    return _CELL.fullmatch(cell.strip(" \t")) is not None


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].strip()
    return cell


def _is_name(cell: str) -> bool:
    # A letter is required so that "1,5" or a stray symbol is reported, not taken as a header.
    return not _is_number(cell) and any(ch.isalpha() or ch == "_" for ch in cell)


def _header_kind(cells: list[str]) -> tuple[bool, bool]:
    """(is a header, has an index column) for the first row's cells."""
    names = [_unquote(c) for c in cells]
    # An index column needs at least one data column beside it.
    pandas_default = [str(i) for i in range(len(names) - 1)] if len(names) > 1 else None
    rest_are_names = len(names) > 1 and all(_is_name(c) for c in names[1:])
    if names[0] == "" or names[0].startswith("Unnamed: "):
        # pandas writes an empty (or "Unnamed: 0") corner above its index column.
        if rest_are_names or names[1:] == pandas_default:
            return True, True
        return False, False
    if _is_name(names[0]):
        if rest_are_names or len(names) == 1:
            return True, False
        if names[1:] == pandas_default:
            return True, True  # a named index above default column names
    return False, False


def _bad_cell(cell: str, lineno: int, col: int, name: str, delimiter: str | None) -> InputError:
    where = f"{name}: row {lineno}, column {col}"
    text = cell.strip()
    if text == "":
        return InputError(f"{where} is empty; every cell needs a number")
    if len(text) > MAX_TEXT_CELL_CHARS:
        return InputError(
            f"{where} is {len(text)} characters long, more than the limit of "
            f"{MAX_TEXT_CELL_CHARS} for one number"
        )
    hint = ""
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        hint = " (use '.' as the decimal point)"
    elif _is_number(_unquote(text)):
        hint = " (remove the quotes)"
    elif delimiter is None and any(ch in text for ch in ",;\t"):
        hint = " (delimiters differ between rows?)"
    return InputError(f"{where}: {quote(text)} is not a number{hint}")


def read_text(data: bytes, name: str, *, allow_nonfinite: bool = False) -> np.ndarray:
    """Parse delimited numeric text into a float64 array; see the module docstring.

    Examples
    --------
    >>> read_text(b",0,1\\n0,1.5,2\\n1,3,4e-1\\n", "df.csv")
    array([[1.5, 2. ],
           [3. , 0.4]])
    >>> read_text(b"1,2,abc", "x.csv")
    Traceback (most recent call last):
    ...
    conv.io._errors.InputError: x.csv: row 1, column 3: 'abc' is not a number
    """
    text = _decode(data, name)
    lines = [
        (lineno, line)
        for lineno, line in enumerate(re.split(r"\r\n|\n|\r", text), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise InputError(f"{name}: has no numbers, only blank or comment lines")

    delimiter, set_by = None, None
    for lineno, line in lines:
        own = _delimiter(line)
        if own == "":
            continue
        if set_by is None:
            delimiter, set_by = own, lineno
        elif {own, delimiter} == {"\t", None}:
            delimiter = None  # tabs and spaces mixed: all of it is whitespace
        elif own != delimiter:
            raise InputError(
                f"{name}: row {set_by} is separated by {_DELIMITER_NAMES[delimiter]} "
                f"but row {lineno} by {_DELIMITER_NAMES[own]}; use one delimiter throughout"
            )

    first = _split(lines[0][1], delimiter)
    header, index = _header_kind(first)
    if not header:
        return _numeric_rows(
            lines, name, delimiter, (len(first), lines[0][0]), index, allow_nonfinite
        )
    if len(lines) == 1:
        raise InputError(
            f"{name}: row {lines[0][0]} {quote(lines[0][1].strip())} looks like a header, "
            "but no rows of numbers follow it"
        )
    names = [_unquote(c).lower() for c in (first[1:] if index else first)]
    if names == list(LONG_FORM_HEADER):
        table = _numeric_rows(lines[1:], name, delimiter, (len(first), lines[0][0]), index, True)
        return parse_long_form(table, [n for n, _ in lines[1:]], name, allow_nonfinite)
    return _numeric_rows(
        lines[1:], name, delimiter, (len(first), lines[0][0]), index, allow_nonfinite
    )


def _numeric_rows(
    lines: list[tuple[int, str]],
    name: str,
    delimiter: str | None,
    width_from: tuple[int, int],
    index: bool,
    allow_nonfinite: bool,
) -> np.ndarray:
    """Parse data lines; ``width_from`` is (values per row, the row that set it)."""
    width, first_lineno = width_from
    if len(lines) * (width - index) > MAX_CELLS:
        raise InputError(
            f"{name}: has {len(lines)} rows of {width - index} values, more than the limit "
            f"of {MAX_CELLS} cells"
        )
    body = []
    for lineno, line in lines:
        cells = line.split() if delimiter is None else line.split(delimiter)
        if len(cells) != width:
            raise InputError(
                f"{name}: row {lineno} has {_values(len(cells))} but row {first_lineno} has "
                f"{_values(width)}; every row needs the same number of values"
            )
        values = cells[1:] if index else cells
        # Length first, so a giant single cell never reaches the regex.
        ok = max(map(len, values)) <= MAX_TEXT_CELL_CHARS
        if delimiter is None:
            joined = " ".join(values)
            ok = ok and all(map(_CELL.fullmatch, values))
        else:
            joined = delimiter.join(values) if index else line
            ok = ok and _LINE[delimiter].fullmatch(joined) is not None
            if ok and (" " in joined or "\t" in joined.replace(delimiter, "")):
                joined = delimiter.join(v.strip(" \t") for v in values)
        if not ok:  # find the culprit; long but whitespace-padded cells pass
            for col, cell in enumerate(values, start=1 + index):
                if len(cell.strip()) > MAX_TEXT_CELL_CHARS or not _is_number(cell):
                    raise _bad_cell(cell, lineno, col, name, delimiter)
        body.append(joined)

    out = np.loadtxt(body, delimiter=delimiter, dtype=np.float64, ndmin=2, comments=None)
    if not allow_nonfinite:
        bad = np.argwhere(~np.isfinite(out))
        if len(bad):
            r, c = (int(v) for v in bad[0])
            lineno, line = lines[r]
            cell = _split(line, delimiter)[c + index]
            raise InputError(
                f"{name}: row {lineno}, column {c + 1 + index}: {quote(cell)} is not a "
                "finite number; NaN and infinity are refused"
            )
    return out
