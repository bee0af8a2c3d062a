"""First paint and redraws in a real browser: Chromium, headless, on loopback (not in CI).

Times, from the user's action until the page shows the result (the shape
arithmetic's text is there, Streamlit is no longer running, and every
plotly chart — or, for a change, the output chart — has drawn a new image):

- the exercise ``/?example=seed-3d`` opened on a fresh server (cold), then
  by a new visitor (warm server, empty browser cache), then reloaded by the
  same visitor (browser cache warm);
- a stride change, and a click on an output cell, on seed-3d and on a
  1024x1024x3 input with a 7x7 filter;
- a 2000x2000 colour PNG (random noise, ~12 MB) from handing it to the
  uploader until drawn;
- the peer: the same opens of ``benchmarks/floor_app.py``, a bare Streamlit
  page with three small plotly heatmaps, which is as fast as a first paint
  of any Streamlit page with plotly gets on this machine and browser.

Bytes are the websocket payloads the browser received for each action
(Playwright's ``framereceived``: decompressed, as devtools shows them); the
HTTP bytes of the page's scripts are not in them. Needs Playwright and
Debian's Chromium at /usr/bin/chromium. ``--replicas 2`` runs the same
through deploy/run_replicas.sh (two replicas behind nginx: checks uploads
and clicks keep to their session's replica); ``--proxy`` puts even one
replica behind it. ``--network 20,40`` has Chromium emulate a 20 Mbit/s
link with 40 ms round trips (devtools' throttling), where the bytes of
Streamlit's own scripts (~7 MB for a new visitor, ~2 MB gzipped by the
proxy) count. Run from the repository root::

    python benchmarks/bench_paint.py [--repeats 5] [--replicas 2] [--proxy] [--network 20,40]
"""

from __future__ import annotations

import argparse
import io
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import HOST, Servers  # the same server start and stop

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
WAIT_MS = 120_000
SEED_3D = "example=seed-3d"
BIG = "source=generate&shape=1024x1024x3&kshape=7x7&stride=2&seed=0"
# Every chart (or only the output chart, the last) holds an <image> that was not
# there before the action; heatmaps and go.Image both draw into one.
DRAWN = """([charts, fresh]) => {
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    const all = [...document.querySelectorAll('.js-plotly-plot')];
    if (all.length < charts) return false;
    const title = c => (c.querySelector('.gtitle') || {}).textContent || '';
    const need = fresh === 'all' ? all :
        fresh === 'output' ? all.filter(c => title(c).startsWith('output')) : [];
    return all.every(c => c.querySelector('image')) &&
        need.every(c => [...c.querySelectorAll('image')].some(i => !i.dataset.old));
}"""
MARK_OLD = "document.querySelectorAll('.js-plotly-plot image').forEach(i => i.dataset.old = 1)"


class Frames:
    """Bytes a page received, read as differences: websocket payloads and media images.

    Large arrays are drawn as images that Streamlit serves by URL from
    ``/media/``; their HTTP bodies count too (a browser-cached image is not
    fetched again, and does not count).
    """

    def __init__(self, page):
        self.total = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))
        page.on("response", self._media)

    def _add(self, payload) -> None:
        self.total += len(payload)

    def _media(self, response) -> None:
        # /media/ is Streamlit's media store; /static/media/ holds its own fonts.
        if "/media/" in response.url and "/static/" not in response.url and response.ok:
            self.total += int(response.headers.get("content-length", 0))


def shape_text(h: int, k: int, stride: int) -> str:
    return f"⌊({h} + 0 − {k})/{stride}⌋ + 1 = {(h - k) // stride + 1}"


def drawn(page, text: str, fresh: str, charts: int = 3) -> None:
    page.get_by_text(text).first.wait_for(timeout=WAIT_MS)
    page.wait_for_function(DRAWN, arg=[charts, fresh], timeout=WAIT_MS)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


#: ``(Mbit/s, round trip ms)`` every new page emulates, or None for loopback as it is.
NETWORK: tuple[float, float] | None = None


def new_page(context):
    """A page of ``context``, on the emulated network when ``--network`` asks for one."""
    page = context.new_page()
    if NETWORK:
        mbit, rtt = NETWORK
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": rtt,
            "downloadThroughput": mbit * 1e6 / 8, "uploadThroughput": mbit * 1e6 / 8,
        })  # fmt: skip
    return page


def timed_open(page, frames: Frames, url: str, text: str) -> tuple[float, int]:
    before, start = frames.total, time.perf_counter()
    page.goto(url)
    drawn(page, text, "all")
    return time.perf_counter() - start, frames.total - before


