"""The Streamlit app's own helpers: settings, figures, texts, limits and page parts.

Only this package imports streamlit, plotly and pandas; the library (``conv``
outside ``conv.app``) is numpy only.
"""
