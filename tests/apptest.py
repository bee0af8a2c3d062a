"""Opening the page under streamlit.testing.v1.AppTest, and reading what it shows."""

import base64
import json
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from conv.app import explore, frameworks_view

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")


def open_app(**query) -> AppTest:
    """Run the page once with ``query`` as its URL query string; fail on any exception.

    The sections drawn only while open (frameworks, code) are opened, so
    every test and walk also runs them.
    """
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[frameworks_view.OPEN] = True
    at.session_state[explore.CODE_OPEN] = True
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def random_walk(
    walk: int,
    seed: int,
    link_of: Callable[[random.Random], dict],
    step: Callable[[AppTest, random.Random], str],
    check: Callable[[AppTest, list[str]], None],
    steps: tuple[int, int],
    page: str | None = None,
) -> None:
    """Walk number ``walk``: a random link (on ``page``), then random steps, checked after each.

    ``check(at, trail)`` gets the trail of what was done so far, so a failure
    names the link and every step that led to it.
    """
    rng = random.Random(seed)
    link = link_of(rng)
    trail = [f"walk {walk}: {link}"]
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in link.items():
        at.query_params[key] = value
    if page is not None:
        at.switch_page(page)
    at.run()
    check(at, trail)
    for _ in range(rng.randint(*steps)):
        trail.append(step(at, rng))
        check(at, trail)


def result(at: AppTest):
    """The typed result the page shows (``conv.app.result.Result``), or None."""
    return at.session_state["last_good"] if "last_good" in at.session_state else None  # noqa: SIM401


def figures(at: AppTest) -> list[dict]:
    """Every plotly figure on the page, as plotly JSON, in page order."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def output_shown(at: AppTest) -> np.ndarray | None:
    """The output as drawn: (OH, OW, F) with NaN where no cell is drawn, or None.

    Heatmaps carry float32 colours; the exact values are the click targets'
    ``customdata`` (value) at the (y, x) of every clickable cell, in the filter
    their trace's ``legendgroup`` names, which
    is every drawn cell up to ``figures.MAX_CLICK_TARGETS``.
    """
    output = [f for f in figures(at) if f["layout"]["title"]["text"].startswith("output")]
    if not output:
        return None
    data = output[0]["data"]
    maps = [t for t in data if t["type"] in ("heatmap", "image")]
    targets = [t for t in data if t.get("name") == "cells"]
    ys = np.concatenate([plotly_array(t["y"]) for t in targets]).astype(int)
    xs = np.concatenate([plotly_array(t["x"]) for t in targets]).astype(int)
    values = np.concatenate([plotly_array(t["customdata"]).ravel() for t in targets])
    filters = np.concatenate([np.full(len(plotly_array(t["x"])), int(t["legendgroup"]))
                              for t in targets])  # fmt: skip
    shown = np.full((ys.max() + 1, xs.max() + 1, len(maps)), np.nan)
    shown[ys, xs, filters] = values
    return shown


def plotly_array(value) -> np.ndarray:
    """A plotly JSON array: a list (None for gaps) or a typed array ``{dtype, bdata, shape}``."""
    if isinstance(value, dict):
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        if shape:
            data = data.reshape([int(n) for n in str(shape).split(",")])
        return data.astype(float)
    return np.array(value, dtype=float)  # None becomes NaN
