"""The real page in Debian's Chromium: heatmaps drawn, a click explains a cell, CSV downloads.

Starts ``streamlit run`` on a free localhost port and drives it with
Playwright. Skipped only when Chromium or Playwright is missing (CI installs
both). Set ``CONVSCOPE_SHOTS=/some/dir`` to also copy the screenshots there.
"""

import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from reference import reference_conv2d

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM} (CI installs Debian's chromium)", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"streamlit did not start:\n{log.read_text()}")
                    time.sleep(0.3)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture
def page(app_url):
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1800})
            yield context.new_page()
        finally:
            browser.close()


def shoot(page, tmp_path, name):
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("CONVSCOPE_SHOTS"):
        target = Path(os.environ["CONVSCOPE_SHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)
    assert path.stat().st_size > 10_000  # an image with content, not a blank page
    return path


@pytest.fixture
def browser(app_url):
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def settled(page, count=3):
    """Wait for ``count`` charts, then until the figures stop changing (the width report reruns)."""
    wait_for_charts(page, count)
    last = None
    for _ in range(40):
        now = page.evaluate(
            "[...document.querySelectorAll('.js-plotly-plot')].map(e => e._fullLayout.width)"
            ".join() + document.querySelectorAll('[data-stale=true]').length"
        )
        if now == last:
            return
        last = now
        time.sleep(0.5)


def wait_for_charts(page, count=3):
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .heatmaplayer image').length >= {count}",
        timeout=60_000,
    )


def cell_centre(
    page, row: int, col: int, chart: int = 2, off: tuple[float, float] = (0.0, 0.0)
) -> list[float]:
    """Viewport (x, y) of a cell's centre in a chart, from plotly's own axes.

    ``off`` moves the point by that many cells (rows, columns) from the centre.
    """
    output = page.locator(".js-plotly-plot").nth(chart)
    return page.evaluate(
        f"""(el) => {{
            const l = el._fullLayout, r = el.getBoundingClientRect();
            return [r.left + l.xaxis._offset + l.xaxis.l2p({col + off[1]}),
                    r.top + l.yaxis._offset + l.yaxis.l2p({row + off[0]})];
        }}""",
        output.element_handle(),
    )


def click_output_cell(
    page, row: int, col: int, chart: int = 2, off: tuple[float, float] = (0.0, 0.0)
) -> None:
    """Click an output cell at its pixel centre, or ``off`` cells from it."""
    page.mouse.click(*cell_centre(page, row, col, chart, off))


def click_until_explained(
    page, row: int, col: int, charts: int, chart: int = 2, off: tuple[float, float] = (0.0, 0.0)
) -> None:
    """Click output cell (row, col) until the page explains it, at most three times.

    A click that lands while a busy machine is still rerunning the page is lost
    with that rerun; a click the page ignores fails all three.
    """
    for _ in range(3):
        click_output_cell(page, row, col, chart, off)
        try:
            page.get_by_text(f"Explain output cell ({row}, {col})").wait_for(timeout=20_000)
            return
        except sync_api.TimeoutError:
            wait_for_charts(page, charts)
    raise AssertionError(f"clicking output cell ({row}, {col}) did not explain it")


def upload_until_listed(page, path: Path) -> None:
    """Give the first uploader a file once the page is idle, until it lists it (three tries).

    Once in CI a file handed over right after the first run (a first visit
    reruns when the browser reports its width) was never taken: 60 s later the
    page still asked for one. Like a click during a rerun, it is handed over
    again; an uploader that never lists it fails all three.
    """
    for _ in range(3):
        page.wait_for_timeout(500)
        page.wait_for_function("!document.querySelector('[data-stale=true]')", timeout=60_000)
        page.locator("input[type=file]").first.set_input_files(str(path))
        try:
            page.get_by_text(path.name, exact=True).first.wait_for(timeout=20_000)
            return
        except sync_api.TimeoutError:
            pass
    sidebar = page.locator("section[data-testid=stSidebar]").inner_text()
    raise AssertionError(f"the uploader did not take {path.name}; the sidebar read:\n{sidebar}")


def test_exercise_link_draws_heatmaps_explains_a_click_and_downloads_csv(
    page, app_url, tmp_path, exercise_3d
):
    x, k, first_row = exercise_3d
    want = reference_conv2d(x, k, stride=2)
    page.goto(f"{app_url}/?example=seed-3d")
    page.get_by_text("⌊(33 + 0 − 5)/2⌋ + 1 =").first.wait_for()
    # Input (3 channels), filter (3 channels) and output (1 panel) heatmaps. Plotly draws
    # the three charts one after another: wait for all seven panels, then check no more.
    wait_for_charts(page, 7)
    assert page.locator(".js-plotly-plot .heatmaplayer image").count() == 7
    assert not page.get_by_text("Traceback").count()
    shoot(page, tmp_path, "seed-3d.png")

    click_output_cell(page, 3, 5)
    page.get_by_text("Explain output cell (3, 5)").wait_for(timeout=30_000)
    page.get_by_text(f"summed: {want[3, 5]:.6g}").first.wait_for(timeout=30_000)
    wait_for_charts(page)
    shoot(page, tmp_path, "seed-3d-cell-3-5.png")

    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="output .csv").click()
    csv_path = tmp_path / "output.csv"
    info.value.save_as(csv_path)
    got = np.loadtxt(csv_path, delimiter=",")
    assert got.shape == (15, 15)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[0, :4].round(2), first_row)


