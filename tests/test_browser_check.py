"""The Check my answer page in Debian's Chromium: a teacher link, a pasted answer, the verdict.

Uses test_browser's server and page fixtures (``streamlit run`` on a free
port, headless Chromium). Screenshots at phone, laptop and desktop widths;
``CONVSCOPE_SHOTS=/some/dir`` copies them there.
"""

import re
from urllib.parse import urlencode

import numpy as np
import test_browser
from playwright import sync_api
from reference import reference_conv2d
from test_browser import assert_no_values_overlap, chart_boxes, settled, shoot, wait_for_charts

# The server and browser fixtures of test_browser (one server per module).
app_url, page, browser = test_browser.app_url, test_browser.page, test_browser.browser

QUERY = {
    "source": "generate", "dist": "normal", "decimals": "2", "shape": "7x7", "seed": "2024",
    "filter": "same-rng", "kshape": "3x3", "stride": "2", "padding": "custom", "pad": "1",
}  # fmt: skip


def exercise() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2024)
    x = rng.normal(size=(7, 7)).round(2)
    k = rng.normal(size=(3, 3)).round(2)
    return x, k, reference_conv2d(x, k, stride=2, padding=((1, 1), (1, 1)))


def rows(values: np.ndarray) -> str:
    return "\n".join(" ".join(f"{v:.2f}" for v in row) for row in values)


def check(tab, text: str) -> None:
    box = tab.locator("textarea")
    box.fill(text)
    tab.get_by_role("button", name="Check", exact=True).click()


def test_a_teacher_link_shows_the_problem_only_then_checks_a_pasted_answer(page, app_url, tmp_path):
    x, k, out = exercise()
    page.goto(f"{app_url}/check?{urlencode(QUERY)}")
    page.get_by_text("Your answer is an output of").first.wait_for(timeout=60_000)
    wait_for_charts(page, 2)  # input (padding hatched) and filter; no output
    assert page.locator(".js-plotly-plot").count() == 2
    body = page.inner_text("body")
    # Values the input or filter also hold may be printed in their heatmaps.
    shown = {f"{v:.2f}" for v in (*x.ravel(), *k.ravel())}
    secret = {f"{v:.2f}" for v in out.ravel()} - shown
    assert len(secret) >= 14
    assert not [v for v in secret if re.search(rf"(?<![\d.]){re.escape(v)}(?!\d)", body)]
    assert "seed=2024" in page.url and not [v for v in secret if v in page.url]

    slipped = out.round(2)
    slipped[2, 1] += 1.0
    check(page, rows(slipped))
    page.get_by_text("1 of 16 values is wrong").first.wait_for(timeout=60_000)
    page.get_by_text("slip in the arithmetic").first.wait_for()
    wait_for_charts(page, 3)
    link = page.get_by_role("link", name=re.compile(r"See how cell \(2, 1\) is computed"))
    href = link.get_attribute("href")
    assert href.startswith("./?") and "cell=2%2C1" in href
    assert not page.get_by_text("Traceback").count()
    page.get_by_text("show the expected output").click()
    wait_for_charts(page, 4)
    for width in (390, 1280, 1920):
        # Streamlit scrolls inside its main block: a tall window shows the whole page.
        page.set_viewport_size({"width": width, "height": 2600 if width > 800 else 4200})
        page.mouse.move(1, 1)  # no hover tooltip or chart toolbar over the figures
        page.wait_for_timeout(800)  # let the layout settle at the new width
        shoot(page, tmp_path, f"check-{width}.png")

    # The flipped-kernel answer gets its sentence.
    page.set_viewport_size({"width": 1400, "height": 1800})
    check(page, rows(reference_conv2d(x, k[::-1, ::-1], stride=2, padding=1).round(2)))
    page.get_by_text("kernel rotated 180°").first.wait_for(timeout=60_000)

    # The wrong-cell link opens the Convolve page on that cell.
    page.goto(f"{app_url}/check?{urlencode(QUERY)}".replace("/check?", "/?") + "&cell=2,1")
    page.get_by_text("Explain output cell (2, 1)").first.wait_for(timeout=60_000)
    page.get_by_text(f"summed: {out[2, 1]:.6g}").first.wait_for(timeout=30_000)


def test_a_teacher_makes_a_link_that_opens_the_exercise(page, app_url, tmp_path):
    page.goto(f"{app_url}/check")
    wait_for_charts(page, 2)
    make = page.get_by_role("button", name="Make the exercise")
    code = page.locator("code", has_text="check?source=generate").first
    # A click that lands while a busy machine is still rerunning the page (the
    # first visit reruns when the browser reports its width) is lost with that
    # rerun, as in CI once: click again; a button that never works fails all three.
    for _ in range(3):
        if not make.is_visible():
            page.get_by_text("Teacher: make an exercise link").click()
        make.click()
        try:
            code.wait_for(timeout=20_000)
            break
        except sync_api.TimeoutError:
            settled(page, 2)
    code.wait_for(timeout=1_000)
    shoot(page, tmp_path, "check-teacher.png")
    link = code.inner_text().strip()
    assert link.startswith(f"{app_url}/check?") and "dist=integers" in link
    page.goto(link)
    page.get_by_text("Your answer is an output of 3 × 3 cells").first.wait_for(timeout=60_000)
    wait_for_charts(page, 2)
    assert page.locator(".js-plotly-plot").count() == 2


def test_on_a_phone_the_problem_is_drawn_for_its_width(browser, app_url, tmp_path):
    # A 33x33x3 input and a 5x5x3 filter drawn for a desktop and shrunk onto a
    # phone had the filter's printed values run into each other.
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{app_url}/check?example=seed-3d")
    page.get_by_text("The problem").first.wait_for(timeout=60_000)
    settled(page, 2)
    shoot(page, tmp_path, "check-problem-390.png")
    rights = [box["right"] for box in chart_boxes(page)]
    assert len(rights) == 2 and max(rights) <= 390, rights
    assert_no_values_overlap(page)
