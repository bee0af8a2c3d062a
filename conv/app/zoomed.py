"""Large inputs and outputs on the Convolve page: an overview image beside a zoom.

An output with more cells than :data:`conv.app.figures.MAX_CLICK_TARGETS`
cannot give every cell a click target, and its heatmap would be megabytes
sent on every click. It is drawn as an overview image (a click moves the
zoom there) and a zoom of :data:`ZOOM_CELLS` cells round the explained cell,
whose every cell is clickable and printed. A large input gets an overview
with a box at the window, beside the input zoomed round it.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from conv.app import figure_size, figures, images
from conv.app.overview import overview_figure
from conv.app.result import ARRAYS, Result

__all__ = ["ZOOM_CELLS", "input_overview", "is_large", "output_overview", "region"]

#: Output cells across the zoom of a large output.
ZOOM_CELLS = 7
# Input channels drawn in its overview; the zoom beside it has the others.
OVERVIEW_CHANNELS = 3
# Most pixels of an overview image: a little more than the figure shows, no
# more, since every new output (a stride change) sends its image again.
OUTPUT_PIXELS = 384 * 384
INPUT_PIXELS = 256 * 256


def is_large(shape: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` has more cells per panel than can each be clicked."""
    return figure_size.drawn_step(shape[:2], figures.MAX_CLICK_TARGETS) > 1


def region(cell: tuple[int, int], shape: tuple[int, ...], size: int = ZOOM_CELLS) -> tuple:
    """(rows, cols) slices of about ``size`` cells centred on ``cell``, inside ``shape``."""
    out = []
    for at, n in zip(cell, shape[:2], strict=True):
        start = min(max(at - size // 2, 0), max(n - size, 0))
        out.append(slice(start, min(start + size, n)))
    return tuple(out)


def output_overview(res: Result, f: int, colors: str, zoom: tuple, width: float) -> go.Figure:
    """The whole output of filter ``f`` as an image, the zoomed part boxed, clickable."""
    out = res.out if res.out.ndim == 3 else res.out[:, :, None]
    (source,) = _images(f"output.{f}", res.work_key, colors, OUTPUT_PIXELS, [out[:, :, f]])
    rows, cols = zoom
    bank = f" of filter {f}" if res.filters > 1 else ""
    return overview_figure(
        [source], out.shape[:2], title=f"whole output{bank} — click to zoom there",
        box=(rows.start, rows.stop - 1, cols.start, cols.stop - 1), targets=True,
        max_width=min(width, 320), max_height=320,
    )  # fmt: skip


def input_overview(res: Result, window, padded: np.ndarray, colors: str, width: float):
    """The whole input as images (first channels), the window's span boxed; None if small."""
    if not is_large(res.x.shape):
        return None
    x = res.x if res.x.ndim == 3 else res.x[:, :, None]
    h, w = x.shape[:2]
    channels = min(x.shape[2], OVERVIEW_CHANNELS)
    # One colour scale for all channels, padding included: the zoomed heatmaps'.
    p = padded if padded.ndim == 3 else padded[:, :, None]
    scale = [p[:, :, c] for c in range(min(p.shape[2], figures.MAX_PANELS))]
    key = (res.x_id, res.pads, res.settings.pad_mode)
    panels = [x[:, :, c] for c in range(channels)]
    sources = _images("input", key, colors, INPUT_PIXELS, panels, scale)
    inside_r = [r for r in window.rows if 0 <= r < h] or [0]
    inside_c = [c for c in window.cols if 0 <= c < w] or [0]
    names = [f"channel {c}" for c in range(channels)] if res.x.ndim == 3 else None
    more = f" (channels 0–{channels - 1} of {x.shape[2]})" if channels < x.shape[2] else ""
    return overview_figure(
        sources, (h, w), title=f"whole input{more}, window boxed", names=names,
        box=(min(inside_r), max(inside_r), min(inside_c), max(inside_c)),
        max_width=min(width, 100 + 130 * channels), max_height=170,
    )  # fmt: skip


def _images(what: str, key: tuple, colors: str, pixels: int, panels: list, scale=None) -> list:
    """URLs of the ``panels``' images, on the colour axis of the ``scale`` panels (default: theirs).

    ``key`` names what the panels are made from; ``what`` which of them they are.
    The PNGs are kept in the app's byte-bounded array cache, beside the arrays
    they are drawn from, so 20 visitors' images fit and leave with them.
    """
    axis = []  # the zoomed heatmaps' colour axis: read from every cell, so only on a miss

    def draw(panel) -> np.ndarray:
        if not axis:
            axis.append(figures.color_axis(panels if scale is None else scale, colors))
        return np.frombuffer(images.png(panel, axis[0], pixels)[0], np.uint8)

    return [
        images.url(ARRAYS.get(("png", *key, what, colors, pixels, i), lambda p=p: draw(p))
                   .tobytes(), f"{what}.{i}")
        for i, p in enumerate(panels)
    ]  # fmt: skip