def test_bad_setting_in_the_browser_shows_a_message_not_a_traceback(page, app_url, tmp_path):
    page.goto(f"{app_url}/?example=seed-2d&dilation=20")
    page.get_by_text("larger than the padded input").first.wait_for(timeout=60_000)
    assert not page.get_by_text("Traceback").count()
    shoot(page, tmp_path, "bad-dilation.png")


def test_uploaded_csv_is_convolved_and_explained(page, app_url, tmp_path, exercise_2d):
    x, _, _ = exercise_2d
    csv = tmp_path / "exercise.csv"
    np.savetxt(csv, x, delimiter=",")
    page.goto(f"{app_url}/?source=upload&filter=preset&preset=box-blur&cell=1,2")
    page.get_by_text("choose a file to upload").first.wait_for(timeout=60_000)
    upload_until_listed(page, csv)
    page.get_by_text("⌊(5 + 0 − 3)/1⌋ + 1 =").first.wait_for(timeout=60_000)
    wait_for_charts(page)
    want = x[1:4, 2:5].mean()  # box blur of output (1, 2): the mean of its 3x3 window
    page.get_by_text(f"summed: {want:.6g}").first.wait_for(timeout=30_000)
    shoot(page, tmp_path, "upload.png")
    # Looking at an example and coming back keeps the upload.
    source = page.get_by_role("radiogroup", name="source", exact=True)
    source.get_by_text("Example", exact=True).click()
    page.get_by_text("⌊(5 + 0 − 3)/1⌋ + 1 =").first.wait_for(state="detached", timeout=60_000)
    source.get_by_text("Upload", exact=True).click()
    page.get_by_text("uploaded earlier").first.wait_for(timeout=60_000)
    page.get_by_text(f"summed: {want:.6g}").first.wait_for(timeout=30_000)


def chart_boxes(page) -> list[dict]:
    """Each chart's box, its first panel's size in CSS pixels and columns drawn (step 1)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map((el) => {
            const r = el.getBoundingClientRect(), l = el._fullLayout;
            return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                    panel_w: l.xaxis._length, panel_h: l.yaxis._length,
                    cells: Math.round(l.xaxis.range[1] - l.xaxis.range[0])};
        })"""
    )


def test_the_2d_exercise_is_seen_whole_on_a_1400_by_1000_screen(page, app_url, tmp_path):
    page.goto(f"{app_url}/?example=seed-2d")
    page.get_by_text("⌊(5 + 0 − 3)/1⌋ + 1 =").first.wait_for(timeout=60_000)
    wait_for_charts(page)
    shoot(page, tmp_path, "seed-2d.png")
    inp, _, out = boxes = chart_boxes(page)
    for box in boxes:
        assert box["bottom"] <= 1000  # no scrolling needed to see all three
        cell = box["panel_w"] / box["cells"]
        assert 20 <= cell <= 56 and box["panel_h"] / box["cells"] == pytest.approx(cell, abs=1)
    assert min(inp["panel_w"] / 5, out["panel_w"] / 3) >= 40  # values stay readable
    assert inp["top"] == pytest.approx(out["top"], abs=2)  # one row


