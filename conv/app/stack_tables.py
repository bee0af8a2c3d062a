"""Tables of the Layer stack page: the trace, and the layers as editable rows that round-trip.

An edited row becomes one line of layer text (``Conv2d(3, 16, kernel_size=3)``)
that :func:`conv.parse_layers` reads like any pasted text, so the table and
the text box are two views of the same layers, and a bad cell is named by
the parser with its line (the row's number).

Examples
--------
>>> from conv.layers import Conv2d, MaxPool2d
>>> rows = layer_rows([Conv2d(3, 16, 3, padding=1), MaxPool2d(2)])
>>> rows[0]["kernel"], rows[1]["layer"]
('3', 'MaxPool2d')
>>> print(rows_text(rows))
Conv2d(3, 16, kernel_size=3, stride=1, padding=1, dilation=1, groups=1)
MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from conv._layers import (
    POINTWISE,
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Flatten,
    Linear,
    MaxPool2d,
    Pointwise,
)
from conv._parse_layers import SIGNATURES

__all__ = ["COLUMNS", "KINDS", "apply_edits", "layer_rows", "rows_text", "trace_rows"]

COLUMNS = ("layer", "in", "out", "kernel", "stride", "padding", "dilation", "groups", "more")
KINDS = (*SIGNATURES, *POINTWISE)
# Which columns each kind reads, and the argument each becomes ("" = positional).
_ARGS = {
    "Conv2d": {
        "in": "",
        "out": "",
        "kernel": "kernel_size",
        "stride": "stride",
        "padding": "padding",
        "dilation": "dilation",
        "groups": "groups",
    },
    "MaxPool2d": {
        "kernel": "kernel_size",
        "stride": "stride",
        "padding": "padding",
        "dilation": "dilation",
    },
    "AvgPool2d": {"kernel": "kernel_size", "stride": "stride", "padding": "padding"},
    "Linear": {"in": "", "out": ""},
    "BatchNorm2d": {"in": ""},
}
_ARGS["ConvTranspose2d"] = _ARGS["Conv2d"]
_PAIR = re.compile(r"^\s*(\d+)\s*[,x×]\s*(\d+)\s*$")


def _pair(value) -> str:
    if isinstance(value, str):
        return value
    return str(value[0]) if value[0] == value[1] else f"{value[0]},{value[1]}"


def _more(layer) -> str:
    """The arguments that have no column, as PyTorch keywords."""
    parts = []
    if isinstance(layer, (Conv2d, ConvTranspose2d)):
        if not layer.bias:
            parts.append("bias=False")
        if isinstance(layer, ConvTranspose2d) and layer.output_padding != (0, 0):
            parts.append(f"output_padding={layer.output_padding}")
        if layer.padding_mode != "zeros":
            parts.append(f"padding_mode={layer.padding_mode!r}")
    elif isinstance(layer, (MaxPool2d, AvgPool2d)) and layer.ceil_mode:
        parts.append("ceil_mode=True")
    elif isinstance(layer, AdaptiveAvgPool2d):
        parts.append(f"output_size={layer.output_size}")
    elif isinstance(layer, Flatten):
        parts.append(f"start_dim={layer.start_dim}, end_dim={layer.end_dim}")
    elif isinstance(layer, Linear) and not layer.bias:
        parts.append("bias=False")
    elif isinstance(layer, BatchNorm2d):
        if not layer.affine:
            parts.append("affine=False")
    elif isinstance(layer, Pointwise):
        parts += [f"{name}={value!r}" for name, value in layer.options]
    return ", ".join(parts)


def layer_rows(layers: Sequence) -> list[dict[str, str]]:
    """One row of text cells per layer (empty where a column does not apply)."""
    rows = []
    for layer in layers:
        kind = layer.kind if isinstance(layer, Pointwise) else type(layer).__name__
        row = dict.fromkeys(COLUMNS, "")
        row["layer"] = kind
        if isinstance(layer, (Conv2d, ConvTranspose2d)):
            row.update(in_=layer.in_channels, out=layer.out_channels, groups=layer.groups)
            row.update(dilation=_pair(layer.dilation))
        elif isinstance(layer, MaxPool2d):
            row["dilation"] = _pair(layer.dilation)
        elif isinstance(layer, Linear):
            row.update(in_=layer.in_features, out=layer.out_features)
        elif isinstance(layer, BatchNorm2d):
            row["in_"] = layer.num_features
        if isinstance(layer, (Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d)):
            row.update(kernel=_pair(layer.kernel_size), stride=_pair(layer.stride))
            row["padding"] = _pair(layer.padding)
        row["in"] = str(row.pop("in_", ""))
        row["more"] = _more(layer)
        rows.append({name: str(row[name]) for name in COLUMNS})
    return rows


def _literal(cell: str) -> str:
    """A cell as a Python literal: ``3``, ``3,5`` -> ``(3, 5)``, a word -> ``'same'``."""
    pair = _PAIR.match(cell)
    if pair:
        return f"({pair.group(1)}, {pair.group(2)})"
    if cell.isalpha():
        return repr(cell)
    return cell  # the parser reads it, or names the line and argument


def rows_text(rows: Sequence[dict]) -> str:
    """The rows as one layer call per line, for :func:`conv.parse_layers`."""
    lines = []
    for row in rows:
        cells = {k: ("" if row.get(k) is None else str(row.get(k)).strip()) for k in COLUMNS}
        kind = cells["layer"] or "Identity"
        args = []
        for column, name in _ARGS.get(kind, {}).items():
            if cells[column]:
                value = _literal(cells[column])
                args.append(value if not name else f"{name}={value}")
        if cells["more"]:
            args.append(cells["more"])
        lines.append(f"{kind}({', '.join(args)})")
    return "\n".join(lines)


def apply_edits(rows: list[dict], edits: dict) -> list[dict]:
    """``st.data_editor``'s edit record (edited, added, deleted rows) applied to ``rows``."""
    out = [dict(row) for row in rows]
    for index, change in (edits.get("edited_rows") or {}).items():
        if 0 <= int(index) < len(out):
            out[int(index)].update(change)
    deleted = {int(i) for i in edits.get("deleted_rows") or []}
    out = [row for i, row in enumerate(out) if i not in deleted]
    out += [dict.fromkeys(COLUMNS, "") | added for added in edits.get("added_rows") or []]
    return out


