"""A page's result as a typed value, and the cached work that makes it.

Arrays are identified by the settings that made them (plus an upload's id
and any edits), not by hashing megabytes each run. They are cached as shared
read-only objects in one byte-bounded cache (:mod:`conv.app.array_cache`):
``st.cache_data`` would unpickle a fresh copy of a large input on every run,
and a count-bounded cache thrashes under twenty visitors.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

import conv
from conv.app import arrays, budget
from conv.app.array_cache import ArrayCache
from conv.app.limits import MAX_CACHED_BYTES
from conv.app.settings import Settings

__all__ = [
    "Result", "convolve", "fingerprint", "frozen", "input_array", "kernel_array", "precheck",
]  # fmt: skip

# One BLAS thread per call: the server runs one script thread per visitor on
# two cores, and threaded BLAS on an oversubscribed machine ran the budget's
# calibration problems 5-50x slower (benchmarks/bench_budget.py).
threadpool_limits(1, user_api="blas")


@dataclass(frozen=True, eq=False)
class Result:
    """One convolution as the page shows it.

    Attributes
    ----------
    settings : Settings
        What produced it.
    x, kernel, out : numpy.ndarray
        Input and filter as used (uploads and edits applied), and ``conv2d``'s output.
    x_id, k_id : str
        Cache identities of ``x`` and ``kernel``.
    pads : ((int, int), (int, int))
        Padding per side, resolved for these shapes.
    note : str
        How the output was computed when not as asked (the FFT alone), else "".
    """

    settings: Settings
    x: np.ndarray
    kernel: np.ndarray
    out: np.ndarray
    x_id: str
    k_id: str
    pads: tuple[tuple[int, int], tuple[int, int]]
    note: str = ""

    @property
    def filters(self) -> int:
        return self.out.shape[2] if self.out.ndim == 3 else 1

    @property
    def work_key(self) -> tuple[str, str, str]:
        """What the output (and code for it) depends on: the arrays and every setting
        but the explained cell, so a cache keyed on it survives clicks."""
        rest = dataclasses.replace(self.settings, cell=(0, 0), cell_filter=0)
        return self.x_id, self.k_id, rest.to_json()

    def cell(self) -> tuple[int, int, int]:
        """The explained (row, col, filter), clamped to this output."""
        (row, col), f = self.settings.cell, self.settings.cell_filter
        oh, ow = self.out.shape[:2]
        return min(row, oh - 1), min(col, ow - 1), min(f, self.filters - 1)


def frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def fingerprint(array: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(array).tobytes(), digest_size=8).hexdigest()


# Inputs, filters, outputs and overview images (conv.app.zoomed) of every
# visitor, up to this many bytes in all (least recently used go first), each
# for a minute past its last use: a page being used keeps its own, and the
# arrays of visitors who left go soon after (conv.app.sessions prunes them).
# A session resumed later rebuilds them from its settings and uploads.
ARRAYS = ArrayCache(max_bytes=MAX_CACHED_BYTES, ttl=60)


def _input(key: str, settings: Settings) -> np.ndarray:
    return ARRAYS.get(("input", key), lambda: frozen(np.array(arrays.build_input(settings))))


def _kernel(key: str, x_id: str, settings: Settings, x: np.ndarray) -> np.ndarray:
    return ARRAYS.get(
        ("kernel", key, x_id), lambda: frozen(np.array(arrays.build_kernel(settings, x)))
    )


def precheck(s: Settings) -> None:
    """Refuse, from the settings alone, a generated problem over the budget: nothing is built."""
    budget.check_input_shape(s)
    if s.source != "generate":
        return  # an example is small; an upload's shape is known once read
    k_shape = arrays.kernel_shape(s, s.shape)
    if k_shape is not None:
        budget.check_kernel_shape(k_shape)
        budget.check(s.shape, k_shape, s.conv_kwargs())


def input_array(s: Settings) -> tuple[np.ndarray, str]:
    """The example or generated input and its id (uploads: :mod:`conv.app.uploads`)."""
    precheck(s)
    part = s.input_part()
    key = part.to_json()
    return _input(key, part), key


def kernel_array(s: Settings, x: np.ndarray, x_id: str) -> tuple[np.ndarray, str]:
    """The filter for ``x`` and its id (uploads: :mod:`conv.app.uploads`)."""
    part = s.kernel_part()
    key = part.to_json()
    # A same-generator filter depends on the input's draw, so on the input's id too.
    return _kernel(key, x_id, part, x), f"{key}|{x_id}"


def _convolve(x_id: str, k_id: str, params: str, x, k, kwargs) -> tuple[np.ndarray, str]:
    made = {}

    def make() -> np.ndarray:
        out, made["note"] = budget.bounded_conv2d(x, k, **kwargs)
        return frozen(out)

    out = ARRAYS.get(("output", x_id, k_id, params), make)
    # Asked for after the output, so never evicted before it (least recently used first).
    note = ARRAYS.get(("note", x_id, k_id, params), lambda: np.array(made.get("note", "")))
    return out, str(note)


def convolve(s: Settings, x: np.ndarray, x_id: str, k: np.ndarray, k_id: str) -> Result:
    """Check the work budget, then convolve (cached); ValueError names what to change."""
    kwargs = s.conv_kwargs()
    budget.check(x.shape, k.shape, kwargs)
    out, note = _convolve(x_id, k_id, repr(kwargs), x, k, kwargs)
    pads = conv.resolve_padding(
        x.shape, k.shape, stride=s.stride, padding=s.padding_arg, dilation=s.dilation
    )
    return Result(s, x, k, out, x_id, k_id, pads, note)
