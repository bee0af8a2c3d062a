"""In-place editing of a small input or filter, drawn only while its expander is open.

A data editor costs every rerun its table data and, in the browser, a data
grid per slice, open or not: about a fifth of a stride change on the
exercise (``benchmarks/bench_redraw.py``). Drawn only while open, its
edits must outlive it: Streamlit forgets a widget's state in a run that does
not draw it. So each run keeps the edited array (``<key>_kept``) beside the
array it was made from, and an editor that opens starts from those edits
(``<key>_base``), under a key of its own, so its table shows them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from conv.app import result
from conv.app.limits import EDITABLE_CELLS

__all__ = ["edited"]


def edited(array: np.ndarray, array_id: str, label: str, key: str) -> tuple[np.ndarray, str]:
    """``array`` with the user's in-place edits (small arrays only), and its id.

    Raises ``ValueError`` when an edited cell holds no number.
    """
    if array.shape[0] * array.shape[1] > EDITABLE_CELLS or np.prod(array.shape[2:]) > 8:
        return array, array_id
    ss = st.session_state
    source = result.fingerprint(array)
    kept = _for(ss.get(f"{key}_kept"), source)  # edits made so far, as an array
    box = st.expander(f"Edit {label} values", key=f"{key}_open", on_change="rerun")
    if box.open and not ss.get(f"{key}_was_open"):
        ss[f"{key}_base"] = (source, kept)  # just opened: its editors start from the edits
    ss[f"{key}_was_open"] = box.open
    if box.open:
        base = _for(ss.get(f"{key}_base"), source)
        with box:
            out = _editors(array if base is None else base, label, key)
        if np.isnan(out).any():
            raise ValueError(f"{label}: every edited cell needs a number")
        kept = None if np.array_equal(out, array) else result.frozen(out)
        ss[f"{key}_kept"] = (source, kept)
    if kept is None:
        return array, array_id
    return kept, "edited:" + result.fingerprint(kept)


def _for(saved: tuple | None, source: str) -> np.ndarray | None:
    """The array saved for ``source`` (edits of another array do not apply), or None."""
    return saved[1] if saved is not None and saved[0] == source else None


def _editors(base: np.ndarray, label: str, key: str) -> np.ndarray:
    """One editor per trailing slice of ``base``; the values as edited, in ``base``'s shape."""
    a = base if base.ndim > 2 else base[:, :, None]
    a = a.reshape(a.shape[0], a.shape[1], -1)
    trailing = list(np.ndindex(base.shape[2:]))
    names = (
        [f"[:, :, {', '.join(map(str, i))}]" for i in trailing] if len(trailing) > 1 else [label]
    )
    slices = []
    # Tabs keep every editor drawn, so edits to one slice survive looking at another.
    for i, tab in enumerate(st.tabs(names)):
        with tab:
            frame = pd.DataFrame(a[:, :, i])
            frame.columns = frame.columns.astype(str)
            changed = st.data_editor(frame, key=f"{key}_{result.fingerprint(base)}_{i}")
            slices.append(changed.to_numpy(dtype=float))
    return np.stack(slices, axis=2).reshape(base.shape).astype(np.result_type(base, float))
