"""What the pages say in words about a result: shape arithmetic, dropped rows, non-finite cells.

Examples
--------
>>> shape_line("rows", size=33, before=0, after=0, kernel=5, stride=2, dilation=1, out=15)
'**rows**: ⌊(33 + 0 − 5)/2⌋ + 1 = **15** &nbsp;·&nbsp; padding 0 before, 0 after'
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "COLORS_HELP",
    "FORMULA",
    "GLOSSARY",
    "LEGEND",
    "ZOOM_NOTE",
    "click_note",
    "line_runs",
    "nonfinite_note",
    "shape_line",
    "shape_lines",
    "unread_note",
]

LEGEND = (
    "**Key** — black squares: the taps of the explained window on input cells; "
    ":orange[**orange squares**]: taps on padding; grey hatching: padding (not part of the "
    "input); crossed out: input rows or columns no window reads; thick black square in the "
    "output: the cell explained. Values are printed at 3 significant digits where they fit "
    "(hover for 6)."
)
ZOOM_NOTE = (
    "A large output is drawn whole as an image, where a click moves the zoom, and zoomed "
    "round the explained cell, where every cell is drawn with its value and a click "
    "explains exactly that cell (or type its row and col)."
)
COLORS_HELP = (
    "auto: red–blue centred at 0 for signed data, viridis for non-negative data (images). "
    "red–blue, viridis and cividis are safe for the common colour-vision deficiencies; "
    "cividis is designed for them."
)
FORMULA = (
    "out[i, j, f] = Σ_m Σ_n Σ_c x[i·s + m·d − p, j·s + n·d − p, c] · w[m, n, c, f]  "
    "(cross-correlation; with *true convolution* w is turned 180° first)\n\n"
    "size: out = ⌊(in + p_before + p_after − (d·(k − 1) + 1)) / s⌋ + 1, per axis"
)
GLOSSARY = """\
- **stride** *s*: how far the window moves between neighbouring output cells; stride 2 halves
  the output.
- **dilation** *d*: the gap between the taps a filter reads; a 3×3 filter with dilation 2
  covers 5×5 input cells with 9 taps.
- **padding** *p*: cells added round the input (hatched) so windows can sit on the edge;
  *valid* adds none, *same* keeps the size at stride 1, *full* lets every tap touch every cell.
- **pad modes**: what the added cells hold — *zeros*; *reflect* mirrors the input without
  repeating the edge; *replicate* repeats the edge; *circular* wraps round to the other side.
"""


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


def click_note(out_shape: tuple[int, ...], step: int) -> str | None:
    """How a click on a sampled output maps to a cell, or None when every cell is drawn.

    Examples
    --------
    >>> print(click_note((1018, 1018), 11))
    The output has 1018 × 1018 cells and 1 in 11 rows and columns can be clicked: ...
    """
    if step <= 1:
        return None
    return (
        f"The output has {out_shape[0]} × {out_shape[1]} cells and 1 in {step} rows and "
        "columns can be clicked: a click picks the nearest of those. Any other cell: type "
        "its row and column beside the figures (the input view then zooms to its window)."
    )


def clamped_note(chosen: tuple[int, int], shown: tuple[int, int], out_shape) -> str | None:
    """Why the explained cell is not the one typed in, or None when it is.

    The typed cell stays as it was, so the output growing again (a smaller
    stride, say) brings it back.

    Examples
    --------
    >>> print(clamped_note((3, 5), (0, 0), (1, 1)))
    Cell (3, 5) is past this 1 × 1 output: explaining (0, 0), its nearest cell, ...
    >>> clamped_note((1, 2), (1, 2), (3, 3)) is None
    True
    """
    if tuple(chosen) == tuple(shown):
        return None
    return (
        f"Cell {tuple(chosen)} is past this {out_shape[0]} × {out_shape[1]} output: "
        f"explaining {tuple(shown)}, its nearest cell, until the output reaches "
        f"{tuple(chosen)} again."
    )


def unread_note(rows: np.ndarray, cols: np.ndarray) -> str | None:
    """A sentence on the input rows and columns that no tap of any window reads, or None.

    Examples
    --------
    >>> print(unread_note(np.array([5]), np.array([1, 3, 4, 5, 9])))
    No window reads input row 5 and columns 1, 3–5, 9 (drawn crossed out on the input): ...
    """
    if not len(rows) and not len(cols):
        return None
    parts = [
        f"{word if len(lines) == 1 else word + 's'} {_runs(lines)}"
        for word, lines in (("row", rows), ("column", cols))
        if len(lines)
    ]
    return (
        f"No window reads input {' and '.join(parts)} (drawn crossed out on the input): the "
        "stride steps over them, a dilated kernel reads between them, or the last window "
        "stops before them (floor rounding). They do not change the output."
    )


def line_runs(lines) -> list[list[int]]:
    """Sorted indices as ``[first, last]`` runs of consecutive ones.

    Examples
    --------
    >>> line_runs([1, 3, 4, 5, 9])
    [[1, 1], [3, 5], [9, 9]]
    """
    runs: list[list[int]] = []
    for line in (int(v) for v in lines):
        if runs and line == runs[-1][1] + 1:
            runs[-1][1] = line
        else:
            runs.append([line, line])
    return runs


def _runs(lines: np.ndarray, most: int = 8) -> str:
    """Sorted indices as runs: ``1, 3–5, 9``; long lists end with how many more."""
    runs = line_runs(lines)
    text = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:most])
    return text + (f" and {len(runs) - most} more runs" if len(runs) > most else "")


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