def test_filter_bank_downloads_in_the_browser(page, app_url, tmp_path):
    page.goto(f"{app_url}/?example=test-image&filter=preset&preset=sobel-x,sobel-y")
    page.get_by_text("filter 3 × 3 × 1 × 2").first.wait_for(timeout=60_000)
    wait_for_charts(page, 5)  # input, two filter panels, two output panels
    assert not page.get_by_text("Traceback").count()
    shoot(page, tmp_path, "filter-bank.png")
    _, kernel, out = chart_boxes(page)
    assert out["top"] >= kernel["bottom"]  # the output has a row of its own
    assert out["panel_w"] >= 350  # each 64x64 output panel, not ~150 px
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    want = np.stack([sobel_x, sobel_x.T], axis=-1)[:, :, None, :]
    files = {}
    for label in ("filter .npy", "filter .csv"):
        with page.expect_download(timeout=30_000) as info:
            page.get_by_role("button", name=label).click()
        files[label] = tmp_path / info.value.suggested_filename
        info.value.save_as(files[label])
    np.testing.assert_array_equal(np.load(files["filter .npy"]), want)
    table = np.loadtxt(files["filter .csv"], delimiter=",", skiprows=1)
    assert files["filter .csv"].read_text().startswith("row,col,channel,filter,value\n")
    got = np.full(want.shape, np.nan)
    got[tuple(table[:, :4].astype(int).T)] = table[:, 4]
    np.testing.assert_array_equal(got, want)


def test_clicking_a_cell_again_after_typing_a_row_explains_it_again(page, app_url):
    page.goto(f"{app_url}/?example=seed-3d")
    wait_for_charts(page, 7)
    click_output_cell(page, 3, 5)
    page.get_by_text("Explain output cell (3, 5)").wait_for(timeout=30_000)
    row = page.get_by_label("row", exact=True)
    row.fill("7")
    row.press("Enter")
    page.get_by_text("Explain output cell (7, 5)").wait_for(timeout=30_000)
    wait_for_charts(page, 7)
    click_until_explained(page, 3, 5, charts=7)  # the same cell as the last click


def test_a_click_near_a_cells_corner_explains_that_cell_though_no_target_is_drawn(
    page, app_url, exercise_3d
):
    # The click targets are drawn as one marker (plotly's maxdisplayed): plotly
    # finds the clicked point from the data, so every cell must still answer.
    x, k, _ = exercise_3d
    want = reference_conv2d(x, k, stride=2)
    page.goto(f"{app_url}/?example=seed-3d")
    wait_for_charts(page, 7)
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')[2].querySelectorAll(
            '.scatterlayer .trace')].map((t) => t.querySelectorAll('.point').length)"""
    )
    assert max(drawn) <= 1, drawn  # the 15 x 15 targets, and the selected cell's outline
    for row, col, off in ((3, 5, (-0.4, -0.4)), (11, 2, (0.4, 0.4)), (0, 14, (-0.4, 0.4))):
        click_until_explained(page, row, col, charts=7, off=off)
        page.get_by_text(f"summed: {want[row, col]:.6g}").first.wait_for(timeout=30_000)
        wait_for_charts(page, 7)


def test_a_one_by_one_output_and_a_junk_link_show_no_traceback(page, app_url, tmp_path):
    page.goto(f"{app_url}/?example=seed-2d&stride=3")
    page.get_by_text("A 1×1 output").first.wait_for(timeout=60_000)
    wait_for_charts(page, 3)
    assert not page.locator("[data-testid=stException]").count()
    page.goto(f"{app_url}/?stride=%F0%9F%92%A5&shape=0x0&dist=zz&padding=-1")
    page.get_by_text("could not be used").first.wait_for(timeout=60_000)
    page.get_by_text("⌊(33 + 0 − 5)/2⌋ + 1 =").first.wait_for(timeout=60_000)
    assert not page.locator("[data-testid=stException]").count()
    shoot(page, tmp_path, "junk-link.png")


def test_at_1280_by_800_the_clicked_cell_and_its_window_are_on_screen_together(browser, app_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{app_url}/?example=seed-3d")
    settled(page, 7)
    click_output_cell(page, 7, 9)
    page.get_by_text("Explain output cell (7, 9)").wait_for(timeout=30_000)
    settled(page, 7)
    assert page.evaluate("window.scrollY") == 0
    # The clicked cell's outline in the output and the window outline in the input:
    # plotly draws both as open black squares (markers); take their boxes on screen.
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map((el) =>
            [...el.querySelectorAll('.scatterlayer .trace path.point, .scatterlayer path.js-line')]
            .filter((p) => p.getAttribute('d') && p.style.stroke.includes('17, 17, 17'))
            .map((p) => {
                const r = p.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom];
            }))"""
    )
    window, _, selected = boxes
    assert window and selected, boxes
    for left, top, right, bottom in window + selected:
        assert left >= 0 and right <= 1280 and top >= 0 and bottom <= 800, boxes
    x, y = cell_centre(page, 7, 9)
    assert 0 <= x <= 1280 and 0 <= y <= 800


