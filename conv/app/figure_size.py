"""How large figures are drawn, in pixels: cell size, panels per row, room on the page.

Cells are square and at most :data:`MAX_CELL_PIXELS` wide, so a 5x5 array is
drawn as compactly as it is read, while larger arrays fill the width they are
given. Everything here is arithmetic on shapes; :mod:`conv.app.figures` draws.

Examples
--------
>>> cell_pixels((5, 5)), cell_pixels((64, 64)) < MAX_CELL_PIXELS
(48, True)
"""

from __future__ import annotations

import math
from typing import NamedTuple

from conv.app.limits import MAX_DRAWN_CELLS

__all__ = [
    "KERNEL_CELL_PIXELS",
    "MAX_CELLS_HEIGHT",
    "MAX_CELL_PIXELS",
    "MAX_FILTERS",
    "MAX_PANELS",
    "WIDTH",
    "CoreLoop",
    "cell_pixels",
    "core_loop",
    "drawn_step",
    "drawn_width",
    "kernel_columns",
    "label_font",
    "output_width",
    "panels_per_row",
    "small_multiples_height",
    "tick_step",
]

#: Pixels across the app's main area on a 1400 px wide window (sidebar open).
WIDTH = 940
#: Widest cell drawn: a 5x5 array stays a compact, readable matrix.
MAX_CELL_PIXELS = 48
#: Widest filter cell: filters are a few taps, shown next to the output.
KERNEL_CELL_PIXELS = 32
# Tallest block of cells per figure, so a tall array does not fill the page.
MAX_CELLS_HEIGHT = 600
# Output cells narrower than this do not print their values: an output shares
# its row with the filter only if it keeps them (or cannot have them anyway).
READABLE_PIXELS = 24
# Most channel panels in a figure; more channels are left out (the title says so).
MAX_PANELS = 8
#: Most output filters drawn: all the filters the app lets a visitor make.
MAX_FILTERS = 16
#: Smallest filter cell before a bank's filters are drawn a few at a time.
MIN_KERNEL_CELL = 12
#: Narrowest panel of a many-filter output before it wraps to a taller figure.
MIN_PANEL = 48
#: Widest character of a panel name (12 px sans-serif), for room arithmetic.
NAME_CHAR = 7.2
# Margins round the cells (row numbers left, colour bar right) and the gaps
# between panels (the next panel's row numbers; its name and column numbers).
LEFT, RIGHT, BOTTOM = 40, 80, 12
GAP_X, GAP_Y = 44, 62
# Room for a figure's title line and the column numbers on top.
TITLE_LINE, TOP = 20, 48
NAME = 22  # a panel's name above its column numbers
MIN_WIDTH = 230  # so a 2x2 figure still has room for its title
MIN_BAR = 140  # px, the shortest colour bar
ROW_COST = 0.8  # a further row of panels must draw cells 1/0.8 times larger


