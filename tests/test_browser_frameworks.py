"""The framework section in Chromium: it opens, its table is drawn, and nothing raises.

Uses the Playwright fixtures of ``test_browser`` (skipped with it when
Chromium or Playwright is missing).
"""

from test_browser import app_url, page, shoot  # noqa: F401  (fixtures)

LINK = "?source=generate&shape=6x8&filter=same-rng&kshape=3x3&stride=2&padding=same"


def test_the_framework_table_opens_on_the_convolve_page(page, app_url, tmp_path):  # noqa: F811
    page.goto(f"{app_url}/{LINK}")
    section = page.locator("[data-testid=stExpander]").filter(has_text="Frameworks: this layer")
    section.get_by_text("Frameworks: this layer").click()
    table = section.locator("[data-testid=stTable]")
    table.wait_for(timeout=60_000)
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box["width"] > 300 and box["height"] > 150  # six framework rows drawn
    section.get_by_text("Differ from this page or refuse: PyTorch, ONNX SAME_LOWER").wait_for()
    assert table.get_by_text("padding='same' is not supported for strided").is_visible()
    assert table.get_by_text("✗\u00a0differs").is_visible()
    section.get_by_role("tab", name="ONNX").click()
    section.get_by_text('"Conv", ["x", "w"], ["y"]').wait_for()
    assert not page.locator("[data-testid=stException]").count()
    assert not page.get_by_text("Traceback").count()
    shoot(page, tmp_path, "frameworks.png")
