"""A hand-computed answer: read from pasted text or a file within limits, then checked.

Reading and checking are priced before any work: a pasted answer of absurd
size, or a problem whose check would hold the server for long, is refused
with the numbers and what to change. The check itself is
:func:`conv.check_answer`, cached per problem and answer.

Examples
--------
>>> read_text("1.5 ? 2\\n3,,4")
array([[1.5, nan, 2. ],
       [3. , nan, 4. ]])
>>> read_text("1 2\\n3 x")
Traceback (most recent call last):
...
ValueError: answer row 2, column 2: 'x' is not a number
>>> check_budget((100, 101), (3, 3, 3), (1, 1))
Traceback (most recent call last):
...
ValueError: this problem's output has 10,100 cells; answers are checked for outputs of ...
>>> convolve_link({"example": "seed-2d", "cell": "1,2"})
'./?example=seed-2d&cell=1%2C2'
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import streamlit as st

import conv
from conv import io as conv_io
from conv.app import limits
from conv.app.result import Result

__all__ = [
    "FILE_TYPES",
    "Checked",
    "check",
    "check_budget",
    "convolve_link",
    "read_file",
    "read_text",
]

#: Answer files: text with one output row per line (as pasted), or a numpy array.
FILE_TYPES = ("csv", "tsv", "txt", "npy")


@dataclass(frozen=True, eq=False)
class Checked:
    """An answer checked against one filter's output of a problem.

    Attributes
    ----------
    report : conv.AnswerReport
        What :func:`conv.check_answer` found.
    filter_index : int
        The filter whose output was compared (0 for a single filter).
    """

    report: conv.AnswerReport
    filter_index: int


def _fits(answer: np.ndarray) -> np.ndarray:
    if answer.size > limits.MAX_ANSWER_CELLS:
        raise ValueError(
            f"the answer has {answer.shape[0]:,} rows × {answer.shape[1]:,} columns = "
            f"{answer.size:,} cells, more than the {limits.MAX_ANSWER_CELLS:,} checked here"
        )
    return answer


def read_text(text: str) -> np.ndarray:
    """Pasted text as a 2-D answer (NaN where not given); ValueError naming row and column."""
    if len(text) > limits.MAX_ANSWER_CHARS:
        raise ValueError(
            f"the pasted answer is {len(text):,} characters long, more than the "
            f"{limits.MAX_ANSWER_CHARS:,} read here: paste the output only"
        )
    return _fits(conv.parse_answer(text))


def read_file(name: str, data: bytes) -> np.ndarray:
    """An uploaded answer: text read as pasted text, .npy through :func:`conv.io.read_array`."""
    if len(data) > limits.MAX_ANSWER_CHARS:
        raise ValueError(
            f"{name} is {len(data):,} bytes, more than the {limits.MAX_ANSWER_CHARS:,} "
            "read for an answer"
        )
    if name.lower().endswith(".npy"):
        answer = conv_io.read_array(data, name, max_ndim=2, allow_nonfinite=True)
        if np.isinf(answer).any():
            cell = tuple(int(i) for i in np.argwhere(np.isinf(answer))[0])
            raise ValueError(f"{name}: the value at {cell} is infinite (NaN marks no value)")
        return _fits(answer.reshape(answer.shape[0], -1) if answer.ndim else answer.reshape(1, 1))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not a text file: save the answer as CSV") from None
    try:
        return read_text(text)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


def check_budget(
    out_shape: tuple[int, ...], k_shape: tuple[int, ...], stride: tuple[int, int]
) -> None:
    """Refuse a problem whose check would take too long (ValueError with the numbers)."""
    if max(stride) > limits.MAX_CHECK_STRIDE:
        raise ValueError(
            f"stride {stride[0]}, {stride[1]}: answers are checked for strides up to "
            f"{limits.MAX_CHECK_STRIDE}, as the check tries every offset of the stride"
        )
    cells = math.prod(out_shape[:2])
    if cells > limits.MAX_CHECK_CELLS:
        raise ValueError(
            f"this problem's output has {cells:,} cells; answers are checked for outputs of "
            f"at most {limits.MAX_CHECK_CELLS:,} cells: use a smaller input or a larger stride"
        )
    macs = cells * math.prod(k_shape[:3])
    if macs > limits.MAX_CHECK_MACS:
        raise ValueError(
            f"one convolution of this problem takes {macs:,} multiply-adds and a check "
            f"computes dozens; answers are checked up to {limits.MAX_CHECK_MACS:,} per "
            "convolution: use a smaller input or kernel, or a larger stride"
        )


@st.cache_resource(max_entries=16, ttl=1800, show_spinner=False)
def _check(
    x_id: str, k_id: str, params: str, answer_id: str, decimals: int | None, _answer, _x, _k, _kw
) -> conv.AnswerReport:
    return conv.check_answer(_answer, _x, _k, decimals=decimals, **_kw)


def check(
    res: Result, answer: np.ndarray, *, filter_index: int = 0, decimals: int | None = None
) -> Checked:
    """Check ``answer`` against filter ``filter_index`` of ``res``, within the check budget."""
    f = min(max(filter_index, 0), res.filters - 1)
    kernel = res.kernel[..., f] if res.kernel.ndim == 4 else res.kernel
    s = res.settings
    check_budget(res.out.shape, kernel.shape, s.stride)
    kwargs = {
        "stride": s.stride, "padding": s.padding_arg, "dilation": s.dilation,
        "pad_mode": s.pad_mode, "flip": s.flip,
    }  # fmt: skip
    answer_id = hashlib.blake2b(
        repr(answer.shape).encode() + np.ascontiguousarray(answer).tobytes(), digest_size=8
    ).hexdigest()
    params = f"{kwargs!r}|{f}"
    report = _check(res.x_id, res.k_id, params, answer_id, decimals, answer, res.x, kernel, kwargs)
    return Checked(report, f)


def convolve_link(query: dict[str, str]) -> str:
    """A relative link to the Convolve page (the app's root) opening with ``query``."""
    return "./?" + urlencode(query)
