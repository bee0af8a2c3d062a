"""convscope: see, check and compute neural-network-style 2-D convolution.

Run with ``streamlit run streamlit_app.py``. This file only declares the
pages; each page is a module under ``conv/app/pages`` that reads top to
bottom, on the shared parts in ``conv/app``.
"""

import streamlit as st

st.set_page_config(page_title="convscope", page_icon="🔍", layout="wide")

PAGES = [
    st.Page(
        "conv/app/pages/convolve.py", title="Convolve", icon=":material/grid_on:", default=True
    ),
    st.Page(
        "conv/app/pages/check.py",
        title="Check my answer",
        icon=":material/fact_check:",
        url_path="check",
    ),
    st.Page(
        "conv/app/pages/layers.py",
        title="Layer types",
        icon=":material/category:",
        url_path="layers",
    ),
    st.Page(
        "conv/app/pages/stack.py", title="Layer stack", icon=":material/layers:", url_path="stack"
    ),
]

st.navigation(PAGES).run()
