"""The least a Streamlit page can do on a stride change: redraw one to three small heatmaps.

``bench_redraw.py`` changes "stride (rows)" here as it does on the exercise,
in the same browser: the peer that says how much of a redraw is Streamlit's
rerun and plotly's own drawing on this machine rather than convscope's page.
``?charts=1`` draws only the output (15x15 values at stride 2, as on
seed-3d); ``?charts=3`` also the input's first channel and the filter's;
``?charts=1&click=1`` the output with what makes its cells clickable in
Streamlit (a selectable trace over the cells: a heatmap has no selection),
drawn as the exercise draws it (one marker shown: plotly's ``maxdisplayed``).
Figures are laid out as the exercise's are (fixed margins, no plotly.py
template): plotly's automatic margins draw a chart twice, about 60 ms here.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

stride = st.sidebar.number_input("stride (rows)", 1, 4, 2, key="w.stride.0")  # our page's key
rng = np.random.default_rng(123)
x = rng.normal(size=(33, 33, 3)).round(2)
k = rng.normal(size=(5, 5, 3)).round(2)
rows, cols = (33 - 5) // stride + 1, (33 - 5) // 2 + 1
out = np.array(
    [[np.sum(x[i * stride : i * stride + 5, j * 2 : j * 2 + 5] * k) for j in range(cols)]
     for i in range(rows)]
)  # fmt: skip
charts = [("output", out, "%{z:.3g}")]
if st.query_params.get("charts") == "3":
    charts = [("input", x[..., 0], None), ("filter", k[..., 0], "%{z:.2f}"), *charts]
clickable = st.query_params.get("click") == "1"
for column, (title, z, text) in zip(st.columns(len(charts)), charts, strict=True):
    traces = [go.Heatmap(z=z, texttemplate=text)]
    if clickable and title == "output":
        rows_at, cols_at = np.mgrid[: z.shape[0], : z.shape[1]]
        marker = {"symbol": "square", "size": 30, "color": "rgba(0,0,0,0.01)", "maxdisplayed": 1}
        traces.append(go.Scatter(x=cols_at.ravel(), y=rows_at.ravel(), mode="markers",
                                 marker=marker, customdata=z.ravel()))  # fmt: skip
    margin = {"l": 40, "r": 80, "t": 60, "b": 20, "autoexpand": False}
    figure = go.Figure(traces, layout={"title": title, "margin": margin, "template": {}})
    select = {"on_select": "rerun", "selection_mode": "points"} if clickable else {}
    column.plotly_chart(figure, key=title, **select)