def assert_no_values_overlap(page) -> int:
    """Assert no two values printed in one figure's cells overlap; how many were printed."""
    printed = 0
    for boxes in label_boxes(page):
        printed += len(boxes)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, (a, b)
    return printed


def label_boxes(page) -> list[list[list[float]]]:
    """Per figure, the screen boxes of the values printed in heatmap cells."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map((el) =>
            [...el.querySelectorAll('.heatmaplayer text')].filter((t) => t.textContent)
              .map((t) => { const r = t.getBoundingClientRect();
                            return [r.left, r.top, r.right, r.bottom]; }))"""
    )


@pytest.mark.parametrize("query", ["?example=seed-3d", "?example=seed-2d"])
def test_at_390_px_no_values_overlap_and_no_figure_is_wider_than_the_screen(
    browser, app_url, query
):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{app_url}/{query}")
    settled(page)
    widths = [box["right"] for box in chart_boxes(page)]
    assert widths and max(widths) <= 390
    # The step and play controls fold away: the first figure starts on the first screen.
    top = page.evaluate(
        "document.querySelector('.js-plotly-plot').getBoundingClientRect().top + window.scrollY"
    )
    assert top < 844, top
    printed = assert_no_values_overlap(page)
    if "seed-2d" in query:  # its 5x5 input has room for its values: the check saw labels
        assert printed


def test_a_16_filter_bank_draws_every_filter_and_a_click_on_filter_13_explains_it(page, app_url):
    page.goto(f"{app_url}/?source=generate&shape=32x32x3&kshape=3x3&filters=16&stride=1")
    settled(page, 3)
    assert not page.locator("[data-testid=stException]").count()
    images = page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')]"
        ".map(el => el.querySelectorAll('.heatmaplayer image').length)"
    )
    assert images[2] == 16  # every filter of the output
    assert images[1] % 3 == 0 and images[1] >= 3  # whole filters, 3 channels each
    output = page.locator(".js-plotly-plot").nth(2).element_handle()
    # 16 x 900 cells: every other row and column is a click target (the page says so).
    x, y = page.evaluate(
        """(el) => { const l = el._fullLayout, r = el.getBoundingClientRect();
            return [r.left + l.xaxis14._offset + l.xaxis14.l2p(4),
                    r.top + l.yaxis14._offset + l.yaxis14.l2p(6)]; }""",
        output,
    )
    page.mouse.click(x, y)
    page.get_by_text("Explain output cell (6, 4), filter 13").wait_for(timeout=30_000)
    settled(page, 3)
    title = page.locator(".js-plotly-plot").nth(1).locator(".gtitle").text_content()
    first, last = re.search(r"filters (\d+)–(\d+) of 16", title).groups()
    assert int(first) <= 13 <= int(last), title  # the page of filters holding filter 13
    assert not page.locator("[data-testid=stException]").count()


def chart_titled(page, prefix: str) -> int:
    """Index among the page's plotly charts of the first whose title starts with ``prefix``."""
    titles = page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')]"
        ".map(el => (el.querySelector('.gtitle') || {}).textContent || '')"
    )
    return next(i for i, t in enumerate(titles) if t.startswith(prefix))


