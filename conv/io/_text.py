"""Numeric matrices from CSV / TSV / TXT text, with errors that point at the cell.

Accepted layout: one matrix row per line; the delimiter is sniffed from the
first row (tab, then semicolon, then comma, else runs of whitespace, in which
tabs count as whitespace) or named by Excel's ``sep=;`` first line; blank
lines and everything from a ``#`` to the end of its line are skipped; one
trailing delimiter per row (``1,2,3,``) and double quotes around numbers
(``"1.5","2"``) are accepted. A header row and an index column written by
pandas or R (``DataFrame.to_csv()``, ``write.csv``) are recognised and
dropped: an empty or ``Unnamed: 0`` corner above an index; or a named first
column (``rename_axis``, ``index_label=``, ``set_index``) whose values are
labels, or exactly 0, 1, 2, ... (pandas' default index). A named first column
of other numbers is read as data, and :func:`read_text`'s notes say that it
may be an index. A file whose header is
exactly ``row,col,channel,value`` is the long form of an ``(H, W, C)`` array,
and one that is ``row,col,channel,filter,value`` that of a ``(KH, KW, C, F)``
filter bank (see :mod:`conv.io._long_form`).

One line gives a ``1 x N`` row and one value per line an ``N x 1`` column.
A header made only of plain numbers (``to_csv(index=False)``) cannot be told
from data, so it is read as data.

Speed: the text is cut into ~1 MB chunks; a chunk made only of number
characters goes to numpy's C parser whole, and only a chunk that fails is
walked line by line to name the bad cell. So a 20 MB file costs about a
second whether it has one line or ten million.
"""

from __future__ import annotations

import codecs
import io
import itertools
import math
import re
from collections.abc import Iterator

import numpy as np

from conv.io._errors import InputError, axes, quote
from conv.io._long_form import FILTER_LONG_FORM_HEADER, LONG_FORM_HEADER, parse_long_form
from conv.io.limits import MAX_CELLS, MAX_TEXT_CELL_CHARS

