"""Check my answer: mark the wrong cells of a hand-computed output and say which mistake made them.

The problem is chosen in the sidebar, as on the Convolve page (the settings
are shared); the page shows it without its output. The answer is pasted or
uploaded, checked by ``conv.check_answer`` on the server, and shown with its
wrong cells marked; the expected output only on request.
"""

import streamlit as st

from conv.app import (
    answer_view,
    answers,
    figure_size,
    notices,
    result,
    sidebar,
    state,
    teacher,
    viewport,
)
from conv.app.guard import guarded

state.start(st.query_params.to_dict())

with st.sidebar:
    x_upload = sidebar.input_section()
    x_slot = st.container()
    k_upload = sidebar.filter_section()
    k_slot = st.container()
    sidebar.parameter_section()
    sidebar.settings_file()

st.title("Check my answer")
st.caption(
    "Compute the output by hand, paste it below, and see which cells are wrong and which "
    "common mistake explains them. The problem is set in the sidebar, or by a teacher's link."
)
notices.settings_problems()

with guarded("making the exercise link"):
    teacher.link_section()

width = figure_size.drawn_width(viewport.width())  # the figures are drawn for the screen
settings = state.current()
res, error = sidebar.convolved(x_upload, k_upload, x_slot, k_slot)
with guarded("saving the link"):
    state.sync_url(settings)


def problem_part(res: result.Result) -> bool:
    """The problem as set: parameters, input and filter, never its output; False if too big."""
    st.subheader("The problem")
    with guarded("drawing the problem"):
        answer_view.problem(res, width)
    try:
        answers.check_budget(res.out.shape, res.kernel.shape[:3], res.settings.stride)
    except ValueError as exc:
        st.warning(f"Answers to this problem are not checked here: {exc}.", icon="⚠️")
        return False
    return True


def answer_part(res: result.Result) -> answers.Checked | None:
    """The answer, committed by the form's Check button, and checked; None until then."""
    st.subheader("Your answer")
    answer_view.answer_form(res)
    try:
        answer, file_name = answer_view.answer()
    except ValueError as exc:
        st.error(str(exc), icon="⚠️")
        return None
    if answer is None:
        st.info("Paste your answer above (or upload it) and press **Check**.")
        return None
    if file_name:
        st.caption(f"Checking **{file_name}** (remove it to check the pasted text instead).")
    try:
        return answers.check(res, answer, **answer_view.options())
    except ValueError as exc:  # the check budget, or an answer check_answer cannot read
        st.error(str(exc), icon="⚠️")
        return None


def verdict_part(checked: answers.Checked, res: result.Result) -> None:
    """A sentence with its evidence, the marked answer, and the output on request."""
    st.subheader("Verdict")
    with guarded("showing the verdict"):
        answer_view.verdict(checked)
        answer_view.wrong_cell_link(checked, res)
        reveal = st.toggle("show the expected output", key="reveal")
        with st.container(horizontal=True, gap="small"):
            st.plotly_chart(
                answer_view.answer_figure(checked, width), key="answer_chart", width="content"
            )
            if reveal:
                st.plotly_chart(
                    answer_view.expected_figure(checked, width),
                    key="expected_chart",
                    width="content",
                )
        answer_view.legend(checked)


if res is None:
    if error:
        st.error(error, icon="⚠️")
    if settings.source == "upload":
        st.info("Upload the input in the sidebar (or choose Example or Generate).")
    else:
        st.info("Nothing to check yet: change the setting named above, in the sidebar.")
elif problem_part(res):
    checked = answer_part(res)
    if checked is not None:
        verdict_part(checked, res)