def timed_stride(page, frames: Frames, h: int, k: int, stride: int) -> tuple[float, int]:
    page.evaluate(MARK_OLD)
    box = page.get_by_label("stride (rows)")
    box.fill(str(stride))
    before, start = frames.total, time.perf_counter()
    box.press("Enter")
    drawn(page, shape_text(h, k, stride), "output")
    return time.perf_counter() - start, frames.total - before


def timed_click(page, frames: Frames, row: int, col: int) -> tuple[float, int]:
    """Click output cell (row, col), from plotly's own axes, until a new cell is explained.

    On a large output the heatmap is a zoom round the explained cell: the
    click goes to the cell at offset (row, col) modulo the zoom's size, so it
    is always one the zoom shows.
    """
    charts = page.locator(".js-plotly-plot")
    titles = charts.evaluate_all(
        "cs => cs.map(c => (c.querySelector('.gtitle') || {}).textContent || '')"
    )
    output = charts.nth(next(i for i, t in enumerate(titles) if t.startswith("output")))
    output.scroll_into_view_if_needed()  # a click outside the viewport goes nowhere
    point = output.evaluate(
        """(el, [row, col]) => {
            const l = el._fullLayout, r = el.getBoundingClientRect();
            const [c0, c1] = l.xaxis.range, [r1, r0] = l.yaxis.range;
            const rows = Math.round(r1 - r0), cols = Math.round(c1 - c0);
            row = Math.round(r0 + 0.5) + row % rows; col = Math.round(c0 + 0.5) + col % cols;
            return [r.left + l.xaxis._offset + l.xaxis.l2p(col),
                    r.top + l.yaxis._offset + l.yaxis.l2p(row)];
        }""",
        [row, col],
    )
    header = page.get_by_text(re.compile(r"^Explain output cell \(")).first
    old = header.inner_text()
    page.evaluate(MARK_OLD)
    before, start = frames.total, time.perf_counter()
    page.mouse.click(*point)
    page.wait_for_function(
        """(old) => [...document.querySelectorAll('h3')].some(
            h => h.innerText.startsWith('Explain output cell (') && h.innerText !== old)""",
        arg=old,
        timeout=WAIT_MS,
    )
    drawn(page, "Explain output cell (", "output")
    return time.perf_counter() - start, frames.total - before


def noise_png(side: int) -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def row(name: str, samples: list[tuple[float, int]]) -> str:
    times = [t for t, _ in samples]
    kb = statistics.median(b for _, b in samples) / 1024
    worst = f"{max(times) * 1e3:8.0f}" if len(times) > 1 else "        "
    return f"| {name:<46} | {statistics.median(times) * 1e3:8.0f} | {worst} | {kb:9.1f} |"


class Rows(list):
    """Table rows, printed as they come: a run stopped half way still reports."""

    def append(self, line: str) -> None:
        super().append(line)
        print(line, flush=True)


def measure(base: str, repeats: int, cases: set[str]) -> list[str]:
    rows = Rows()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def visitor():
            context = browser.new_context(viewport={"width": 1400, "height": 1800})
            page = new_page(context)
            return context, page, Frames(page)

        if "seed-3d" in cases:
            seed_3d(rows, visitor, base, repeats)
        if "large" in cases:
            large(rows, visitor, base, repeats)
        if "upload" in cases:
            upload(rows, visitor, base)
        browser.close()
    return rows


def floor(base: str, repeats: int) -> None:
    """The same opens on benchmarks/floor_app.py: Streamlit's and plotly's own start-up."""
    rows = Rows()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        warm, reload = [], []
        for i in range(repeats + 1):
            context = browser.new_context(viewport={"width": 1400, "height": 1800})
            page = new_page(context)
            frames = Frames(page)
            first = timed_open(page, frames, base, "floor page drawn")
            if i == 0:
                rows.append(row("floor page open, cold server", [first]))
            else:
                warm.append(first)
                reload.append(timed_open(page, frames, base, "floor page drawn"))
            context.close()
        rows.append(row("floor page open, warm server, new visitor", warm))
        rows.append(row("floor page open, warm server, browser cache warm", reload))
        browser.close()


