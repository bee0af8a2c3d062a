"""The Layer stack page's work, each piece bounded before it starts.

Layer text is capped in length and layers before and after parsing, the input
sizes by the settings row, the solver's sizes x layers, and the receptive
field drawing by :mod:`conv.app.limits`; a request over a cap is refused
with a ``ValueError`` naming the numbers, as the library refuses bad input.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import conv
from conv._layers import SPATIAL
from conv.app import limits

__all__ = ["Field", "Solved", "cell_field", "map_layers", "read_layers", "solve", "trace"]


@st.cache_data(max_entries=64, show_spinner=False)
def read_layers(text: str) -> tuple:
    """The layers in ``text``, refused over the page's caps (ValueError naming the numbers)."""
    if len(text) > limits.MAX_STACK_CHARS:
        raise ValueError(
            f"the layer text has {len(text):,} characters, more than the "
            f"{limits.MAX_STACK_CHARS:,} this page reads: shorten it"
        )
    if not text.strip():
        raise ValueError("the layer text is empty: paste an nn.Sequential or choose an example")
    layers = conv.parse_layers(text)
    if not layers:
        raise ValueError("the layer text holds no layers: paste an nn.Sequential")
    if len(layers) > limits.MAX_STACK_LAYERS:
        raise ValueError(
            f"the text describes {len(layers)} layers, more than the "
            f"{limits.MAX_STACK_LAYERS} this page traces: trace part of the stack"
        )
    return tuple(layers)


@st.cache_data(max_entries=64, show_spinner=False)
def trace(layers: tuple, shape: tuple[int, ...], layout: str) -> conv.Trace:
    """:func:`conv.trace_layers` on checked sizes (each at most ``MAX_STACK_SIDE``)."""
    if any(not 1 <= n <= limits.MAX_STACK_SIDE for n in shape):
        raise ValueError(
            f"input_shape must have sizes from 1 to {limits.MAX_STACK_SIDE}, got {shape}"
        )
    return conv.trace_layers(layers, shape, layout=layout)


@dataclass(frozen=True)
class Solved:
    """The solver's answer and the sizes it tried (fewer than asked for long stacks)."""

    sizes: conv.InputSizes
    tried: range
    capped: bool


@st.cache_data(max_entries=64, show_spinner=False)
def solve(layers: tuple, channels: int) -> Solved:
    """:func:`conv.input_sizes` on 1 .. ``MAX_SOLVER_SIZE`` (fewer for many layers)."""
    spatial = max(1, sum(isinstance(layer, SPATIAL) for layer in layers))
    top = min(limits.MAX_SOLVER_SIZE, limits.MAX_SOLVER_STEPS // spatial)
    tried = range(1, max(top, 1) + 1)
    found = conv.input_sizes(layers, tried, channels=channels)
    return Solved(found, tried, top < limits.MAX_SOLVER_SIZE)


def map_layers(trace: conv.Trace) -> list[int]:
    """Layers whose output is an (N, C, H, W) map, up to the first without one."""
    out = []
    for row in trace.rows:
        if len(row.in_shape) != 4 or len(row.out_shape) != 4:
            break
        out.append(row.index)
    return out


@dataclass(frozen=True)
class Field:
    """The receptive field shown, the layer and cell it is for, and what was adjusted."""

    field: conv.ReceptiveField
    layer: int
    cell: tuple[int, int]
    notes: tuple[str, ...]


def cell_field(trace: conv.Trace, layer: int, cell: tuple[int, int]) -> Field | None:
    """The receptive field of ``cell`` on ``layer``'s output (-1: the last map), clamped.

    A layer without a map or a cell outside the map is moved to the nearest
    one that exists, with a note saying so. None when no layer has a map.
    """
    maps = map_layers(trace)
    if not maps:
        return None
    notes = []
    if layer == -1:
        layer = maps[-1]
    elif layer not in maps:
        notes.append(
            f"layer {layer} has no (H, W) map here; showing the last map (layer {maps[-1]})"
        )
        layer = maps[-1]
    _, _, h, w = trace.rows[layer].out_shape
    row, col = min(cell[0], h - 1), min(cell[1], w - 1)
    if (row, col) != tuple(cell):
        notes.append(
            f"cell {tuple(cell)} is outside layer {layer}'s {h} × {w} map; showing ({row}, {col})"
        )
    return Field(conv.receptive_field(trace, layer, row, col), layer, (row, col), tuple(notes))


def panels(field: conv.ReceptiveField, trace: conv.Trace) -> list[conv.FieldAtMap]:
    """The maps worth a panel: the input and each map a spatial layer made, capped in number.

    Pointwise layers, batch norms and the like leave the field as it was, so
    their maps are skipped; beyond ``MAX_FIELD_PANELS`` the input and the
    maps nearest the cell are kept.
    """
    keep = [
        m
        for m in field.maps
        if m.map_index == 0
        or m.map_index == len(field.maps) - 1
        or isinstance(trace.rows[m.map_index - 1].layer, SPATIAL)
    ]
    if len(keep) > limits.MAX_FIELD_PANELS:
        keep = [keep[0], *keep[-(limits.MAX_FIELD_PANELS - 1) :]]
    return keep
