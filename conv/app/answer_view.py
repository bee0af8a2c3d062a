"""The Check page's parts: the problem without its output, the answer box, and the verdict.

The expected output is drawn only on request, after an answer was checked:
before that, nothing on the page (text, figures, link) holds an output value.
Wrong cells are marked by shape, not colour: a thick outline and a cross.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import conv
from conv.app import answers, figure_size, figures, limits
from conv.app.answers import Checked
from conv.app.result import Result

__all__ = [
    "answer_figure",
    "answer_form",
    "expected_figure",
    "legend",
    "problem",
    "verdict",
    "wrong_cell_link",
]

#: Room for one of the two figures side by side (answer, expected), in pixels.
HALF_WIDTH = 460
#: Most wrong cells outlined one by one; beyond, the first ones are (the title says so).
MAX_MARKED = 2_000
ANSWER_KEY, FILE_KEY = "answer_text", "answer_file"
FILTER_KEY, DECIMALS_KEY = "answer_f", "answer_d"
_WRONG = "#111111"
_OUTSIDE_HATCH = {"shape": "/", "fgcolor": "rgba(60,60,60,0.55)", "bgcolor": "rgba(0,0,0,0)"}
# Made-up numbers: a placeholder must not hold any example's answer.
PLACEHOLDER = "for example:\n1.5  -2  0.25\n3  ?  4.75\n-1, , 0.5"


def _size(shape: tuple[int, ...]) -> str:
    return " × ".join(map(str, shape))


def problem(res: Result, width: float = figure_size.WIDTH) -> None:
    """The problem as set: parameters in words, input and filter drawn; never the output.

    ``width``: the most a figure may take (px), :func:`figure_size.drawn_width`
    of the main area's, so a phone's figures never have their values overlap.
    """
    s = res.settings
    oh, ow = res.out.shape[:2]
    padding = s.padding
    if s.padding == "custom":
        top, bottom, left, right = s.pad
        padding = (
            f"{top} on every side"
            if len(set(s.pad)) == 1
            else (f"top {top}, bottom {bottom}, left {left}, right {right}")
        )
    flip = "; the kernel is flipped 180° (true convolution)" if s.flip else ""
    st.markdown(
        f"Input **{_size(res.x.shape)}**, filter **{_size(res.kernel.shape)}**, stride "
        f"**{_pair(s.stride)}**, padding **{padding}** ({s.pad_mode}), dilation "
        f"**{_pair(s.dilation)}**{flip}. Your answer is an output of **{oh} × {ow}** cells"
        + (f" for each of the {res.filters} filters" if res.filters > 1 else "")
        + ", one row per line."
    )
    padded = conv.pad(res.x, res.pads, s.pad_mode)
    with st.container(horizontal=True, gap="small"):
        has_padding = any(v for side in res.pads for v in side)
        title = f"input ({s.pad_mode} padding hatched)" if has_padding else "input"
        st.plotly_chart(
            figures.array_figure(
                res.x, title=title, padded=padded, padding=res.pads, max_width=width
            ),
            key="check_input", width="content",
        )  # fmt: skip
        st.plotly_chart(
            figures.kernel_figure(res.kernel, max_width=width), key="check_filter", width="content"
        )


def _pair(v: tuple[int, int]) -> str:
    return str(v[0]) if v[0] == v[1] else f"{v[0]}, {v[1]}"


def answer_form(res: Result) -> None:
    """The answer box, a file instead, which filter and the rounding; Check commits them."""
    if get_script_run_ctx() is None:
        # Imported outside Streamlit (pytest's doctest collection of the pages): there
        # st.form replaces the container stack, and every later element would land in it.
        return
    form = st.form("answer_form", border=True)
    form.text_area(
        "your answer, one output row per line", key=ANSWER_KEY, height=150,
        placeholder=PLACEHOLDER,
        help="Numbers separated by spaces, commas or tabs. Leave a cell blank (between "
        "commas or tabs) or write ? where you have no value; a shorter answer is "
        "compared with the top-left of the output.",
    )  # fmt: skip
    c1, c2, c3 = form.columns([2, 1, 1])
    c1.file_uploader(
        "…or upload it (CSV or text as above, or .npy; NaN = no value)",
        type=list(answers.FILE_TYPES), key=FILE_KEY,
        help=f"At most {limits.MAX_ANSWER_CHARS:,} bytes and "
        f"{limits.MAX_ANSWER_CELLS:,} cells.",
    )  # fmt: skip
    c2.selectbox(
        "rounded to", ["as written", *map(str, range(7))], key=DECIMALS_KEY,
        help="The decimals you were asked to round to; 'as written' reads them from "
        "your numbers. A value is right within half a unit in its last place.",
    )  # fmt: skip
    if res.filters > 1:
        c3.number_input("filter", 0, res.filters - 1, 0, key=FILTER_KEY)
    form.form_submit_button("Check", type="primary")


def answer() -> tuple[np.ndarray | None, str | None]:
    """The committed answer as an array (None when none given yet); ValueError if unreadable."""
    file = st.session_state.get(FILE_KEY)
    if file is not None:
        return answers.read_file(file.name, file.getvalue()), file.name
    text = st.session_state.get(ANSWER_KEY) or ""
    if not text.strip():
        return None, None
    return answers.read_text(text), None


def options() -> dict:
    """The filter and decimals chosen with the answer, as :func:`answers.check` takes them."""
    chosen = st.session_state.get(DECIMALS_KEY, "as written")
    return {
        "filter_index": int(st.session_state.get(FILTER_KEY) or 0),
        "decimals": None if chosen in (None, "as written") else int(chosen),
    }


# -- figures ------------------------------------------------------------------------------


def _marks(fig: go.Figure, cells: np.ndarray, cross: bool) -> None:
    """Outline ``cells`` (rows of (row, col)), with a cross in each when ``cross``."""
    xs, ys, cx, cy = [], [], [], []
    for r, c in cells[:MAX_MARKED]:
        xs += [c - 0.45, c + 0.45, c + 0.45, c - 0.45, c - 0.45, None]
        ys += [r - 0.45, r - 0.45, r + 0.45, r + 0.45, r - 0.45, None]
        cx += [c + 0.3]
        cy += [r - 0.3]
    line = {"color": _WRONG, "width": 3}
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=line, hoverinfo="skip", name="wrong"))
    if cross:
        fig.add_trace(
            go.Scatter(
                x=cx, y=cy, mode="markers", hoverinfo="skip", name="wrong mark",
                marker={"symbol": "x-thin", "size": 9, "line": {"width": 2, "color": _WRONG}},
            )
        )  # fmt: skip


def _outside(fig: go.Figure, shape: tuple[int, int], within: tuple[int, int]) -> None:
    """Hatch the answer's cells beyond the expected output's ``within`` rows and columns."""
    (h, w), (oh, ow) = shape, within
    xs, ys = [], []
    for r0, r1, c0, c1 in ((oh, h, 0, w), (0, min(oh, h), ow, w)):
        if r1 > r0 and c1 > c0:
            xs += [c0 - 0.5, c1 - 0.5, c1 - 0.5, c0 - 0.5, c0 - 0.5, None]
            ys += [r0 - 0.5, r0 - 0.5, r1 - 0.5, r1 - 0.5, r0 - 0.5, None]
    if xs:
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", fill="toself", fillpattern=_OUTSIDE_HATCH,
                line={"width": 0}, hoverinfo="skip", name="outside the output",
            )
        )  # fmt: skip


def answer_figure(checked: Checked, width: float = figure_size.WIDTH) -> go.Figure:
    """The answer as a heatmap, wrong cells outlined and crossed, cells past the output hatched.

    :data:`HALF_WIDTH` wide at most (and ``width``), so the expected output fits
    beside it.
    """
    max_width = min(HALF_WIDTH, width)
    report = checked.report
    a = report.answer if report.answer.ndim == 2 else report.answer[..., 0]
    wrong = np.argwhere(report.given & ~report.correct)[:, :2]
    title = "your answer (wrong cells outlined ✗)"
    if len(wrong) > MAX_MARKED:
        title = f"your answer (the first {MAX_MARKED:,} of {len(wrong):,} wrong cells outlined)"
    fig = figures.array_figure(a, title=title, max_width=max_width)
    cell_px = fig.layout.width / max(a.shape[1], 1)
    _marks(fig, wrong, cross=cell_px >= 20)
    _outside(fig, a.shape, report.expected.shape[:2])
    return fig


def expected_figure(checked: Checked, width: float = figure_size.WIDTH) -> go.Figure:
    """The right output, with the cells the answer got wrong outlined; sized as the answer."""
    max_width = min(HALF_WIDTH, width)
    report = checked.report
    e = report.expected if report.expected.ndim == 2 else report.expected[..., checked.filter_index]
    fig = figures.array_figure(e, title="expected output", max_width=max_width)
    wrong = np.argwhere(report.given & ~report.correct)[:, :2]
    wrong = wrong[(wrong[:, 0] < e.shape[0]) & (wrong[:, 1] < e.shape[1])]
    _marks(fig, wrong, cross=False)
    return fig


def legend(checked: Checked) -> None:
    """What blank and hatched cells in the answer figure mean, when it has any."""
    report = checked.report
    notes = []
    if not report.given.all():
        notes.append("Blank cells: no value given.")
    if any(a > e for a, e in zip(report.answer.shape[:2], report.expected.shape[:2], strict=True)):
        notes.append("Hatched cells: beyond the output's size, so never right.")
    if notes:
        st.caption(" ".join(notes))


# -- words --------------------------------------------------------------------------------


def _cells(cells: list[tuple[int, ...]], most: int = 8) -> str:
    named = ", ".join(f"({r}, {c})" for r, c, *_ in cells[:most])
    return named + (f" and {len(cells) - most:,} more" if len(cells) > most else "")


def verdict(checked: Checked) -> None:
    """Right or not, the best diagnosis in a sentence with its evidence, and the others."""
    report = checked.report
    top = report.diagnoses[0]
    given, right = int(report.given.sum()), int((report.given & report.correct).sum())
    shape = report.answer.shape[:2]
    oh, ow = report.expected.shape[:2]
    digits = f"{report.decimals} decimal{'s' * (report.decimals != 1)}"
    if report.decimals >= 10:
        digits = "unrounded values"
    evidence = (
        f"Evidence: {right} of the {given} values you gave match the expected output (read "
        f"as {digits}, ± {report.tolerance:g}); your answer is {shape[0]} × {shape[1]}, the "
        f"output {oh} × {ow}."
    )
    wrong = given - right
    sentence = top.explanation
    if top.mistake == "unexplained":
        # The headline and the evidence already count the right values.
        sentence = "No mistake in the catalogue, alone or with another, reproduces your values."
    if report.all_correct:
        st.success(f"**Right.** {sentence}", icon="✅")
    else:
        verb = "is" if wrong == 1 else "are"
        st.error(f"**{wrong} of {given} values {verb} wrong.** {sentence}", icon="❌")
    named = top if top.mistake != "unexplained" or len(report.diagnoses) < 2 else None
    if named is not None:
        evidence += f" Diagnosis **{named.mistake}**: it reproduces {named.matched} of {given}."
    else:
        near = report.diagnoses[1]
        evidence += (
            f" The closest, **{'+'.join(near.mistakes) or near.mistake}**, reproduces "
            f"{near.matched} of {given}."
        )
    st.caption(evidence)
    if top.indistinguishable:
        names = ", ".join(f"**{m}**" for m in top.indistinguishable)
        st.info(
            f"Indistinguishable here: {names} give the same numbers on the cells you gave, "
            "so the answer cannot say which was done.",
            icon="⚖️",
        )
    others = report.diagnoses[1:]
    if others:
        with st.expander(f"Other explanations considered ({len(others)})"):
            st.dataframe(
                pd.DataFrame(
                    {
                        "mistake": ["+".join(d.mistakes) or d.mistake for d in others],
                        "values reproduced": [f"{d.matched} of {d.given}" for d in others],
                        "explanation": [d.explanation for d in others],
                    }
                ),
                hide_index=True,
            )


def wrong_cell_link(checked: Checked, res: Result) -> None:
    """The wrong cells named, and a link that explains the first one on the Convolve page."""
    report = checked.report
    wrong = report.wrong_cells
    if not wrong:
        return
    oh, ow = report.expected.shape[:2]
    inside = [c for c in wrong if c[0] < oh and c[1] < ow]
    text = f"Wrong: {_cells(wrong)}."
    if inside:
        row, col = inside[0][:2]
        cell = dataclasses.replace(res.settings, cell=(row, col), cell_filter=checked.filter_index)
        link = answers.convolve_link(cell.to_query())
        text += f" [See how cell ({row}, {col}) is computed on the Convolve page ↗]({link})"
        if res.settings.source == "upload" or res.settings.kernel_source == "upload":
            text += " (upload the file again there: files do not travel in a link)"
    st.markdown(text)
