"""Large arrays as colour-mapped PNG images, served by URL instead of sent as numbers.

A heatmap of a million cells is megabytes of JSON that every rerun sends
again; a PNG of the same colours is a few hundred kilobytes that Streamlit
serves once from its media store (the same bytes give the same URL, so the
browser keeps it across clicks). The colours are the heatmaps' own: the
image is mapped through the same plotly colour axis, so an overview and a
zoomed heatmap of one array agree.

Examples
--------
>>> import numpy as np
>>> from conv.app.figures import color_axis
>>> z = np.array([[-1.0, 0.0], [1.0, np.nan]])
>>> rgba = colour_cells(z, color_axis([z]))
>>> rgba.shape, rgba[1, 1, 3], rgba[0, 1].tolist()  # NaN is transparent, 0 is the midpoint
((2, 2, 4), np.uint8(0), [247, 247, 247, 255])
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image
from plotly.colors import hex_to_rgb, unlabel_rgb

from conv.app.figure_size import drawn_step

__all__ = ["MAX_IMAGE_PIXELS", "colour_cells", "data_uri", "png", "url"]

#: Most pixels of an overview image: about twice what a 500 px figure shows
#: across, so a downsampled overview still looks sharp.
MAX_IMAGE_PIXELS = 1024 * 1024
_LEVELS = 257  # odd, so the midpoint of a diverging scale is a level of its own


def _lut(scale: list) -> np.ndarray:
    """(257, 3) uint8 colours interpolated along a plotly colour scale, as plotly does."""
    stops = np.array([float(s) for s, _ in scale])
    rgb = np.array(
        [hex_to_rgb(c) if c.startswith("#") else unlabel_rgb(c) for _, c in scale], dtype=float
    )
    at = np.linspace(0.0, 1.0, _LEVELS)
    return (
        np.column_stack([np.interp(at, stops, rgb[:, i]) for i in range(3)])
        .round()
        .astype(np.uint8)
    )


def colour_cells(z: np.ndarray, axis: dict) -> np.ndarray:
    """(H, W, 4) RGBA of ``z`` through a :func:`conv.app.figures.color_axis`; NaN is transparent.

    Infinities take the end colours, as on the heatmaps.
    """
    lo, hi = float(axis["cmin"]), float(axis["cmax"])
    with np.errstate(invalid="ignore", over="ignore"):
        t = (z.astype(np.float64) - lo) / ((hi - lo) or 1.0)
    index = np.rint(np.nan_to_num(np.clip(t, 0.0, 1.0), nan=0.0) * (_LEVELS - 1))
    rgba = np.empty((*z.shape, 4), np.uint8)
    rgba[..., :3] = _lut(axis["colorscale"])[index.astype(np.intp)]
    rgba[..., 3] = np.where(np.isnan(z), 0, 255)
    return rgba


def png(z: np.ndarray, axis: dict, max_pixels: int = MAX_IMAGE_PIXELS) -> tuple[bytes, int]:
    """A PNG of ``z``'s colours, every n-th row and column so it has at most ``max_pixels``.

    Returns the PNG bytes and n.

    Examples
    --------
    >>> import numpy as np
    >>> from conv.app.figures import color_axis
    >>> z = np.arange(12.0).reshape(3, 4)
    >>> data, step = png(z, color_axis([z]), max_pixels=4)
    >>> data[:4], step
    (b'\\x89PNG', 2)
    """
    step = drawn_step(z.shape, max_pixels)
    buffer = io.BytesIO()
    Image.fromarray(colour_cells(z[::step, ::step], axis), "RGBA").save(buffer, "PNG")
    return buffer.getvalue(), step


def url(data: bytes, name: str) -> str:
    """A URL the browser can load ``data`` (a PNG) from.

    Streamlit's media store when the app runs in a server (the same bytes
    give the same URL, kept as long as the page shows it); a data URI
    otherwise, e.g. under ``AppTest`` or in a notebook.
    """
    from streamlit import runtime

    try:
        if runtime.exists():
            # Private to Streamlit but stable since 1.0; st.image uses it the same way.
            store = runtime.get_instance().media_file_mgr
            return store.add(data, "image/png", f"convscope.{name}")
    except Exception:  # any failure: the self-contained URI below still works
        pass
    return data_uri(data)


def data_uri(data: bytes) -> str:
    """``data`` (a PNG) as a self-contained ``data:`` URL."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
