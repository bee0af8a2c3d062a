"""The Layer types page in Debian's Chromium: each operation drawn, no exception element.

Reuses the Playwright fixtures of ``test_browser`` (a ``streamlit run`` on a
free port, Chromium); skipped, as that module is, without Chromium or Playwright.
"""

import pytest
from test_browser import (
    app_url,
    assert_no_values_overlap,
    browser,
    chart_boxes,
    click_until_explained,
    page,
    settled,
    shoot,
    wait_for_charts,
)

__all__ = ["app_url", "browser", "page"]  # fixtures, used by name

CASES = {
    # op: (query, heatmap panels at least, a sentence the page must show)
    "depthwise": (
        "op=conv&source=generate&shape=8x8x3&groups=3",
        3 + 3 + 3,
        "groups = 3 (depthwise)",
    ),
    "transpose": (
        "op=transpose&source=generate&shape=4x4&kshape=3x3&stride=2",
        1 + 1 + 1 + 2 + 1 + 1,
        "paints per output cell",
    ),
    "max-ceil": (
        "op=max&source=generate&shape=5x5&psize=2&stride=2&ceil=1&cell=2,2",
        1 + 1,
        "ceil_mode gives 3×3 instead of 2×2",
    ),
    "avg": (
        "op=avg&source=generate&shape=6x6x2&psize=3&stride=2&lpad=1&cip=0",
        2 + 2,
        "divided by",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_layer_type_is_drawn_without_an_exception(page, app_url, tmp_path, name):
    query, panels, sentence = CASES[name]
    page.goto(f"{app_url}/layers?{query}")
    page.get_by_text(sentence).first.wait_for(timeout=60_000)
    wait_for_charts(page, panels)
    assert not page.locator("[data-testid=stException]").count()
    assert not page.get_by_text("Traceback").count()
    assert not page.get_by_text("Something went wrong").count()
    shoot(page, tmp_path, f"layers-{name}.png")


def test_clicking_a_transposed_output_cell_explains_it(page, app_url):
    page.goto(f"{app_url}/layers?op=transpose&source=generate&shape=4x4&kshape=3x3&stride=2")
    page.get_by_text("Explain output cell (0, 0)").wait_for(timeout=60_000)
    wait_for_charts(page, 3)
    click_until_explained(page, 4, 2, charts=3)  # input, filter, output: the third chart
    page.get_by_text("4 input cells paint it").first.wait_for(timeout=30_000)
    assert not page.locator("[data-testid=stException]").count()


@pytest.mark.parametrize(
    ("width", "query"),
    [
        (390, ""),
        (1024, ""),
        (390, "op=conv&source=generate&shape=5x5&kshape=3x3"),
        (390, "op=transpose&source=generate&shape=4x4&kshape=3x3&stride=2"),
    ],
)
def test_on_a_phone_or_tablet_figures_fit_and_no_values_overlap(
    browser, app_url, tmp_path, width, query
):
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto(f"{app_url}/layers?{query}")
    page.get_by_text("Explain output cell (0, 0)").wait_for(timeout=60_000)
    settled(page)
    shoot(page, tmp_path, f"layers-{width}.png")
    rights = [box["right"] for box in chart_boxes(page)]
    assert len(rights) >= 3 and max(rights) <= width, rights
    assert_no_values_overlap(page)
