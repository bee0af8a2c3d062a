"""The Layer types page's result: one grouped convolution, transposed convolution or pooling.

The page takes the input and filter from the shared sidebar sections and
turns them into the arguments of :func:`conv.conv2d` (with ``groups``),
:func:`conv.conv_transpose2d` or :func:`conv.pool2d`; the work is budget-checked
from shapes first (:func:`conv.app.budget.check_layer`) and cached.

A grouped convolution keeps the sidebar's filters as the filters *per
group*: with ``groups = g`` and ``M`` sidebar filters the layer has
``g * M`` filters, and filter ``m`` of group ``i`` is the sidebar's filter
``m`` restricted to the channels of group ``i``. So ``groups = 1`` is the
Convolve page's layer, ``groups = C`` with one filter is its depthwise split,
and summing the groups' outputs gives the ``groups = 1`` output back.

Examples
--------
>>> import numpy as np
>>> k = grouped_kernel(np.arange(8.0).reshape(1, 2, 4, 1), channels=4, groups=2)
>>> k.shape, k[0, 0, :, 1].tolist()  # group 1 keeps channels 2 and 3
((1, 2, 2, 2), [2.0, 3.0])
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import streamlit as st

import conv
from conv.app import arrays, budget, result, state, uploads
from conv.app.settings import Settings

__all__ = [
    "OP_LABELS",
    "POOLS",
    "LayerResult",
    "as_3d",
    "compute",
    "grouped_kernel",
    "layer_params",
    "own_arrays",
]

OP_LABELS = {
    "conv": "Convolution (groups)",
    "transpose": "Transposed convolution",
    "max": "Max pool",
    "avg": "Average pool",
}
POOLS = ("max", "avg")


@dataclass(frozen=True, eq=False)
class LayerResult:
    """One layer as the page shows it.

    Attributes
    ----------
    settings : Settings
    op : str
        ``"conv"``, ``"transpose"``, ``"max"`` or ``"avg"``.
    x : numpy.ndarray
        The input as used, always (H, W, C).
    kernel : numpy.ndarray or None
        The 4-D kernel the library got (None for pooling).
    sidebar_kernel : numpy.ndarray or None
        The sidebar's filter as (KH, KW, C, M), before grouping.
    out : numpy.ndarray
        The output, always (OH, OW, F) (F = C for pooling).
    x_id : str
        Cache identity of ``x``.
    params : dict
        Keyword arguments of the library call (everything but the arrays).
    seconds, macs : float, int
        The work, as priced by the budget (predicted seconds, multiply-adds).
    note : str
        How the output was computed when not as asked (the FFT alone), else "".
    """

    settings: Settings
    op: str
    x: np.ndarray
    kernel: np.ndarray | None
    sidebar_kernel: np.ndarray | None
    out: np.ndarray
    x_id: str
    params: dict
    seconds: float
    macs: int
    note: str = ""

    @property
    def channels(self) -> int:
        return self.out.shape[2]

    def cell(self) -> tuple[int, int, int]:
        """The explained (row, col, channel), clamped to this output."""
        (row, col), f = self.settings.cell, self.settings.cell_filter
        oh, ow, channels = self.out.shape
        return min(row, oh - 1), min(col, ow - 1), min(f, channels - 1)


def as_3d(x: np.ndarray) -> np.ndarray:
    """``x`` as (H, W, C): a 2-D array gets one channel."""
    return x if x.ndim == 3 else x.reshape(x.shape[0], -1, 1)


def _as_4d(k: np.ndarray) -> np.ndarray:
    """(KH, KW) and one-filter (KH, KW, C) kernels as (KH, KW, C, F)."""
    return k if k.ndim == 4 else k.reshape(k.shape[0], k.shape[1], -1, 1)


def grouped_kernel(k4: np.ndarray, channels: int, groups: int) -> np.ndarray:
    """The (KH, KW, C // groups, groups * M) kernel: each sidebar filter split by group."""
    if groups < 1 or channels % groups:
        divisors = [g for g in range(1, channels + 1) if channels % g == 0]
        raise ValueError(
            f"groups={groups} must divide C={channels}, the input's channels: "
            f"choose one of {', '.join(map(str, divisors[:24]))}"
        )
    if k4.shape[2] != channels:
        raise ValueError(f"the filter has {k4.shape[2]} channels but the input has C={channels}")
    cg = channels // groups
    return np.concatenate([k4[:, :, i * cg : (i + 1) * cg, :] for i in range(groups)], axis=3)


def layer_params(s: Settings) -> dict:
    """Keyword arguments of the library call for ``s.op``."""
    if s.op == "conv":
        return {**s.conv_kwargs(), "groups": s.groups}
    if s.op == "transpose":
        return {
            "stride": s.stride, "padding": s.layer_pad, "output_padding": s.output_padding,
            "dilation": s.dilation,
        }  # fmt: skip
    params = {
        "size": s.pool_size, "stride": s.stride, "padding": s.layer_pad, "ceil_mode": s.ceil_mode,
        "mode": s.op, "dilation": s.dilation if s.op == "max" else (1, 1),
    }  # fmt: skip
    if s.op == "avg":
        params["count_include_pad"] = s.count_include_pad
    return params


def own_arrays(s: Settings, x_upload, k_upload) -> tuple[np.ndarray, str, np.ndarray | None]:
    """Input and filter for a transposed convolution or pooling (None: pooling has no filter).

    :func:`conv.app.sidebar.arrays` refuses what the Convolve page's convolution
    of these arrays could not do (a kernel larger than a small input, say), which
    a transposed convolution does routinely; this page prices its own layer
    instead (:func:`conv.app.budget.check_layer`). In-place edits are the
    Convolve page's and the convolution's.
    """
    if s.source == "upload":
        x, x_id, _ = uploads.read(x_upload, "input", s.x_layout)
    else:
        # An uploaded filter's shape is unknown: the input alone is checked before it is drawn.
        x, x_id = result.input_array(dataclasses.replace(s, kernel_source="upload"))
    if s.op in POOLS:
        return x, x_id, None
    if s.kernel_source == "upload":
        k, _, _ = uploads.read(k_upload, "filter", s.k_layout)
        return x, x_id, k
    shape = arrays.kernel_shape(s, x.shape)
    if shape is not None:
        budget.check_kernel_shape(shape)
    return x, x_id, result.kernel_array(s, x, x_id)[0]


@st.cache_resource(max_entries=16, ttl=1800, show_spinner=False)
def _run(x_id: str, k_print: str, op: str, params: str, _x, _k, _kwargs) -> tuple[np.ndarray, str]:
    note = ""
    if op == "conv":
        out, note = budget.bounded_conv2d(_x, _k, **_kwargs)
    elif op == "transpose":
        out = conv.conv_transpose2d(_x, _k, **_kwargs)
    else:
        out = conv.pool2d(_x, **_kwargs)
    out.setflags(write=False)
    return out, note


def compute(s: Settings, x: np.ndarray, x_id: str, k: np.ndarray | None) -> LayerResult:
    """Shape the arrays for ``s.op``, check the budget, compute (cached); ValueError if not."""
    x3 = as_3d(np.asarray(x))
    params = layer_params(s)
    sidebar_kernel = None if k is None or s.op in POOLS else _as_4d(np.asarray(k))
    kernel = sidebar_kernel
    if s.op == "conv":
        kernel = grouped_kernel(sidebar_kernel, x3.shape[2], s.groups)
    elif s.op in POOLS:
        kernel = None
    k_shape = None if kernel is None else kernel.shape
    seconds, _, macs = budget.check_layer(s.op, x3.shape, k_shape, params)
    # The kernel's own bytes identify it: its settings id also holds unrelated view settings.
    k_print = "" if kernel is None else result.fingerprint(kernel) + str(kernel.shape)
    out, note = _run(x_id, k_print, s.op, repr(params), x3, kernel, params)
    return LayerResult(s, s.op, x3, kernel, sidebar_kernel, out, x_id, params, seconds, macs, note)


def clamped(name: str, low: int, high: int, index: int | None = None) -> dict:
    """:func:`conv.app.state.bind` for a widget whose range depends on the arrays."""
    bound = state.bind(name, index)
    value = st.session_state[bound["key"]]
    if not low <= value <= high:
        st.session_state[bound["key"]] = min(max(value, low), high)
    return bound