def _shape(shape: tuple[int, ...]) -> str:
    return " × ".join(map(str, shape[1:]))


def trace_rows(trace) -> list[dict[str, object]]:
    """The trace as table rows: shapes, the arithmetic, what floor rounding dropped, cost."""

    def row(index, name, shape, arithmetic="", dropped="", params=0, macs=0, note="", call=""):
        return {
            "#": index,
            "layer": name,
            "output (C × H × W)": shape,
            "arithmetic": arithmetic,
            "dropped": dropped,
            "params": params,
            "MACs": macs,
            "note": note,
            "call": call,
        }

    rows = [row("in", "input", _shape((1, *trace.input_shape)))]
    for r in trace.rows:
        lost = ", ".join(
            p
            for p in (
                f"{r.dropped[0]} row(s)" * bool(r.dropped[0]),
                f"{r.dropped[1]} col(s)" * bool(r.dropped[1]),
            )
            if p
        )
        rows.append(
            row(
                str(r.index),
                r.name,
                _shape(r.out_shape),
                " · ".join(r.arithmetic),
                lost,
                r.params,
                r.macs,
                r.note,
                str(r.layer),
            )
        )
    if trace.failure is not None:
        f = trace.failure
        name = type(f.layer).__name__
        rows.append(row(str(f.index), name, "✗ fails", f.reason, note=f.fix, call=str(f.layer)))
    return rows
