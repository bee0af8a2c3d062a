"""Convolve: one convolution seen whole, then taken apart cell by cell.

Inputs in the sidebar; then the shape arithmetic, the input, filter and
output, the arithmetic of one output cell, downloads and code. All numerics
come from ``conv``; this page arranges them.
"""

import streamlit as st

from conv.app import explore, frameworks_view, notices, sidebar, state, texts, viewport
from conv.app.guard import guarded

state.start(st.query_params.to_dict())

with st.sidebar:
    x_upload = sidebar.input_section()
    x_slot = st.container()
    k_upload = sidebar.filter_section()
    k_slot = st.container()
    sidebar.parameter_section()
    sidebar.settings_file()

title, intro = st.columns([1.5, 3], vertical_alignment="center")
title.title("convscope")
intro.caption(
    "2-D convolution as in CNNs (cross-correlation), step by step: pick an input and a "
    "filter on the left, click any output cell to see the arithmetic behind it."
)
notices.settings_problems()

settings = state.current()
fresh, error = sidebar.convolved(x_upload, k_upload, x_slot, k_slot)
with guarded("saving the link"):
    state.sync_url(settings)
if error:
    st.error(error, icon="⚠️")
shown = fresh or st.session_state.get("last_good")
if shown is None:
    if settings.source == "upload" and x_upload is None:
        st.info(
            "This view starts from an uploaded file, and files cannot travel in a link: "
            "upload the input in the sidebar (or choose Example or Generate)."
        )
    else:
        st.info("Nothing to show yet: change the setting named above, in the sidebar.")
    st.stop()
if fresh is None:
    st.caption("Showing the last valid result.")
if shown.note:
    st.info(shown.note)

# -- figures and one cell's arithmetic first, so the core loop fits one screen; a
# fragment, so clicks and play redraw only it
width = viewport.width()
drawn = False
with guarded("drawing the result"):
    explore.cell_controls(shown, width)
    drawn = explore.view(shown, width)
if drawn and fresh is not None:
    st.session_state.last_good = fresh  # only a result that drew is kept as good

# -- the output-shape arithmetic, with the user's numbers, the formula and a glossary
st.subheader("Shape arithmetic")
left, right = st.columns([3, 2])
left.markdown("  \n".join(texts.shape_lines(shown)))
bank = f" × {shown.filters} filters" if shown.kernel.ndim == 4 else ""
oh, ow = shown.out.shape[:2]
right.markdown(
    f"input **{' × '.join(map(str, shown.x.shape))}**, filter "
    f"**{' × '.join(map(str, shown.kernel.shape))}** → output **{oh} × {ow}**{bank}"
)
note = texts.unread_note(*explore.unread(shown))
if note:
    st.info(note)
note = texts.nonfinite_note(shown.out, shown.x, shown.kernel)
if note:
    st.warning(note, icon="⚠️")
with st.expander("The formula, and what stride, dilation and padding mean"):
    st.markdown(texts.FORMULA)
    st.markdown(texts.GLOSSARY)

with guarded("comparing frameworks"):
    frameworks_view.show(shown)

with guarded("preparing the downloads and code"):
    explore.downloads(shown)
    explore.reproduce(shown)