__all__ = ["read_text"]

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?i:nan|inf|infinity)"
# re.ASCII: Python's float() would also take "１" or "1_000"; a CSV must not.
_CELL = re.compile(_NUMBER, re.ASCII)
_TOKEN = re.compile(r"\S+")
_SEVERAL_TOKENS = re.compile(r"\S\s+\S")
_ASCII_WHITESPACE = np.frombuffer(b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", np.uint8)
_DELIMITER_NAMES = {"\t": "tab", ";": "';'", ",": "','", None: "whitespace"}

_CHUNK_CHARS = 2**20
_NUMBER_CHARS = r"0-9eE+\-.aAfFiInNtTyY"
# Per delimiter: a character no clean chunk contains, and a run too long for one number.
_FOREIGN = {
    d: re.compile(rf"[^{_NUMBER_CHARS} \n{extra}]")
    for d, extra in ((",", ","), (";", ";"), ("\t", "\t"), (None, "\t"))
}
_SEPARATOR_BYTES = {d: np.frombuffer(f"\n{d}".encode(), np.uint8) for d in (",", ";", "\t")}
_SEPARATOR_BYTES[None] = _ASCII_WHITESPACE
_BLANK_LINE = re.compile(r"^[ \t]*$", re.MULTILINE)
_INLINE_COMMENT = re.compile(r"[ \t]*#.*$", re.MULTILINE)
_QUOTED_NUMBER = re.compile(rf'"[ \t]*({_NUMBER})[ \t]*"', re.ASCII)
_MIXED_BLANKS = re.compile(r"[^\s] +[^\s]")
_EMPTY_TAB_CELL = re.compile(r"\t[ ]*\t|^[ ]*\t|\t[ ]*$", re.MULTILINE)
_SEP_LINE = re.compile(r'^[ \t]*"?sep=(.)"?[ \t]*$', re.IGNORECASE)
_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.MULTILINE)


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
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = bom + err.start
        raise InputError(
            f"{name}: is not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset}); "
            "save it as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


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
    elif delimiter is not None and _SEVERAL_TOKENS.search(text):
        hint = (
            f" (values inside it are separated by spaces, but the file's delimiter is "
            f"{_DELIMITER_NAMES[delimiter]}; use one delimiter throughout)"
        )
    return InputError(f"{where}: {quote(text)} is not a number{hint}")


def read_text(
    data: bytes,
    name: str,
    *,
    allow_nonfinite: bool = False,
    max_ndim: int = 3,
    notes: list[str] | None = None,
) -> np.ndarray:
    """Parse delimited numeric text into a float64 array; see the module docstring.

    A long form with more index columns than ``max_ndim`` is refused before
    its rows are parsed. What reading decided (a header or index skipped, a
    first column that may be an index) is appended to ``notes``.

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
    notes = [] if notes is None else notes
    text, forced = _tidy(_decode(data, name), notes)
    # The first row that is neither blank nor a comment sets delimiter, width and header.
    start = 0
    for first_lineno, first in _lines(text):  # noqa: B007 (both are used after the loop)
        if first.strip():
            break
        start += len(first) + 1
    else:
        raise InputError(f"{name}: has no numbers, only blank or comment lines")
    delimiter = forced or _delimiter(first)
    if delimiter == "":  # a single value: let the rest of the file decide
        rest = text[start + len(first) :]
        delimiter = next((d for d in ("\t", ";", ",") if d in rest), None)
    d = re.escape(delimiter or "")
    if delimiter and re.search(rf"[^\s{d}][ \t]*{d}[ \t]*$", first):
        # Spreadsheets often end every row with a delimiter: one is dropped per row.
        text = re.sub(rf"(?<=[^\s{d}])[ \t]*{d}[ \t]*$", "", text, flags=re.MULTILINE)
        first = text[start : text.find("\n", start) if "\n" in text[start:] else len(text)]
        notes.append(f"a trailing {_DELIMITER_NAMES[delimiter]} at the end of rows was ignored")
    header, index = _header_kind(first, delimiter)
    mixed = delimiter == "\t" and not (forced or header) and _MIXED_BLANKS.search(text)
    if mixed and not _EMPTY_TAB_CELL.search(text):
        delimiter = None  # no empty cells: read tabs and spaces alike as whitespace
        notes.append("tabs and spaces both separate values")
    named_first = (
        header
        and not index
        and _count(first, delimiter) > 1
        and _names_first_column(first, delimiter)
    )
    if named_first and not _is_number(_first_data_cell(text[start + len(first) + 1 :], delimiter)):
        index, named_first = True, False  # row labels below a named corner: set_index("name")
    width = _count(first, delimiter)
    layout = _Layout(name, delimiter, width, first_lineno, index, _delimiter(first) != "")
    if not header:
        out, _ = _parse_rows(text[start:], first_lineno, layout, allow_nonfinite, False)
        return out

    # One more cell than the longest header, so a longer header never matches.
    names = [_unquote(c).lower() for c in itertools.islice(_cells(first, delimiter), 7)]
    long_form = tuple(names[index:]) in (LONG_FORM_HEADER, FILTER_LONG_FORM_HEADER)
    ndim = len(names) - index - 1
    if long_form and ndim > max_ndim:
        raise InputError(
            f"{name}: row {first_lineno}: the header {','.join(names[index:])} is the long "
            f"form of a {ndim}-D array, but at most {max_ndim} dimensions, {axes(max_ndim)}, "
            "are accepted here"
        )
    body = text[start + len(first) + 1 :]
    table, linenos = _parse_rows(
        body, first_lineno + 1, layout, allow_nonfinite or long_form, long_form
    )
    if len(table) == 0:
        raise InputError(
            f"{name}: row {first_lineno} {quote(first.strip())} looks like a header, "
            "but no rows of numbers follow it"
        )
    notes.append(f"row {first_lineno} is a header: {quote(first.strip(), 60)}")
    if long_form:
        return parse_long_form(table, linenos, name, allow_nonfinite)
    label = quote(_unquote(next(_cells(first, delimiter))), 30)
    if index:
        what = "under an empty corner" if label == "''" else label
        notes.append(f"column 1 ({what}) holds row labels: dropped")
    elif named_first and table.shape[1] > 1:
        column = table[:, 0]
        if np.array_equal(column, np.arange(len(column))):
            notes.append(f"column 1 ({label}, holding 0, 1, 2, ...) is an index: dropped")
            return np.ascontiguousarray(table[:, 1:])
        if (column == np.round(column)).all() and len(np.unique(column)) == len(column):
            notes.append(
                f"column 1 ({label}) was read as data, but its distinct whole numbers "
                "may be an index; remove the column if so"
            )
    return table


def _tidy(text: str, notes: list[str]) -> tuple[str, str | None]:
    """Drop what spreadsheets add around the numbers; return the text and a named delimiter.

    Line numbers are kept: only text inside lines is removed.
    """
    forced = None
    first_end = text.find("\n")
    first_line = text if first_end < 0 else text[:first_end]
    if sep := _SEP_LINE.match(first_line):
        forced = sep.group(1)
        text = text[len(first_line) :]  # the line goes, its newline stays: rows keep numbers
        notes.append(f"Excel's {quote(first_line.strip())} line named the delimiter")
    if "#" in text:
        text = _INLINE_COMMENT.sub("", text)
    if '"' in text:
        text = _QUOTED_NUMBER.sub(r"\1", text)
    return text, forced


def _names_first_column(line: str, delimiter: str | None) -> bool:
    corner = _unquote(next(_cells(line, delimiter)))
    return _is_name(corner) and not corner.startswith("Unnamed: ")


def _first_data_cell(text: str, delimiter: str | None) -> str:
    for _, line in _lines(text):
        if line.strip():
            return _unquote(next(_cells(line, delimiter)))
    return ""


class _Layout:
    """What the first row decided: delimiter, values per row, index column."""

    def __init__(
        self, name: str, delimiter: str | None, width: int, lineno: int, index: bool, own: bool
    ) -> None:
        self.name, self.delimiter, self.width = name, delimiter, width
        self.lineno, self.index = lineno, index
        # Which row to cite in a mixed-delimiter message: the first row, if it had a delimiter.
        self.delimiter_from = f"row {lineno}" if own else "the other rows"


def _lines(text: str, lineno: int = 1) -> Iterator[tuple[int, str]]:
    """(line number, line) one at a time, without splitting the whole text."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield lineno, text[start:end]
        start, lineno = end + 1, lineno + 1
    yield lineno, text[start:]


def _chunks(text: str, lineno: int) -> Iterator[tuple[str, int]]:
    """About ``_CHUNK_CHARS`` of whole lines at a time, with the first line's number."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + _CHUNK_CHARS)
        end = len(text) if end < 0 else end
        chunk = text[start:end]
        yield chunk, lineno
        lineno += chunk.count("\n") + 1
        start = end + 1


def _parse_rows(
    text: str, lineno: int, layout: _Layout, allow_nonfinite: bool, want_linenos: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    parts, numbers, cells = [], [], 0
    for chunk, first in _chunks(text, lineno):
        part = _parse_fast(chunk, layout, allow_nonfinite, want_linenos)
        if part is None:
            part, linenos = _parse_careful(chunk, first, layout, allow_nonfinite)
        else:
            linenos = np.arange(first, first + len(part))
        numbers.append(linenos)
        cells += part.size
        if cells > MAX_CELLS:
            raise InputError(f"{layout.name}: has more than the limit of {MAX_CELLS} cells")
        parts.append(part)
    columns = layout.width - layout.index
    out = np.concatenate(parts) if parts else np.empty((0, columns))
    return out, (np.concatenate(numbers) if want_linenos and numbers else None)


def _parse_fast(
    chunk: str, layout: _Layout, allow_nonfinite: bool, one_row_per_line: bool
) -> np.ndarray | None:
    """The chunk parsed whole by numpy, or None when it needs the careful path.

    ``one_row_per_line`` refuses chunks with blank or comment lines, so that
    row ``i`` of the result is the chunk's line ``i``.
    """
    d = layout.delimiter
    core = chunk.rstrip("\n")
    if "#" in core:
        if one_row_per_line:
            return None
        core = _COMMENT_LINE.sub("", core)
    if one_row_per_line and _BLANK_LINE.search(core):
        return None
    if not core or core.isspace() or not core.isascii() or _FOREIGN[d].search(core):
        return None
    if _longest_run(core, d) > MAX_TEXT_CELL_CHARS:
        return None
    try:
        out = np.loadtxt(io.StringIO(core), delimiter=d, dtype=np.float64, ndmin=2, comments=None)
    except ValueError:
        return None
    if out.size == 0:
        return None
    if out.shape[1] != layout.width or not (allow_nonfinite or np.isfinite(out).all()):
        return None
    return np.ascontiguousarray(out[:, 1:]) if layout.index else out


def _nonfinite(cell: str, lineno: int, col: int, name: str) -> InputError:
    return InputError(
        f"{name}: row {lineno}, column {col}: {quote(cell)} is not a finite number; "
        "NaN and infinity are refused"
    )


def _longest_run(text: str, delimiter: str | None) -> int:
    """Length of the longest stretch of ASCII ``text`` between separators, in bulk."""
    codes = np.frombuffer(text.encode("ascii"), np.uint8)
    cuts = np.flatnonzero(np.isin(codes, _SEPARATOR_BYTES[delimiter]))
    edges = np.concatenate(([-1], cuts, [len(codes)]))
    return int(np.diff(edges).max()) - 1


def _first_bad_cell(
    text: str, lineno: int, first_col: int, layout: _Layout, allow_nonfinite: bool
) -> InputError | None:
    """The line's first bad cell, left to right, so every path reports the same one."""
    for col, cell in enumerate(_cells(text, layout.delimiter), start=first_col):
        if len(cell) > MAX_TEXT_CELL_CHARS or not _is_number(cell):
            return _bad_cell(cell, lineno, col, layout.name, layout.delimiter)
        if not allow_nonfinite and not math.isfinite(float(cell)):
            return _nonfinite(cell, lineno, col, layout.name)
    return None


def _parse_careful(
    chunk: str, lineno: int, layout: _Layout, allow_nonfinite: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Line by line, raising at the first problem with its row, column and text."""
    name, d, width, index = layout.name, layout.delimiter, layout.width, layout.index
    body, numbers = [], []
    for number, line in _lines(chunk, lineno):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        own = _delimiter(line)
        if own not in ("", d) and not (own == "\t" and d is None):
            raise InputError(
                f"{name}: row {number} is separated by {_DELIMITER_NAMES[own]} but "
                f"{layout.delimiter_from} by {_DELIMITER_NAMES[d]}; use one delimiter throughout"
            )
        count = _count(line, d)
        if count != width:
            raise InputError(
                f"{name}: row {number} has {_values(count)} but row {layout.lineno} has "
                f"{_values(width)}; every row needs the same number of values"
            )
        text = line.split(d, 1)[1] if index else line
        error = _first_bad_cell(text, number, 1 + index, layout, allow_nonfinite)
        if error is not None:
            raise error
        body.append(text)
        numbers.append(number)
    if not body:
        return np.empty((0, width - index)), np.empty(0, dtype=np.int64)
    try:
        out = np.loadtxt(body, delimiter=d, dtype=np.float64, ndmin=2, comments=None)
    except ValueError as err:
        raise InputError(f"{name}: could not be read as numbers ({quote(str(err), 80)})") from None
    if out.shape != (len(body), width - index):
        raise InputError(f"{name}: could not be read as a {len(body)} x {width - index} table")
    if not allow_nonfinite:
        bad = np.argwhere(~np.isfinite(out))
        if len(bad):
            r, c = (int(v) for v in bad[0])
            cell = next(itertools.islice(_cells(body[r], d), c, None))
            raise _nonfinite(cell, numbers[r], c + 1 + index, name)
    return out, np.array(numbers, dtype=np.int64)
