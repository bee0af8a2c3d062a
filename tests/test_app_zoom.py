"""Large outputs: an overview image where a click moves the zoom, and a zoom of exact cells."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image
from plotly.colors import get_colorscale, sample_colorscale, unlabel_rgb

from conv.app import figures, images
from tests.apptest import figures as page_figures
from tests.apptest import open_app, output_shown, result
from tests.reference import reference_conv2d

LARGE = {"source": "generate", "shape": "300x300", "kshape": "3x3", "seed": "0"}


def plotly_rgb(value: float, lo: float, hi: float, scale: str) -> np.ndarray:
    """The colour plotly draws ``value`` in, from plotly's own interpolation."""
    t = min(max((value - lo) / (hi - lo), 0.0), 1.0)
    return np.array(unlabel_rgb(sample_colorscale(get_colorscale(scale), [t])[0]), float)


@pytest.mark.parametrize("colors", ["red–blue", "viridis", "cividis", "greys"])
def test_image_colours_are_plotlys_colours_for_the_same_axis(colors):
    rng = np.random.default_rng(7)
    z = rng.normal(size=(40, 50)) * 3
    z[3, 4] = np.nan
    axis = figures.color_axis([z], colors)
    rgba = images.colour_cells(z, axis)
    assert rgba[3, 4, 3] == 0  # not computed: transparent
    for r, c in zip(rng.integers(0, 40, 60), rng.integers(0, 50, 60), strict=True):
        if (r, c) == (3, 4):
            continue
        want = plotly_rgb(z[r, c], axis["cmin"], axis["cmax"], figures.COLORS[colors])
        # 257 levels: at most half a level (about 1/512 of the scale) off.
        assert np.abs(rgba[r, c, :3] - want).max() <= 2, (z[r, c], rgba[r, c], want)
        assert rgba[r, c, 3] == 255


def overview_image(fig: dict) -> np.ndarray:
    source = fig["layout"]["images"][0]["source"]
    assert source.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))))


def test_a_large_output_is_an_overview_image_and_an_exact_zoom_at_the_last_cell(monkeypatch):
    # AppTest's media store cannot be read back once the run ends: images inline.
    monkeypatch.setattr(images, "url", lambda data, name: images.data_uri(data))
    at = open_app(**LARGE)
    at.number_input(key="w.cell.0").set_value(297).run()
    at.number_input(key="w.cell.1").set_value(297).run()
    assert not at.exception
    res = result(at)
    x, k = res.x, res.kernel
    shown = output_shown(at)
    zoom = ~np.isnan(shown[:, :, 0])
    rows, cols = np.nonzero(zoom)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (291, 297, 291, 297)
    want = reference_conv2d(x[291:, 291:], k)
    np.testing.assert_allclose(shown[291:298, 291:298, 0], want, rtol=1e-12, atol=1e-12)
    (over,) = [f for f in page_figures(at) if f["layout"]["title"]["text"].startswith("whole out")]
    box = next(t for t in over["data"] if t["name"] == "zoomed part")
    assert min(box["y"]) <= 290.5 and max(box["y"]) >= 297.5
    # The image is the whole output on the zoom's colour scale.
    image = overview_image(over)
    assert image.shape[:2] == (298, 298)
    out = reference_conv2d(x[:20, :20], k)
    lim = np.abs(res.out).max()
    for r, c in [(0, 0), (5, 17), (17, 2)]:
        want = plotly_rgb(out[r, c], -lim, lim, figures.COLORSCALE)
        assert np.abs(image[r, c, :3] - want).max() <= 2


def test_a_click_sends_no_heatmap_of_the_whole_array():
    # 1024 x 1024 x 3 in, 509 x 509 out: the figures' own JSON (images aside,
    # which a server sends once by URL) stays small, so a click resends little.
    at = open_app(source="generate", shape="1024x1024x3", kshape="7x7", stride="2", seed="0")
    charts = page_figures(at)
    sizes = []
    for fig in charts:
        for image in fig["layout"].get("images", []):
            image["source"] = ""
        sizes.append(len(json.dumps(fig)))
    assert sum(sizes) < 40_000, sizes
    titles = [f["layout"]["title"]["text"] for f in charts]
    assert any(t.startswith("whole input") for t in titles), titles
