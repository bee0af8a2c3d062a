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
import itertools
import re
from collections.abc import Iterator

import numpy as np

from conv.io._errors import InputError, quote
from conv.io._long_form import LONG_FORM_HEADER, parse_long_form
from conv.io.limits import MAX_CELLS, MAX_TEXT_CELL_CHARS

__all__ = ["read_text"]

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?i:nan|inf|infinity)"
# re.ASCII: Python's float() would also take "１" or "1_000"; a CSV must not.
_CELL = re.compile(_NUMBER, re.ASCII)
# A character no number contains; its absence lets a line skip per-cell checks.
_FOREIGN = re.compile(r"[^0-9eE+\-.aAfFiInNtTyY ,;\t]")
_TOKEN = re.compile(r"\S+")
_ASCII_WHITESPACE = np.frombuffer(b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", np.uint8)
_SEVERAL_TOKENS = re.compile(r"\S\s+\S")
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
    return None if _SEVERAL_TOKENS.search(line) else ""


def _cells(line: str, delimiter: str | None) -> Iterator[str]:
    """The line's cells, stripped, one at a time, so a 20 MB line is never one huge list."""
    if delimiter is None:
        for match in _TOKEN.finditer(line):
            yield match.group()
        return
    start = 0
    while (end := line.find(delimiter, start)) >= 0:
        yield line[start:end].strip()
        start = end + 1
    yield line[start:].strip()


def _count(line: str, delimiter: str | None) -> int:
    if delimiter is not None:
        return line.count(delimiter) + 1
    if len(line) < 10_000 or not line.isascii():
        return sum(1 for _ in _TOKEN.finditer(line))
    # A long whitespace-separated line: count token starts in bulk, not token by token.
    space = np.isin(np.frombuffer(line.encode("ascii"), np.uint8), _ASCII_WHITESPACE)
    return int(np.count_nonzero(~space[1:] & space[:-1]) + (not space[0]))


def _values(n: int) -> str:
    return f"{n} value" if n == 1 else f"{n} values"


def _is_number(cell: str) -> bool:
    return _CELL.fullmatch(cell.strip()) is not None


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].strip()
    return cell


def _is_name(cell: str) -> bool:
    # A letter is required so that "1,5" or a stray symbol is reported, not taken as a header.
    return not _is_number(cell) and any(ch.isalpha() or ch == "_" for ch in cell)


def _header_kind(line: str, delimiter: str | None) -> tuple[bool, bool]:
    """(is a header, has an index column) for the first row."""
    cells = (_unquote(c) for c in _cells(line, delimiter))
    corner = next(cells)
    if not (corner == "" or corner.startswith("Unnamed: ") or _is_name(corner)):
        return False, False
    all_names = pandas_default = True  # pandas names its columns 0, 1, 2, ...
    rest = 0
    for rest, cell in enumerate(cells, start=1):
        all_names = all_names and _is_name(cell)
        pandas_default = pandas_default and cell == str(rest - 1)
        if not (all_names or pandas_default):
            break
    if rest == 0:  # a single cell: a column title, never an index corner
        return corner != "", False
    if corner == "" or corner.startswith("Unnamed: "):
        # pandas writes an empty (or "Unnamed: 0") corner above its index column.
        return (True, True) if (all_names or pandas_default) else (False, False)
    if all_names:
        return True, False
    return (True, True) if pandas_default else (False, False)


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

    first_lineno, first = lines[0]
    header, index = _header_kind(first, delimiter)
    width = (_count(first, delimiter), first_lineno)
    if not header:
        return _numeric_rows(lines, name, delimiter, width, index, allow_nonfinite)
    if len(lines) == 1:
        raise InputError(
            f"{name}: row {first_lineno} {quote(first.strip())} looks like a header, "
            "but no rows of numbers follow it"
        )
    if width[0] - index == len(LONG_FORM_HEADER):
        names = [_unquote(c).lower() for c in _cells(first, delimiter)][index:]
        if names == list(LONG_FORM_HEADER):
            table = _numeric_rows(lines[1:], name, delimiter, width, index, True)
            return parse_long_form(table, [n for n, _ in lines[1:]], name, allow_nonfinite)
    return _numeric_rows(lines[1:], name, delimiter, width, index, allow_nonfinite)


def _first_bad_cell(
    text: str, lineno: int, first_col: int, name: str, delimiter: str | None
) -> InputError | None:
    for col, cell in enumerate(_cells(text, delimiter), start=first_col):
        if len(cell) > MAX_TEXT_CELL_CHARS or not _is_number(cell):
            return _bad_cell(cell, lineno, col, name, delimiter)
    return None


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
    too_long = re.compile(
        rf"\S{{{MAX_TEXT_CELL_CHARS + 1},}}"
        if delimiter is None
        else rf"[^{re.escape(delimiter)}]{{{MAX_TEXT_CELL_CHARS + 1},}}"
    )
    body = []
    for lineno, line in lines:
        count = _count(line, delimiter)
        if count != width:
            raise InputError(
                f"{name}: row {lineno} has {_values(count)} but row {first_lineno} has "
                f"{_values(width)}; every row needs the same number of values"
            )
        text = line.split(delimiter, 1)[1] if index else line
        # Only lines with a foreign character or a long run get checked cell by cell;
        # numpy's parser takes the rest whole.
        if not text.strip() or _FOREIGN.search(text) or too_long.search(text):
            error = _first_bad_cell(text, lineno, 1 + index, name, delimiter)
            if error is not None:
                raise error
        body.append(text)

    try:
        out = np.loadtxt(body, delimiter=delimiter, dtype=np.float64, ndmin=2, comments=None)
    except ValueError as err:
        # Characters were fine but the arrangement was not ("1.2.3", "e5", "1,,2").
        for (lineno, _), text in zip(lines, body, strict=True):
            error = _first_bad_cell(text, lineno, 1 + index, name, delimiter)
            if error is not None:
                raise error from None
        raise InputError(f"{name}: could not be read as numbers ({quote(str(err), 80)})") from None
    if out.shape != (len(body), width - index):  # numpy skipped or merged something
        raise InputError(f"{name}: could not be read as a {len(body)} x {width - index} table")
    if not allow_nonfinite:
        bad = np.argwhere(~np.isfinite(out))
        if len(bad):
            r, c = (int(v) for v in bad[0])
            lineno = lines[r][0]
            cell = next(itertools.islice(_cells(body[r], delimiter), c, None))
            raise InputError(
                f"{name}: row {lineno}, column {c + 1 + index}: {quote(cell)} is not a "
                "finite number; NaN and infinity are refused"
            )
    return out
