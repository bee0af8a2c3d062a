"""Receptive fields: which cells of every earlier map one output cell depends on.

Every supported layer's dependence is a product of a row relation and a
column relation (a kernel is a full rectangle of taps), so the cells reached
are exactly (reached rows) x (reached cols), and each axis is traced back on
its own as a set of indices. Sets, not intervals, because dilation, strides
larger than the kernel and transposed convolutions leave gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from conv._geometry import _is_int
from conv._layers import SPATIAL, AxisWindow, Conv2d, ConvTranspose2d
from conv._padding import source_index
from conv._trace import Trace


@dataclass(frozen=True)
class FieldAtMap:
    """The receptive field on one feature map.

    ``map_index`` 0 is the stack's input and ``i + 1`` the output of layer
    ``i``. ``rows`` and ``cols`` bound the reached cells (clipped to the map);
    ``reached_rows`` x ``reached_cols`` are the cells actually reached;
    ``padded_rows`` / ``padded_cols`` span the taps of the next layer's windows
    before clipping, so a start below 0 or a stop past the size means the
    windows use that many padding cells. ``channels`` are the channels reached.
    """

    map_index: int
    shape: tuple[int, int]
    rows: range
    cols: range
    padded_rows: range
    padded_cols: range
    reached_rows: tuple[int, ...]
    reached_cols: tuple[int, ...]
    channels: range

    @property
    def size(self) -> tuple[int, int]:
        return (len(self.rows), len(self.cols))

    @property
    def dense(self) -> bool:
        """True when every cell of the rectangle is reached (no dilation gaps)."""
        return len(self.reached_rows) * len(self.reached_cols) == len(self.rows) * len(self.cols)


@dataclass(frozen=True)
class ReceptiveField:
    """What :func:`conv.receptive_field` found for one output cell.

    ``maps`` runs from the input (``maps[0]``) to the cell's own map.
    ``jump`` is the input distance between neighbouring cells of the layer's
    output and ``offset`` the input position of output cell (0, 0)'s centre
    (both exact fractions; None after an adaptive pool with uneven windows).
    ``unbounded_size`` is the field's (rows, cols) extent if the input had no
    borders, the number receptive-field calculators report.
    """

    layer: int
    cell: tuple[int, int]
    channel: int | None
    maps: tuple[FieldAtMap, ...]
    jump: tuple[Fraction | None, Fraction | None]
    offset: tuple[Fraction | None, Fraction | None]
    unbounded_size: tuple[int, int]


def _span(values: np.ndarray) -> range:
    return range(int(values.min()), int(values.max()) + 1) if values.size else range(0)


def _back(win: AxisWindow | None, cells: np.ndarray, n: int, bounded: bool):
    """Input indices that output indices ``cells`` depend on, and the unclipped tap span."""
    if win is None:
        return cells, _span(cells)
    taps = np.arange(win.kernel) * win.dilation
    if win.kind in ("conv", "pool"):
        pos = (cells[:, None] * win.stride - win.before + taps).ravel()
        span = _span(pos)
        if bounded:
            # Zero and pooling padding hold constants; the other modes copy real cells.
            if win.kind == "conv" and win.pad_mode != "zeros":
                pos = source_index(pos, n, win.pad_mode)
            pos = pos[(pos >= 0) & (pos < n)]
    elif win.kind == "transposed":
        shifted = (cells[:, None] + win.before - taps).ravel()
        pos = shifted[shifted % win.stride == 0] // win.stride
        span = _span(pos)
        if bounded:
            pos = pos[(pos >= 0) & (pos < n)]
    else:
        out = n if win.target is None else win.target
        starts, stops = (cells * n) // out, -((-(cells + 1) * n) // out)
        pieces = [np.arange(a, b) for a, b in zip(starts, stops, strict=True)]
        pos = np.concatenate(pieces) if pieces else cells
        span = _span(pos)
    return np.unique(pos), span


def _back_channels(layer, channels: range) -> range:
    if not isinstance(layer, (Conv2d, ConvTranspose2d)) or not channels:
        return channels
    per_out = layer.out_channels // layer.groups
    per_in = layer.in_channels // layer.groups
    first, last = channels.start // per_out, (channels.stop - 1) // per_out
    return range(first * per_in, (last + 1) * per_in)


def _jumps(trace: Trace, layer: int, axis: int) -> tuple[Fraction | None, Fraction | None]:
    jump, offset = Fraction(1), Fraction(0)
    for row in trace.rows[: layer + 1]:
        if not isinstance(row.layer, SPATIAL):
            continue
        win, n = row.layer.window(axis), row.in_shape[2 + axis]
        if win.kind == "adaptive":
            out = n if win.target is None else win.target
            if n % out:
                return None, None
            win = AxisWindow("pool", n // out, n // out)
        half = Fraction(win.dilation * (win.kernel - 1), 2)
        if win.kind == "transposed":  # output o sits at input (o + p - half) / s
            offset += jump * (win.before - half) / win.stride
            jump /= win.stride
        else:
            offset += jump * (half - win.before)
            jump *= win.stride
    return jump, offset


def receptive_field(
    trace: Trace, layer: int, row: int, col: int, channel: int | None = None
) -> ReceptiveField:
    """The cells of the input and of every earlier map that one output cell depends on.

    Parameters
    ----------
    trace : Trace
        From :func:`conv.trace_layers`.
    layer : int
        Index of a layer that ran and whose output still has (H, W) axes;
        negative counts from the end.
    row, col : int
        The output cell.
    channel : int, optional
        One output channel; None (default) for all of them. Only grouped
        convolutions make the answer depend on it.

    Examples
    --------
    >>> from conv import trace_layers
    >>> from conv.layers import Conv2d
    >>> t = trace_layers([Conv2d(1, 1, 3, padding=1), Conv2d(1, 1, 3, dilation=2)], (1, 8, 8))
    >>> rf = receptive_field(t, 1, 0, 0)
    >>> rf.maps[0].rows, rf.maps[0].padded_rows, rf.unbounded_size
    (range(0, 6), range(-1, 6), (7, 7))
    >>> rf.maps[1].reached_rows
    (0, 2, 4)
    """
    n_rows = len(trace.rows)
    if not _is_int(layer) or not -n_rows <= layer < n_rows:
        raise ValueError(f"layer must index one of the {n_rows} layers that ran, got {layer!r}")
    layer = int(layer) % n_rows
    chain = trace.rows[: layer + 1]
    if any(len(r.in_shape) != 4 or len(r.out_shape) != 4 for r in chain):
        raise ValueError(
            f"layer {layer} ({chain[-1].name}) has no (H, W) map: a cell after Flatten or "
            "Linear depends on the whole input"
        )
    _, c_out, h_out, w_out = chain[-1].out_shape
    for name, value, size in (("row", row, h_out), ("col", col, w_out)):
        if not _is_int(value) or not 0 <= value < size:
            raise ValueError(f"{name} must be from 0 to {size - 1}, got {value!r}")
    if channel is not None and (not _is_int(channel) or not 0 <= channel < c_out):
        raise ValueError(f"channel must be None or from 0 to {c_out - 1}, got {channel!r}")
    cells = [np.array([row]), np.array([col])]
    free = [np.array([row]), np.array([col])]  # the same cell with no borders anywhere
    spans = [range(row, row + 1), range(col, col + 1)]
    channels = range(c_out) if channel is None else range(channel, channel + 1)
    maps = []
    for index in range(layer + 1, -1, -1):
        shape = (chain[index - 1].out_shape if index else chain[0].in_shape)[2:]
        maps.append(
            FieldAtMap(index, shape, *map(_span, cells), *spans, *map(_as_tuple, cells), channels)
        )
        if index == 0:
            break
        r = chain[index - 1]
        for axis in (0, 1):
            win = r.layer.window(axis) if isinstance(r.layer, SPATIAL) else None
            n = r.in_shape[2 + axis]
            cells[axis], spans[axis] = _back(win, cells[axis], n, True)
            free[axis] = _back(win, free[axis], n, False)[0]
        channels = _back_channels(r.layer, channels)
    jumps = [_jumps(trace, layer, axis) for axis in (0, 1)]
    return ReceptiveField(
        layer,
        (int(row), int(col)),
        channel,
        tuple(reversed(maps)),
        (jumps[0][0], jumps[1][0]),
        (jumps[0][1], jumps[1][1]),
        (len(_span(free[0])), len(_span(free[1]))),
    )


def _as_tuple(cells: np.ndarray) -> tuple[int, ...]:
    return tuple(int(v) for v in cells)
