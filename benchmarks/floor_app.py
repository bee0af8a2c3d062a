"""The least a Streamlit page with plotly can draw: three 15x15 heatmaps and a line of text.

``bench_paint.py --cases floor`` opens it as it opens the exercise, in the
same browser: the peer that says how much of a first paint is Streamlit's
and plotly's own start-up on this machine rather than convscope's page.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.write("floor page drawn")
rng = np.random.default_rng(0)
for i in range(3):
    st.plotly_chart(go.Figure(go.Heatmap(z=rng.normal(size=(15, 15)))), key=f"chart{i}")
