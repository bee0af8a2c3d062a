"""The Streamlit app's pages and the pure helpers they use."""
