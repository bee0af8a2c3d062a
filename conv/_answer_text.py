"""Read an answer typed or pasted as text: one output row per line, NaN where not given."""

from __future__ import annotations

import re

import numpy as np

_BLANK = {"", "?", "nan"}
# Pasted from PDFs and word processors: typographic minus signs.
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})


def _fields(line: str) -> list[str]:
    # With commas or tabs an empty field is a blank cell; otherwise spaces separate.
    line = line.strip().strip("[]").rstrip(",").strip().strip("[]")
    if "," in line or "\t" in line:
        return [f.strip() for f in re.split(r"[,\t]", line)]
    return line.split()


def parse_answer(text: str) -> np.ndarray:
    """Turn pasted text into a float array for :func:`conv.check_answer`.

    One output row per line; numbers separated by spaces, commas or tabs.
    A ``?``, ``nan`` or an empty field between commas or tabs marks a cell
    not given (NaN); short rows are filled with NaN on the right. Blank
    lines and the brackets of a pasted Python list are ignored.

    Parameters
    ----------
    text : str

    Returns
    -------
    numpy.ndarray
        2-D float64, rows x the longest row's length.

    Raises
    ------
    ValueError
        If the text holds no values, or a field is not a finite number
        (naming its row and column, counted from 1).

    Examples
    --------
    >>> parse_answer("1.64 -3.22 ? 5.48")
    array([[ 1.64, -3.22,   nan,  5.48]])
    >>> parse_answer("0.9, 4.15, 4.47\\n7.74,,0.74\\n-1.6")
    array([[ 0.9 ,  4.15,  4.47],
           [ 7.74,   nan,  0.74],
           [-1.6 ,   nan,   nan]])
    >>> parse_answer("1 2\\n3 x")
    Traceback (most recent call last):
    ...
    ValueError: answer row 2, column 2: 'x' is not a number
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    rows = []
    for number, line in enumerate(text.translate(_MINUS).splitlines(), start=1):
        fields = _fields(line)
        if not any(fields):
            continue
        row = []
        for column, field in enumerate(fields, start=1):
            if field.lower() in _BLANK:
                row.append(np.nan)
                continue
            try:
                value = float(field)
            except ValueError:
                raise ValueError(
                    f"answer row {number}, column {column}: {field!r} is not a number"
                ) from None
            if not np.isfinite(value):
                raise ValueError(
                    f"answer row {number}, column {column}: {field!r} is not a finite number"
                )
            row.append(value)
        rows.append(row)
    if not rows or all(np.isnan(v) for row in rows for v in row):
        raise ValueError(f"text must hold at least one number, got {text[:40]!r}")
    out = np.full((len(rows), max(map(len, rows))), np.nan)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out
