"""Teacher links: a seeded random problem that a link carries without its answer.

The link holds the generator's seed and the settings (sizes, stride,
padding), as every settings link does; the input and filter are drawn again
from the seed on the server, and the output is computed there only to check
an answer. Nothing in the link or on the page before a check is an output value.

Examples
--------
>>> q = exercise_query(shape="5x5", kshape="3x3", stride=2, padding="1", values="integers",
...                    seed=7)
>>> q["source"], q["filter"], q["padding"], q["pad"], q["seed"]
('generate', 'same-rng', 'custom', '1', '7')
"""

from __future__ import annotations

import random
from urllib.parse import urlencode, urljoin

import streamlit as st

from conv.app import answer_view, state
from conv.app.settings import MAX_SEED, Settings

__all__ = ["VALUES", "exercise_query", "link_section", "page_link"]

#: How the numbers are drawn: small whole numbers are the easiest by hand.
VALUES = {
    "integers": ("whole numbers from −3 to 3", {"dist": "integers", "low": "-3", "high": "3"}),
    "normal-1": ("normal, 1 decimal", {"dist": "normal", "decimals": "1"}),
    "normal-2": ("normal, 2 decimals (as the exercise)", {"dist": "normal", "decimals": "2"}),
}
PADDINGS = ("valid", "same", "full", "1", "2")
PAGE = "check"  # the Check page's url_path
ss = st.session_state


def exercise_query(
    *, shape: str, kshape: str, stride: int, padding: str, values: str, seed: int
) -> dict[str, str]:
    """The query string of a generated exercise (input and filter from one generator)."""
    query = {
        "source": "generate", "shape": shape, "seed": str(seed), "filter": "same-rng",
        "kshape": kshape, "stride": str(stride), **VALUES[values][1],
    }  # fmt: skip
    if padding in ("valid", "same", "full"):
        query["padding"] = padding
    else:
        query.update(padding="custom", pad=padding)
    return query


def page_link(settings: Settings) -> str:
    """The Check page's address for ``settings``: absolute when the browser's URL is known."""
    relative = f"{PAGE}?{urlencode(settings.to_query())}"
    try:
        base = st.context.url or ""
    except Exception:  # no browser behind this run (tests, scripts)
        base = ""
    return urljoin(base, relative) if base else relative


def _make() -> None:
    query = exercise_query(
        shape=ss["t.shape"], kshape=ss["t.kshape"], stride=ss["t.stride"],
        padding=ss["t.padding"], values=ss["t.values"], seed=ss["t.seed"],
    )  # fmt: skip
    settings, problems = Settings.from_query(query)
    if problems:
        ss["t.problems"] = problems
        return
    ss.pop("t.problems", None)
    state.errors().clear()
    state.replace(settings)
    ss["t.made"] = True
    ss[answer_view.ANSWER_KEY] = ""  # a new problem starts with an empty answer


def _new_seed() -> None:
    ss["t.seed"] = random.SystemRandom().randrange(1_000_000)


def link_section() -> None:
    """An expander where a teacher picks sizes, stride and padding and gets the link."""
    with st.expander("Teacher: make an exercise link", expanded=bool(ss.get("t.made"))):
        st.caption(
            "A random problem from a seed. The link carries the seed and the settings, never "
            "the output: students see the input and filter, paste their answer, and the "
            "check runs on the server."
        )
        if "t.seed" not in ss:
            _new_seed()
        c1, c2, c3, c4 = st.columns(4)
        c1.text_input("input (H×W or H×W×C)", value="5x5", key="t.shape")
        c2.text_input("filter (KH×KW)", value="3x3", key="t.kshape")
        c3.number_input("stride", 1, 8, 1, key="t.stride")
        c4.selectbox("padding", PADDINGS, key="t.padding",
                     help="A number pads every side with that many zeros.")  # fmt: skip
        c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
        c1.selectbox("values", list(VALUES), format_func=lambda v: VALUES[v][0], key="t.values")
        c2.number_input("seed", 0, MAX_SEED, key="t.seed")
        c3.button("🎲 new seed", on_click=_new_seed)
        st.button("Make the exercise", on_click=_make, type="primary")
        for problem in ss.get("t.problems", []):
            st.error(problem, icon="⚠️")
        if ss.get("t.made") and not ss.get("t.problems"):
            st.markdown("Send this link to your students (it opens this page on the problem):")
            st.code(page_link(state.current()), language=None, wrap_lines=True)
