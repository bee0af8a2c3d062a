"""Layer stack: the shape after every layer, the first that fails, which inputs work, and the
receptive field of any cell traced back through every earlier map.

Layers come as text (pasted PyTorch) or as a table; both are parsed by
``conv.parse_layers`` (never run). All numerics come from ``conv``.
"""

import dataclasses
import hashlib

import pandas as pd
import streamlit as st

from conv.app import limits, notices, state
from conv.app import stack_figures as figures
from conv.app import stack_tables as tables
from conv.app import stack_texts as texts
from conv.app import stack_work as work
from conv.app.guard import guarded
from conv.app.stack_fields import LAYOUTS, STACK_NAMES
from conv.stacks import STACKS

ss = st.session_state
LAYOUT_WORDS = {"CHW": "C × H × W (PyTorch)", "HWC": "H × W × C (images)"}


def _reset() -> None:
    state.replace(state.current().with_stack(state.current().stack))


def _table_edited(key: str) -> None:
    rows = tables.apply_edits(ss[f"{key}.base"], ss.get(key) or {})
    state.replace(dataclasses.replace(state.current(), layers=tables.rows_text(rows)))


def _use_input(hw: tuple[int, int]) -> None:
    s = state.current()
    c = s.stack_input[0] if s.stack_layout == "CHW" else s.stack_input[2]
    shape = (c, *hw) if s.stack_layout == "CHW" else (*hw, c)
    state.replace(dataclasses.replace(s, stack_input=shape))


def _clicked(key: str) -> None:
    points = (ss.get(key) or {}).get("selection", {}).get("points", [])
    if points:
        cell = (round(float(points[0]["y"])), round(float(points[0]["x"])))
        state.replace(dataclasses.replace(state.current(), stack_cell=cell))


state.start(st.query_params.to_dict())
settings = state.current()

st.title("Layer stack")
st.caption(
    "Paste a PyTorch `nn.Sequential` (code or `print(model)` output) or edit the table: see the "
    "shape after every layer with its arithmetic, the first layer that fails and how to fix it, "
    "which input sizes work, and the receptive field of any cell. Nothing you paste is run."
)
notices.settings_problems()

# -- the stack and its input
layers, trace, error = None, None, None
try:
    layers = work.read_layers(settings.layers)
    trace = work.trace(layers, settings.stack_input, settings.stack_layout)
    ss["stack.last_good"] = (layers, trace)
except ValueError as exc:  # the parser and the caps name the problem this way
    error = str(exc)

right, left = st.columns([2, 3], gap="medium")
with right:
    st.selectbox("start from an example", STACK_NAMES, **state.bind("stack"))
    edited = " *(edited)*" if settings.layers_edited else ""
    st.caption(STACKS[settings.stack].description + edited)
    st.button("reset to this example", on_click=_reset, disabled=not settings.layers_edited)
    st.radio(
        "input layout",
        LAYOUTS,
        format_func=LAYOUT_WORDS.get,
        horizontal=True,
        **state.bind("stack_layout"),
    )
    boxes = st.columns(3)
    for i, name in enumerate(settings.stack_layout):
        boxes[i].number_input(
            name,
            min_value=1,
            max_value=limits.MAX_STACK_SIDE,
            step=1,
            **state.bind("stack_input", i),
        )
with left:
    text_tab, table_tab = st.tabs(["text", "table"])
    text_tab.text_area(
        "layers: nn.Sequential code, print(model) output, or one layer per line",
        height=320,
        max_chars=limits.MAX_STACK_CHARS,
        **state.bind("layers"),
    )
if error:
    st.error(f"{error}", icon="⚠️")
if trace is None and "stack.last_good" in ss:
    layers, trace = ss["stack.last_good"]
    st.caption("Showing the last stack that could be read.")
if settings.layers_edited and not settings.layers_in_link:
    st.info(
        f"This layer text ({len(settings.layers):,} characters) is too long for a link "
        f"(at most {limits.MAX_LINK_CHARS:,}): the link keeps the example, input and cell; "
        "copy the text to share it."
    )
with guarded("saving the link"):
    if st.query_params.to_dict() != settings.stack_query():
        st.query_params.from_dict(settings.stack_query())
if trace is None:
    st.stop()

with table_tab, guarded("drawing the layer table"):
    rows = tables.layer_rows(layers)
    key = "stack.table." + hashlib.sha1(repr(layers).encode()).hexdigest()[:12]
    ss[f"{key}.base"] = rows
    st.data_editor(
        pd.DataFrame(rows, columns=tables.COLUMNS),
        key=key,
        num_rows="dynamic",
        on_change=_table_edited,
        args=(key,),
        width="stretch",
        column_config={"layer": st.column_config.SelectboxColumn(options=tables.KINDS)},
    )
    st.caption(
        "Pairs as `3,5`; `more` holds other arguments (`bias=False`). An edit rewrites "
        "the text, one layer per line."
    )

