"""The least a Streamlit page with plotly can draw: three 15x15 heatmaps and a line of text.

``bench_paint.py --cases floor`` opens it as it opens the exercise, in the
same browser: the peer that says how much of a first paint is Streamlit's
and plotly's own start-up on this machine rather than convscope's page.
Its figures are laid out as the exercise's are (fixed margins, no plotly.py
template): plotly's automatic margins would draw each chart twice.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.write("floor page drawn")
rng = np.random.default_rng(0)
LAYOUT = {"margin": {"l": 40, "r": 80, "t": 40, "b": 20, "autoexpand": False}, "template": {}}
for i in range(3):
    figure = go.Figure(go.Heatmap(z=rng.normal(size=(15, 15))), layout=LAYOUT)
    st.plotly_chart(figure, key=f"chart{i}")
