"""Layer types: grouped and depthwise convolution, transposed convolution, max and avg pooling.

The same input and filter as the Convolve page (its sidebar sections), an
operation chosen at the top, then its shape arithmetic, input, filter and
output, one output cell taken apart, what the operation adds (channel groups,
the scatter and its overlaps, ceil_mode's window) and code that recomputes
it. All numerics come from ``conv``; this page arranges them.
"""

import streamlit as st

from conv import io as conv_io
from conv.app import (
    figure_size,
    layer_code,
    layer_controls,
    layer_sections,
    layer_views,
    layers,
    notices,
    sidebar,
    state,
    texts,
    viewport,
)
from conv.app.guard import guarded

state.start(st.query_params.to_dict())
s = state.current()
pooling = s.op in layers.POOLS

with st.sidebar:
    x_upload = sidebar.input_section()
    x_slot = st.container()
    k_upload = k_slot = None
    if not pooling:
        k_upload = sidebar.filter_section()
        k_slot = st.container()
    parameter_slot = st.container()
    sidebar.settings_file()

st.title("Layer types")
st.caption(
    "Beyond one plain convolution: groups and depthwise, transposed convolution, pooling — "
    "each computed, drawn and taken apart cell by cell. Click any output cell."
)
layer_controls.operation()
notices.settings_problems()

fresh, error, channels = None, None, None
with guarded("computing the layer"):
    try:
        if s.op == "conv":  # the Convolve page's arrays, in-place edits included
            x, x_id, k, _ = sidebar.arrays(x_upload, k_upload, x_slot, k_slot)
        else:
            x, x_id, k = layers.own_arrays(s, x_upload, k_upload)
        channels = layers.as_3d(x).shape[2]
        fresh = layers.compute(s, x, x_id, k)
    except ValueError as exc:  # conv, conv.io and the budget report bad input this way
        error = str(exc)
with st.sidebar, parameter_slot, guarded("drawing the parameters"):
    layer_controls.parameter_section(s, channels)
with guarded("saving the link"):
    state.sync_url(s)
if error:
    st.error(error, icon="⚠️")

kept = st.session_state.setdefault("last_good_layer", {})
shown = fresh or kept.get(s.op)
if shown is None:
    if s.source == "upload" and x_upload is None:
        st.info("Upload the input in the sidebar (files cannot travel in a link).")
    else:
        st.info("Nothing to show yet: change the setting named above, in the sidebar.")
    st.stop()
if fresh is None:
    st.caption("Showing the last valid result of this operation.")
if shown.note:
    st.info(shown.note)

# -- shape arithmetic, with the user's numbers
st.subheader("Shape arithmetic")
left, right = st.columns([3, 2])
left.markdown("  \n".join(layer_views.shape_lines(shown)))
filt = "" if shown.kernel is None else f", filter **{' × '.join(map(str, shown.kernel.shape))}**"
window = f", window **{' × '.join(map(str, shown.params['size']))}**" if pooling else ""
right.markdown(
    f"input **{' × '.join(map(str, shown.x.shape))}**{filt}{window} → output "
    f"**{' × '.join(map(str, shown.out.shape))}**"
)

# -- input, filter and output; one cell taken apart, drawn for the screen's width
width = figure_size.drawn_width(viewport.width())
drawn = False
with guarded("drawing the result"):
    st.subheader("Input, filter and output" if not pooling else "Input and output")
    row, col, f = shown.cell()
    e = layer_views.main_figures(shown, row, col, f, width)
    st.subheader(f"Explain output cell ({row}, {col})")
    c1, c2, c3, c4 = st.columns([1, 1, 1, 3])
    c1.number_input("row", min_value=0, step=1, **state.bind("cell", 0))
    c2.number_input("col", min_value=0, step=1, **state.bind("cell", 1))
    c3.number_input("channel" if pooling else "filter", min_value=0, max_value=15, step=1,
                    **state.bind("cell_filter"))  # fmt: skip
    c4.markdown(layer_views.cell_sentence(shown, e, row, col, f))
    note = texts.clamped_note(shown.settings.cell, (row, col), shown.out.shape)
    if note:
        st.caption(note)
    table = layer_views.products_table(shown, e)
    numbers = [c for c in ("x", "w", "x·w", "value") if c in table]
    st.dataframe(
        table, hide_index=True, height=min(35 * (len(table) + 1) + 3, 420),
        column_config={c: st.column_config.NumberColumn(format="%.4g") for c in numbers},
    )  # fmt: skip
    drawn = True
if drawn and fresh is not None:
    kept[s.op] = fresh  # only a result that drew is kept as good

with guarded("drawing what this layer adds"):
    if shown.op == "conv":
        layer_sections.grouped(shown)
    elif shown.op == "transpose":
        layer_sections.transposed(shown, width)
    else:
        layer_sections.pooling(shown)

# -- code that recomputes it
with guarded("preparing the code"):
    st.subheader("Reproduce it")
    args = (shown.op, shown.params, shown.x, shown.kernel)
    numpy_tab, torch_tab = st.tabs(["numpy", "torch.nn.functional"])
    numpy_tab.code(layer_code.numpy_code(*args), language="python")
    torch_tab.code(layer_code.torch_code(*args), language="python")
    files = [("input .npy", shown.x, "input.npy"), ("output .npy", shown.out, "output.npy")]
    if shown.kernel is not None:
        files.insert(1, ("filter .npy", shown.kernel, "filter.npy"))
    for column, (label, array, name) in zip(st.columns(len(files)), files, strict=True):
        column.download_button(label, lambda a=array: conv_io.to_npy(a), name,
                               "application/octet-stream", on_click="ignore")  # fmt: skip
    st.caption("Arrays too large to print are loaded from these downloads.")