# -- shapes through the stack
st.subheader("Shapes through the stack")
if trace.failure is not None:
    st.error(texts.failure_text(trace.failure, settings.stack_layout), icon="✖️")
    if trace.failure.fix_input is not None:
        h, w = trace.failure.fix_input
        st.button(f"use input {h} × {w}", on_click=_use_input, args=((h, w),))
else:
    out = " × ".join(map(str, trace.output_shape[1:]))
    st.success(
        f"The stack runs: {' × '.join(map(str, trace.input_shape))} → **{out}**, "
        f"{trace.params:,} parameters, {trace.macs:,} multiply-adds."
    )
# One box for all of them: a check that passed need not take a box per layer.
notes = [f"- layer {row.index} `{row.layer}`: {row.note}." for row in trace.rows if row.note]
if notes:
    st.info("What each `Linear` gets:\n" + "\n".join(notes))
dropped = [
    f"layer {r.index} ({r.name}) drops {r.dropped[0]} row(s), {r.dropped[1]} col(s)"
    for r in trace.rows
    if any(r.dropped)
]
if dropped:
    st.warning("Floor rounding leaves input cells out: " + "; ".join(dropped) + ".")
with guarded("drawing the shapes"):
    chart, table = st.columns([1, 2])
    chart.plotly_chart(figures.shapes_figure(trace), key="stack.shapes", width="stretch")
    table.dataframe(pd.DataFrame(tables.trace_rows(trace)), hide_index=True, width="stretch")

# -- receptive field of one cell
st.subheader("Receptive field of one cell")
maps = work.map_layers(trace)
with guarded("tracing the receptive field"):
    field = work.cell_field(trace, settings.stack_layer, settings.stack_cell)
    if field is None:
        st.info("No layer's output has an (H, W) map, so there is no cell to trace back.")
    else:
        for note in field.notes:
            st.caption(note)

        def _map_name(index):
            index = maps[-1] if index == -1 else index
            if not 0 <= index < len(trace.rows):
                return f"layer {index}"  # a value left from another stack: never drawn
            r = trace.rows[index]
            return f"layer {index} {r.name} → {' × '.join(map(str, r.out_shape[1:]))}"

        # A map picked on another stack may not exist in this one: start from the last.
        if st.session_state.get(state.widget_key("stack_layer"), -1) not in [-1, *maps]:
            st.session_state[state.widget_key("stack_layer")] = -1
        pick, about = st.columns([2, 3])
        with pick:
            st.selectbox(
                "map (a layer's output)",
                [-1, *maps],
                **state.bind("stack_layer"),
                format_func=lambda i: "last: " + _map_name(i) if i == -1 else _map_name(i),
            )
            _, _, h, w = trace.rows[field.layer].out_shape
            c1, c2 = st.columns(2)
            c1.number_input("row", min_value=0, step=1, **state.bind("stack_cell", 0))
            c2.number_input("col", min_value=0, step=1, **state.bind("stack_cell", 1))
            if h * w <= limits.MAX_DRAWN_CELLS:
                st.caption("Click a cell of this map:")
                key = f"stack.pick.{field.layer}.{field.cell}"
                st.plotly_chart(
                    figures.pick_figure(h, w, field.cell),
                    key=key,
                    on_select=lambda: _clicked(key),
                    selection_mode="points",
                    width="stretch",
                )
            else:
                st.caption(
                    f"This map has {h * w:,} cells, more than the "
                    f"{limits.MAX_DRAWN_CELLS:,} drawn for clicking: type the row and "
                    "column."
                )
        with about:
            st.markdown("\n\n".join(texts.field_lines(field)))
            st.caption(
                "Red: cells reached; pale red: inside the rectangle, not reached; dotted "
                "orange: the padding the windows use beyond the map's edge."
            )
        shown = work.panels(field.field, trace)
        if len(shown) < sum(1 for _ in field.field.maps) and len(shown) == limits.MAX_FIELD_PANELS:
            st.caption(
                f"Showing {limits.MAX_FIELD_PANELS} maps: the input and those nearest the cell."
            )
        per_row = 4
        for start in range(0, len(shown), per_row):
            cols = st.columns(per_row)
            for col, m in zip(cols, shown[start : start + per_row], strict=False):
                rows_, cols_ = m.size
                where = (
                    "input"
                    if m.map_index == 0
                    else f"after {m.map_index - 1} {trace.rows[m.map_index - 1].name}"
                )
                title = f"{where}<br>{m.shape[0]} × {m.shape[1]}: field {rows_} × {cols_}"
                mark = field.cell if m.map_index == field.layer + 1 else None
                col.plotly_chart(
                    figures.field_figure(m, title, mark),
                    width="stretch",
                    key=f"stack.field.{m.map_index}",
                )

# -- which input sizes work
st.subheader("Which input sizes work")
with guarded("solving for the input sizes"):
    solved = work.solve(layers, trace.input_shape[0])
    st.markdown("\n\n".join(texts.solver_lines(solved, trace.input_shape[1:])))
