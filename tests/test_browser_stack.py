"""The Layer stack page in Debian's Chromium: the U-Net example, a layer and a cell picked,
its receptive field drawn at every earlier map, and no exception on the page.

Reuses the server and browser fixtures of ``test_browser.py`` (skipped the same way).
Set ``CONVSCOPE_SHOTS=/some/dir`` to keep the screenshot.
"""

from test_app_stack import field_back
from test_browser import app_url, page, shoot, sync_api  # noqa: F401  (pytest fixtures)

import conv
from conv.stacks import STACKS


def click_cell(tab, chart, row: int, col: int) -> None:
    """Click a map cell at its pixel centre, found from plotly's own axes."""
    box = tab.evaluate(
        f"""(el) => {{
            const l = el._fullLayout, r = el.getBoundingClientRect();
            return [r.left + l.xaxis._offset + l.xaxis.l2p({col}),
                    r.top + l.yaxis._offset + l.yaxis.l2p({row})];
        }}""",
        chart.element_handle(),
    )
    tab.mouse.click(*box)


def test_unet_pick_a_layer_and_a_cell_and_see_its_receptive_field(page, app_url, tmp_path):  # noqa: F811
    page.goto(f"{app_url}/stack?stack=Small+U-Net")
    page.get_by_text("The stack runs").first.wait_for(timeout=60_000)
    # Pick layer 13 (the first transposed convolution back at 64 x 64) from the map list.
    page.get_by_role("combobox", name="map (a layer's output)").click()
    page.get_by_role("option", name="layer 13 ConvTranspose2d → 16 × 64 × 64").click()
    page.get_by_text("of layer 13's output depends on").first.wait_for(timeout=30_000)
    text = page.get_by_text("Cell (20, 30) of layer 13's output depends on a")
    for _ in range(3):  # the page may still be redrawing the map after the choice: retry
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot').length >= 11", timeout=60_000
        )
        page.wait_for_timeout(2000)
        click_cell(page, page.locator(".js-plotly-plot").nth(1), 20, 30)
        try:
            text.first.wait_for(timeout=15_000)
            break
        except sync_api.Error:
            continue
    text.first.wait_for(timeout=15_000)
    # The field at the input, from the interval recurrence written in test_app_stack.
    unet = STACKS["Small U-Net"]
    (r0, r1), (c0, c1) = field_back(conv.parse_layers(unet.code), unet.input_shape, 13, (20, 30))
    page.get_by_text(f"rows {r0} – {r1}, columns {c0} – {c1}").first.wait_for(timeout=30_000)
    size = f"field {r1 - r0 + 1} × {c1 - c0 + 1}"
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot').length >= 11", timeout=60_000
    )
    titles = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].map("
        "el => (el._fullLayout.title || {}).text || '')"
    )
    assert any(f"input<br>64 × 64: {size}" in title for title in titles), titles
    assert not page.locator("[data-testid='stException']").count()
    assert not page.get_by_text("Traceback").count()
    shoot(page, tmp_path, "stack-unet-field.png")