def seed_3d(rows, visitor, base: str, repeats: int) -> None:
    exercise = shape_text(33, 5, 2)
    context, page, frames = visitor()
    rows.append(row("seed-3d open, cold server", [
            timed_open(page, frames, f"{base}/?{SEED_3D}", exercise)]))  # fmt: skip
    context.close()
    warm, reload = [], []
    for _ in range(repeats):
        context, page, frames = visitor()
        warm.append(timed_open(page, frames, f"{base}/?{SEED_3D}", exercise))
        reload.append(timed_open(page, frames, f"{base}/?{SEED_3D}", exercise))
        context.close()
    rows.append(row("seed-3d open, warm server, new visitor", warm))
    rows.append(row("seed-3d open, warm server, browser cache warm", reload))

    context, page, frames = visitor()
    timed_open(page, frames, f"{base}/?{SEED_3D}", exercise)
    strides = [timed_stride(page, frames, 33, 5, 1 + i % 4) for i in range(repeats)]
    rows.append(row("seed-3d stride change", strides))
    clicks = [timed_click(page, frames, 1 + i % 12, 2 + i % 11) for i in range(repeats)]
    rows.append(row("seed-3d output-cell click", clicks))
    context.close()


def large(rows, visitor, base: str, repeats: int) -> None:
    context, page, frames = visitor()
    rows.append(row("1024x1024x3, 7x7, stride 2: open", [
            timed_open(page, frames, f"{base}/?{BIG}", shape_text(1024, 7, 2))]))  # fmt: skip
    strides = [timed_stride(page, frames, 1024, 7, 3 + i % 3) for i in range(repeats)]
    rows.append(row("1024x1024x3 stride change", strides))
    clicks = [timed_click(page, frames, 5 + 7 * i, 9 + 5 * i) for i in range(repeats)]
    rows.append(row("1024x1024x3 output-cell click", clicks))
    context.close()


def upload(rows, visitor, base: str) -> None:
    context, page, frames = visitor()
    page.goto(f"{base}/?source=upload&filter=preset&preset=box-blur")
    page.get_by_text("choose a file to upload").first.wait_for(timeout=WAIT_MS)
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "noise-2000.png"
        png.write_bytes(noise_png(2000))
        before, start = frames.total, time.perf_counter()
        page.locator("input[type=file]").first.set_input_files(str(png))
        drawn(page, "⌊(2000 + 0 − 3)/1⌋ + 1 = 1998", "all")
        upload = (time.perf_counter() - start, frames.total - before)
        name = f"2000x2000 PNG ({png.stat().st_size / 2**20:.1f} MB) upload to drawn"
    rows.append(row(name, [upload]))
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--replicas", type=int, default=1, help="behind nginx when > 1")
    parser.add_argument("--proxy", action="store_true", help="behind nginx even for one")
    parser.add_argument("--network", help="MBIT,RTT_MS: emulate that link in Chromium")
    parser.add_argument("--timeout", type=int, default=900, help="hard limit, seconds")
    parser.add_argument(
        "--cases",
        default="floor,seed-3d,large,upload",
        help="comma-separated: floor (a bare Streamlit page with three heatmaps), seed-3d, "
        "large, upload",
    )
    args = parser.parse_args()
    if not 1 <= args.repeats <= 50 or not 1 <= args.replicas <= 16:
        parser.error("repeats must be 1..50 and replicas 1..16")

    if args.network:
        global NETWORK
        mbit, rtt = (float(v) for v in args.network.split(","))
        if not (0.1 <= mbit <= 10_000 and 0 <= rtt <= 2_000):
            parser.error(f"--network {args.network}: need MBIT in 0.1..10000 and RTT_MS in 0..2000")
        NETWORK = (mbit, rtt)

    def expired(*_):
        raise TimeoutError(f"the whole run passed --timeout {args.timeout} s")

    signal.signal(signal.SIGALRM, expired)
    signal.alarm(args.timeout)
    behind = " behind nginx" if args.proxy or args.replicas > 1 else ""
    link = f"; emulated link {args.network} (Mbit/s, RTT ms)" if args.network else ""
    print(f"{args.replicas} replica(s){behind}{link}; median of {args.repeats} unless one sample\n")
    print(f"| {'action':<46} | {'ms':>8} | {'max ms':>8} | {'KB recv':>9} |")
    print(f"| {'-' * 46} | {'-' * 8} | {'-' * 8} | {'-' * 9} |", flush=True)
    cases = set(args.cases.split(","))
    if "floor" in cases:
        with Servers(1, [], app="benchmarks/floor_app.py", proxy=args.proxy) as servers:
            floor(f"http://{HOST}:{servers.port}", args.repeats)
    # A fresh server: the first open is cold.
    with Servers(args.replicas, [], proxy=args.proxy) as servers:
        measure(f"http://{HOST}:{servers.port}", args.repeats, cases)
    signal.alarm(0)


if __name__ == "__main__":
    main()
