"""A plotly figure kept as the plain dict it is sent as, made a plotly object only when read.

``st.plotly_chart`` asks a figure for ``to_dict()`` and sends that as JSON.
For a figure built as plain dicts (the app's heatmaps, :mod:`conv.app.figures`)
plotly first makes an object per trace and axis, then deep-copies them back
into dicts and base64-encodes each array through narwhals: on a stride change
of the exercise, 19 ms of the script's 52 ms went there (cProfile of 40 reruns,
``benchmarks/bench_redraw.py --server`` for the whole). A :class:`LazyFigure`
returns the dict it was given, its arrays encoded as plotly encodes them, and
builds the plotly figure only when something else is asked of it
(``fig.data``, ``fig.layout``, ``fig.add_trace`` ...), so it is an ordinary
``go.Figure`` to everyone else.

Examples
--------
>>> import numpy as np
>>> z = np.eye(2, dtype=np.float32)
>>> fig = LazyFigure([{"type": "heatmap", "z": z}], {"width": 90, "template": {}})
>>> fig.to_dict()["data"][0]["z"]
{'dtype': 'f4', 'bdata': 'AACAPwAAAAAAAAAAAACAPw==', 'shape': '2, 2'}
>>> pixel_width(fig), fig.layout.width, fig.data[0].type
(90, 90, 'heatmap')
"""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go

__all__ = ["LazyFigure", "pixel_width"]

# plotly.js's names of the typed arrays it reads (_plotly_utils.utils.plotlyjsShortTypes).
_SHORT = {
    "int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2",
    "int32": "i4", "uint32": "u4", "float32": "f4", "float64": "f8",
}  # fmt: skip
# Keys plotly sends as they are (_plotly_utils.utils.is_skipped_key).
_AS_IS = {"geojson", "layer", "layers", "range"}


class LazyFigure(go.Figure):
    """``go.Figure(data=data, layout=layout, _validate=False)``, built only when read.

    Parameters
    ----------
    data : list of dict
        Traces as plotly dicts; numpy arrays anywhere in them.
    layout : dict
        The layout as a plotly dict.
    """

    def __init__(self, data: list[dict], layout: dict) -> None:
        # Not through plotly's __setattr__, which accepts only its own properties.
        self.__dict__["_spec"] = (data, layout)

    def __getattr__(self, name: str):
        # Called only for what is not there yet: everything plotly's __init__ sets.
        spec = self.__dict__.pop("_spec", None)
        if spec is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        go.Figure.__init__(self, data=spec[0], layout=spec[1], _validate=False)
        return getattr(self, name)

    def __reduce__(self):
        # Copied or unpickled, it is an ordinary figure (plotly's reduce names the class).
        return go.Figure, go.Figure.__reduce__(self)[1]

    def to_dict(self) -> dict:
        """What ``go.Figure.to_dict`` returns, without building the figure."""
        spec = self.__dict__.get("_spec")
        if spec is None or "template" not in spec[1]:
            # plotly adds its default template to a layout without one: let it.
            return super().to_dict()
        return {"data": [_encoded(t) for t in spec[0]], "layout": _encoded(spec[1])}


def pixel_width(fig: go.Figure) -> float:
    """``fig.layout.width``, read without building a :class:`LazyFigure`."""
    spec = fig.__dict__.get("_spec")
    return spec[1]["width"] if spec is not None else fig.layout.width


def _encoded(value):
    """``value`` with its numpy arrays as plotly.js typed arrays; the input is not changed."""
    if isinstance(value, dict):
        return {
            k: v if k in _AS_IS else _typed(v) if isinstance(v, np.ndarray) else _encoded(v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(_encoded(v) for v in value)
    return value


def _typed(a: np.ndarray):
    """One array as ``_plotly_utils.utils.to_typed_array_spec`` sends it."""
    if a.size == 0:
        return a
    if a.dtype == np.int64 or a.dtype == np.uint64:
        # plotly.js has no 64-bit integers: the smallest type that holds them, as plotly does.
        lo, hi = a.min(), a.max()
        kinds = ("int8", "int16", "int32") if a.dtype == np.int64 else ("uint8", "uint16", "uint32")
        for kind in kinds:
            info = np.iinfo(kind)
            if info.min <= lo and hi <= info.max:
                a = a.astype(kind)
                break
        else:
            return a
    short = _SHORT.get(str(a.dtype))
    if short is None:
        return a
    spec = {"dtype": short, "bdata": base64.b64encode(np.ascontiguousarray(a)).decode("ascii")}
    if a.ndim > 1:
        spec["shape"] = str(a.shape)[1:-1]
    return spec
