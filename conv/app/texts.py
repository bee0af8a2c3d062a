"""What the pages say in words about a result: shape arithmetic, dropped rows, non-finite cells.

Examples
--------
>>> shape_line("rows", size=33, before=0, after=0, kernel=5, stride=2, dilation=1, out=15)
'**rows**: ⌊(33 + 0 − 5)/2⌋ + 1 = **15** &nbsp;·&nbsp; padding 0 before, 0 after'
"""

from __future__ import annotations

import numpy as np

__all__ = ["nonfinite_note", "shape_line", "shape_lines", "unreached_note"]


def shape_line(
    axis: str, *, size: int, before: int, after: int, kernel: int, stride: int, dilation: int,
    out: int,
) -> str:  # fmt: skip
    """The output-size formula for one axis, with the user's numbers."""
    span = dilation * (kernel - 1) + 1
    span_text = f"{span}" if dilation == 1 else f"({dilation}·({kernel}−1)+1)"
    return (
        f"**{axis}**: ⌊({size} + {before + after} − {span_text})/{stride}⌋ + 1 = **{out}**"
        f" &nbsp;·&nbsp; padding {before} before, {after} after"
    )


def shape_lines(result) -> list[str]:
    """Both axes of a :class:`conv.app.result.Result`."""
    s, x, k = result.settings, result.x, result.kernel
    lines = []
    for axis, i in (("rows", 0), ("cols", 1)):
        before, after = result.pads[i]
        lines.append(
            shape_line(
                axis,
                size=x.shape[i],
                before=before,
                after=after,
                kernel=k.shape[i],
                stride=s.stride[i],
                dilation=s.dilation[i],
                out=result.out.shape[i],
            )
        )
    return lines


def unreached_note(rows: int, cols: int) -> str | None:
    """A sentence on input rows/columns that no window reaches, or None."""
    if not rows and not cols:
        return None
    return (
        f"The window never reaches the last {rows} row(s) and {cols} column(s) of the "
        "input: the stride does not divide the remaining span (floor rounding)."
    )


def nonfinite_note(out: np.ndarray, x: np.ndarray, kernel: np.ndarray) -> str | None:
    """Which output cells are infinite or NaN and why, or None when all are finite.

    Examples
    --------
    >>> out = np.array([[1.0, np.inf], [2.0, 3.0]])
    >>> print(nonfinite_note(out, np.ones((3, 3)), np.ones((2, 2))))
    1 of 4 output cells is not a finite number: (0, 1). The input and filter are finite, ...
    """
    bad = ~np.isfinite(out)
    count = int(bad.sum())
    if not count:
        return None
    where = np.argwhere(bad)[:5]
    cells = ", ".join("(" + ", ".join(map(str, c)) + ")" for c in where)
    more = f" and {count - len(where)} more" if count > len(where) else ""
    verb = "is" if count == 1 else "are"
    if np.isfinite(x).all() and np.isfinite(kernel).all():
        largest = float(np.finfo(out.dtype).max)
        why = (
            "The input and filter are finite, so the products or their sum overflowed: they "
            f"exceed {largest:.3g}, the largest {out.dtype} number. Scale the values down."
        )
    else:
        why = "The input or filter holds infinite or NaN values, and every window with one does."
    return f"{count} of {out.size} output cells {verb} not a finite number: {cells}{more}. {why}"
