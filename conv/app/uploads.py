"""Uploaded files: kept in the session until removed with the uploader's ×, read once.

Switching to another source hides the uploader, and Streamlit forgets the
files of hidden widgets, so the bytes are kept under a key of their own. The
uploader's ``on_change`` callback is the only place that changes them: a
new file replaces them, the × removes them.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from conv import io as conv_io
from conv.app import layouts, limits

__all__ = ["Upload", "read", "uploader"]

Upload = tuple[str, str, str | None, bytes]  # file id, name, npz key, bytes


def _kept(key: str) -> None:
    file = st.session_state.get(f"{key}.file")
    if file is None:
        st.session_state.pop(f"{key}.kept", None)
    else:
        st.session_state[f"{key}.kept"] = (file.file_id, file.name, file.getvalue())


def help_text(bank: bool) -> str:
    """What an uploader reads, in the words of ``conv.io`` and the app's limits."""
    formats = ", ".join(f".{ext}" for ext in conv_io.UPLOAD_TYPES)
    lines = [
        f"Reads {formats}.",
        "CSV/TSV/TXT: one matrix row per line; a single line is read as a 1×N row, "
        "one value per line as an N×1 column.",
        "A multi-channel (H, W, C) array as CSV: the long form `row,col,channel,value`, "
        "one cell per line, 0-based indices.",
    ]
    if bank:
        lines.append(
            "A filter bank (KH, KW, C, F): .npy/.npz, or CSV long form "
            "`row,col,channel,filter,value`, 0-based."
        )
    lines.append(f"At most {limits.MAX_UPLOAD_MB} MB and {limits.MAX_CELLS:,} cells per array.")
    return "\n\n".join(lines)


def uploader(label: str, key: str, bank: bool) -> Upload | None:
    """Draw an uploader; the file it holds (or held before being hidden), if any."""
    st.file_uploader(
        label, type=conv_io.UPLOAD_TYPES, key=f"{key}.file", help=help_text(bank),
        on_change=_kept, args=(key,),
    )  # fmt: skip
    kept = st.session_state.get(f"{key}.kept")
    if kept is None:
        return None
    file_id, name, data = kept
    npz_key = None
    if name.lower().endswith(".npz"):
        try:
            names = _npz_names(file_id, data)
        except ValueError:
            names = []  # read() reports what is wrong with the file
        if names:
            npz_key = st.selectbox("array in the .npz", names, key=f"{key}.npz")
    if st.session_state.get(f"{key}.file") is None:
        st.caption(f"Using **{name}**, uploaded earlier.")
    return file_id, name, npz_key, data


def read(upload: Upload | None, what: str, layout: str) -> tuple[np.ndarray, str, tuple[int, ...]]:
    """The uploaded array moved from ``layout`` to channels-last, an id for caching, and
    its shape as uploaded; ValueError saying what to do otherwise."""
    if upload is None:
        raise ValueError(f"{what}: choose a file to upload ({what} source is 'Upload')")
    file_id, name, npz_key, data = upload
    array, shape, _ = _read(file_id, name, npz_key, what, layout, data)
    return array, f"upload:{file_id}:{npz_key}:{layout}", shape


def reading_notes(upload: Upload | None, what: str, layout: str) -> list[str]:
    """What reading the upload decided, in sentences (alpha dropped, EXIF turn, header …)."""
    if upload is None:
        return []
    file_id, name, npz_key, data = upload
    return _read(file_id, name, npz_key, what, layout, data)[2]


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _read(
    file_id: str, name: str, key: str | None, what: str, layout: str, _data: bytes
) -> tuple[np.ndarray, tuple[int, ...], list[str]]:
    """Read once per file and layout: the move copies, and a large input is megabytes."""
    try:
        array, notes = conv_io.read_array_with_notes(
            _data, name, key=key, max_ndim=layouts.max_ndim(layout, what)
        )
    except ValueError as error:
        if what == "input" and layout == "HWC" and "has 4 dimensions" in str(error):
            raise ValueError(
                f"{error}; an N×C×H×W array with N = 1 reads with array layout C×H×W"
            ) from None
        raise
    moved = layouts.channels_last(array, layout, what)
    moved.setflags(write=False)
    return moved, array.shape, notes


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _npz_names(file_id: str, _data: bytes) -> list[str]:
    return conv_io.npz_names(_data)