def test_any_cell_of_a_large_output_is_reached_by_overview_then_zoom(page, app_url):
    # 298 x 298 cells: more than can each carry a click target, so the output
    # is an overview image (a click moves the zoom) and a zoom of exact cells.
    page.goto(f"{app_url}/?source=generate&shape=300x300&kshape=3x3&seed=0")
    settled(page, 3)
    overview = chart_titled(page, "whole output")
    image = page.locator(".js-plotly-plot").nth(overview).locator("image")
    assert image.count() == 1
    # Served by URL from Streamlit's media store, not inlined in the figure.
    href = image.get_attribute("href")
    assert "/media/" in href and not href.startswith("data:"), href[:40]
    status = page.evaluate("async (u) => (await fetch(u)).status", href)
    assert status == 200
    page.mouse.click(*cell_centre(page, 250, 120, chart=overview))
    page.wait_for_function(
        """() => [...document.querySelectorAll('h3')].some(h => {
            const m = h.innerText.match(/^Explain output cell \\((\\d+), (\\d+)\\)/);
            return m && Math.abs(m[1] - 250) <= 8 && Math.abs(m[2] - 120) <= 8; })""",
        timeout=30_000,
    )
    settled(page, 3)
    zoom = chart_titled(page, "output — click a cell")
    title = page.locator(".js-plotly-plot").nth(zoom).locator(".gtitle").text_content()
    r0, r1, c0, c1 = map(int, re.search(r"rows (\d+)–(\d+), cols (\d+)–(\d+)", title).groups())
    header = page.get_by_text(re.compile(r"^Explain output cell \(")).first.inner_text()
    row, col = map(int, re.search(r"\((\d+), (\d+)\)", header).groups())
    assert r0 <= row <= r1 and c0 <= col <= c1 and (r1 - r0, c1 - c0) == (6, 6), (title, header)
    # Any cell of the zoom, not only the overview's coarse targets (every 8th cell), is exact.
    row, col = (r0 + 1, c1 - 1) if (r0 + 1, c1 - 1) != (row, col) else (r0 + 2, c1 - 2)
    click_until_explained(page, row, col, charts=3, chart=zoom)
    assert not page.locator("[data-testid=stException]").count()


def focus_order(page) -> list[tuple[str, float, float]]:
    """(label, left, top) of each sidebar control Tab reaches, in the order it reaches them."""
    page.locator("[data-testid=stSidebar] input").first.focus()
    seen = []
    for _ in range(80):
        info = page.evaluate(
            """() => { const e = document.activeElement;
                if (!e.closest('[data-testid=stSidebar]')) return null;
                e.scrollIntoView({block: 'center'});
                const r = e.getBoundingClientRect(),
                    top = r.top + e.closest('[data-testid=stSidebarContent]').scrollTop;
                return [e.getAttribute('aria-label') || e.tagName, r.left, top]; }"""
        )
        if info is None:
            break
        seen.append(tuple(info))
        page.keyboard.press("Tab")
    return seen


# Layer stack has no sidebar: its controls are on the page.
@pytest.mark.parametrize("path", ["/?example=seed-3d&padding=custom", "/check", "/layers"])
def test_the_sidebar_tab_order_is_the_reading_order(page, app_url, path):
    page.goto(app_url + path)
    page.locator("[data-testid=stSidebar] input").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    seen = focus_order(page)
    assert len(seen) >= 3, seen
    for (name, left, top), (after, left2, top2) in itertools.pairwise(seen):
        same_row = abs(top2 - top) <= 8
        assert (same_row and left2 > left) or top2 > top + 8, (name, after, seen)


def width_reports(page) -> list[int]:
    """Collects the websocket messages the page sends that carry a width report."""
    sent = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framesent", lambda p: sent.append(1) if b"viewport.width" in bytes(p) else None
        ),
    )
    return sent


@pytest.mark.parametrize(("width", "reports"), [(1400, 0), (1920, 1)])
def test_a_page_is_run_again_for_its_width_only_when_it_was_drawn_for_another(
    browser, app_url, width, reports
):
    # The page is drawn for 940 px (the main area of a 1400 px window) until
    # the browser reports its width; the report (a second run) is sent only
    # when the width differs, and is remembered for the next visit's first run.
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sent = width_reports(page)
    page.goto(f"{app_url}/?example=seed-3d")
    settled(page, 3)
    assert len(sent) == reports
    remembered = {c["name"]: c["value"] for c in context.cookies()}.get("convscope_width")
    assert remembered == (None if reports == 0 else str(width - 460)), context.cookies()
    again = context.new_page()
    sent = width_reports(again)
    again.goto(f"{app_url}/?example=seed-3d")
    settled(again, 3)
    assert len(sent) == 0  # drawn for the remembered width from the first run
    output = again.locator(".js-plotly-plot").nth(2)
    assert output.bounding_box()["x"] + output.bounding_box()["width"] <= width
    context.close()
