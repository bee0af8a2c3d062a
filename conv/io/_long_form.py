"""The long CSV form of an ``(H, W, C)`` array or a ``(KH, KW, C, F)`` filter bank.

One line per cell: ``row,col,channel,value`` for three dimensions,
``row,col,channel,filter,value`` for four. Indices are 0-based, as numpy's;
every index tuple of the ``(max_row + 1, max_col + 1, ...)`` grid must appear
exactly once, in any order.
"""

from __future__ import annotations

import math

import numpy as np

from conv.io._errors import InputError
from conv.io.limits import MAX_CELLS

__all__ = ["FILTER_LONG_FORM_HEADER", "LONG_FORM_HEADER", "parse_long_form"]

LONG_FORM_HEADER = ("row", "col", "channel", "value")
FILTER_LONG_FORM_HEADER = ("row", "col", "channel", "filter", "value")


def parse_long_form(
    table: np.ndarray, linenos: list[int], name: str, allow_nonfinite: bool
) -> np.ndarray:
    """Fill an array from an ``(N, ndim + 1)`` table of index columns and a value column.

    Examples
    --------
    >>> table = np.array([[0, 0, 0, 1.5], [0, 0, 1, 2.5], [0, 1, 0, 3.5], [0, 1, 1, 4.5]])
    >>> parse_long_form(table, [2, 3, 4, 5], "long.csv", False)[0]
    array([[1.5, 2.5],
           [3.5, 4.5]])
    >>> bank = np.array([[0, 0, 0, 0, 1.0], [0, 0, 0, 1, 2.0]])
    >>> parse_long_form(bank, [2, 3], "bank.csv", False).shape
    (1, 1, 1, 2)
    """
    ndim = table.shape[1] - 1
    labels = FILTER_LONG_FORM_HEADER[:ndim] if ndim == 4 else LONG_FORM_HEADER[:ndim]
    index = table[:, :ndim]
    for k, label in enumerate(labels):
        column = index[:, k]
        bad = np.flatnonzero(~np.isfinite(column) | (column < 0) | (column != np.round(column)))
        if len(bad):
            raise InputError(
                f"{name}: row {linenos[bad[0]]}, column {k + 1}: {label} must be a whole "
                f"number >= 0, got {float(column[bad[0]])!r}"
            )
        if column.max() >= MAX_CELLS:
            raise InputError(
                f"{name}: row {linenos[int(column.argmax())]}: {label} {int(column.max())} "
                f"is beyond the limit of {MAX_CELLS} cells"
            )
    idx = index.astype(np.int64)
    shape = tuple(int(v) + 1 for v in idx.max(axis=0))
    cells = math.prod(shape)
    if cells > MAX_CELLS:
        raise InputError(
            f"{name}: the indices span shape {shape}, {cells} cells, more than the limit "
            f"of {MAX_CELLS}"
        )
    names = f"({', '.join(labels)})"
    flat = np.ravel_multi_index(idx.T, shape)
    seen = np.zeros(cells, dtype=bool)
    order = np.argsort(flat, kind="stable")
    dup = np.flatnonzero(flat[order][1:] == flat[order][:-1])
    if len(dup):
        second = order[dup[0] + 1]
        raise InputError(
            f"{name}: row {linenos[second]}: {names} = "
            f"{tuple(int(v) for v in idx[second])} appears twice"
        )
    seen[flat] = True
    if not seen.all():
        missing = np.unravel_index(int(np.argmin(seen)), shape)
        raise InputError(
            f"{name}: has {len(flat)} cells but its indices span shape {shape}; "
            f"{names} = {tuple(int(v) for v in missing)} is missing"
        )
    values = table[:, ndim]
    if not allow_nonfinite and not np.isfinite(values).all():
        k = int(np.argmin(np.isfinite(values)))
        raise InputError(
            f"{name}: row {linenos[k]}, column {ndim + 1}: {float(values[k])!r} is not a finite "
            "number; NaN and infinity are refused"
        )
    out = np.empty(cells, dtype=np.float64)
    out[flat] = values
    return out.reshape(shape)