def drawn_step(shape: tuple[int, int], max_cells: int = MAX_DRAWN_CELLS) -> int:
    """Smallest n such that every n-th row and column fits in ``max_cells``.

    Examples
    --------
    >>> drawn_step((100, 100), 10_000), drawn_step((1024, 1024), 250_000)
    (1, 3)
    """
    h, w = shape
    step = max(1, math.isqrt(max(h * w // max(max_cells, 1), 1)))
    while math.ceil(h / step) * math.ceil(w / step) > max_cells:
        step += 1
    return step


def cell_pixels(
    shape: tuple[int, int],
    panels: int = 1,
    per_row: int | None = None,
    *,
    max_width: float = WIDTH,
    max_cell: float = MAX_CELL_PIXELS,
    max_height: float = MAX_CELLS_HEIGHT,
) -> float:
    """Width in pixels of one cell when ``panels`` of ``shape`` cells fit ``max_width``.

    ``shape`` is the drawn (rows, cols) of one panel; ``per_row`` panels sit
    side by side (by default as many as give the largest cells, see
    :func:`panels_per_row`), the rest wrap to further rows.

    Examples
    --------
    >>> cell_pixels((5, 5)), round(cell_pixels((33, 33), 3), 1)
    (48, 7.5)
    """
    sizes = {"max_width": max_width, "max_cell": max_cell, "max_height": max_height}
    per_row = min(per_row or panels_per_row(shape, panels, **sizes), panels)
    n_rows = math.ceil(panels / per_row)
    across = (max_width - LEFT - RIGHT - (per_row - 1) * GAP_X) / (per_row * shape[1])
    down = (max_height - (n_rows - 1) * GAP_Y) / (n_rows * shape[0])
    return max(min(max_cell, across, down), 0.5)


def panels_per_row(
    shape: tuple[int, int],
    panels: int,
    *,
    max_width: float = WIDTH,
    max_cell: float = MAX_CELL_PIXELS,
    max_height: float = MAX_CELLS_HEIGHT,
) -> int:
    """How many panels of ``shape`` cells to put side by side for the largest cells.

    Wide panels wrap early, narrow ones sit many to a row. Each further row
    of panels must buy cells 25% larger: a second row costs a lot of height
    (three 33x33 channels stay in one row rather than draw 10% larger as 2 + 1).

    Examples
    --------
    >>> panels_per_row((10, 10), 5), panels_per_row((40, 12), 5), panels_per_row((64, 64), 2)
    (3, 5, 2)
    """
    sizes = {"max_width": max_width, "max_cell": max_cell, "max_height": max_height}

    def worth(n: int) -> tuple[float, int]:
        rows = math.ceil(panels / n)
        return (round(cell_pixels(shape, panels, n, **sizes) * ROW_COST ** (rows - 1), 6), n)

    return max(range(1, panels + 1), key=worth)


def drawn_width(width: float) -> float:
    """The width (px) to draw a page's figures for, when its main area is ``width`` px wide.

    Figures are drawn for :data:`WIDTH` and shrunk by the browser if that
    takes at most 15 % off (a laptop keeps three input channels in a row);
    a narrower screen gets figures drawn for it, since a larger shrink
    leaves fonts as they were and lets the printed values overlap.

    Examples
    --------
    >>> drawn_width(820), drawn_width(560), drawn_width(1460)
    (940, 560, 940)
    """
    return WIDTH if width >= 0.85 * WIDTH else width


def output_width(
    shape: tuple[int, ...], beside: float, *, width: float = WIDTH, gap: float = 16
) -> float:
    """The ``max_width`` for an output of ``shape`` drawn after a ``beside`` px wide filter.

    The room next to the filter when the output's cells stay readable there
    (or are as large as they get anyway); otherwise the whole ``width``, so a
    large or many-filter output gets a row of its own instead of being drawn
    tiny.

    Examples
    --------
    >>> output_width((15, 15), beside=300), output_width((64, 64, 2), beside=350)
    (624, 940)
    """
    filters = min(shape[2] if len(shape) == 3 else 1, MAX_FILTERS)
    step = drawn_step(shape[:2], max(MAX_DRAWN_CELLS // filters, 1))
    drawn = (math.ceil(shape[0] / step), math.ceil(shape[1] / step))
    room = width - beside - gap
    there = cell_pixels(drawn, filters, max_width=room)
    alone = cell_pixels(drawn, filters, max_width=width)
    return room if there >= min(alone, READABLE_PIXELS) else width


def small_multiples_height(shape: tuple[int, int], panels: int, max_width: float = WIDTH) -> float:
    """Height (px) that ``panels`` of ``shape`` cells need to be drawn :data:`MIN_PANEL` wide.

    Many filters in a short room would otherwise be laid out in one row of
    specks; a page may raise its height limit to this, and the figure wraps.

    Examples
    --------
    >>> small_multiples_height((30, 30), 16, 358), small_multiples_height((30, 30), 1, 358)
    (598, 48)
    """
    per_row = max(1, int((max_width - LEFT - RIGHT + GAP_X) // (MIN_PANEL + GAP_X)))
    n_rows = math.ceil(panels / per_row)
    return round(n_rows * MIN_PANEL * shape[0] / shape[1] + (n_rows - 1) * GAP_Y)


def kernel_columns(
    taps: int, columns: int, max_width: float = WIDTH, min_cell: float = MIN_KERNEL_CELL
) -> int:
    """How many of ``columns`` panels ``taps`` cells wide fit side by side in ``max_width``.

    Each keeps cells of at least ``min_cell`` pixels, so a bank of
    filters is drawn a few at a time rather than as unreadable specks; at
    least one column is always drawn.

    Examples
    --------
    >>> kernel_columns(3, 16, 300), kernel_columns(3, 4), kernel_columns(63, 2, 300)
    (2, 4, 1)
    """
    room = max_width - LEFT - RIGHT + GAP_X
    return max(1, min(columns, int(room // (taps * min_cell + GAP_X))))


#: Smallest and largest font (px) for values printed in cells.
MIN_FONT, MAX_FONT = 8, 13
# A digit is about this many font sizes wide in plotly's sans-serif; labels
# keep this many pixels clear of the cell's edges, so neighbours never touch.
CHAR_WIDTH, LABEL_MARGIN = 0.56, 3


def label_font(cell: float, chars: int) -> float | None:
    """Font size (px) at which ``chars`` characters fit a ``cell`` px wide cell, or None.

    The text scales with the cell and is left out when it would be smaller
    than :data:`MIN_FONT`: hidden values, never overlapping ones.

    Examples
    --------
    >>> label_font(48, 5), label_font(30, 5), label_font(16, 5)
    (13, 9.6, None)
    """
    size = min(MAX_FONT, (cell - LABEL_MARGIN) / (max(chars, 1) * CHAR_WIDTH))
    size = min(size, cell * 0.6)  # and fits the cell's height
    return round(size, 1) if size >= MIN_FONT else None


class CoreLoop(NamedTuple):
    """Widest figures (px) of the Convolve page's cell view, and the tallest cell blocks."""

    input: float
    kernel: float
    side: float  # the products column beside the output (0: below it)
    row_height: float  # input and filter cells
    output_height: float


def core_loop(width: float, channels: int = 1) -> CoreLoop:
    """How the main area's ``width`` is shared so output, window and products fit one screen.

    The input (zoomed round the window) and the filter share the first row;
    the output follows with the products beside it when at least 700 px are
    there. On a phone every figure gets the whole width. Below 900 px
    several input channels share a short first row, so the output still
    starts on the first screen of a laptop.

    Examples
    --------
    >>> core_loop(820, channels=3)
    CoreLoop(input=508.4, kernel=295.6, side=300, row_height=100, output_height=315)
    >>> core_loop(358).side
    0
    """
    if width < 600:
        return CoreLoop(width, width, 0, 240, min(width, 420))
    share = round(min(0.62 * width, 760), 1)
    # A wider screen is a taller one too: the output may grow with it.
    output = 315 if width < 900 else MAX_CELLS_HEIGHT
    row = 100 if width < 900 and channels > 1 else 240
    return CoreLoop(share, round(width - share - 16, 1), 300 if width >= 700 else 0, row, output)


def tick_step(pixels_per_index: float) -> int:
    """Index step between row or column numbers drawn ``pixels_per_index`` apart.

    Whole numbers only (cells have integer indices): every cell when cells
    are wide, else far enough apart that the numbers do not touch.

    Examples
    --------
    >>> tick_step(48), tick_step(7.5), tick_step(0.9)
    (1, 5, 50)
    """
    steps = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
    return next((t for t in steps if t * pixels_per_index >= 32), 10_000)
