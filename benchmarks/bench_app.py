"""How long the app takes to answer a control change, server side and in the browser.

Server side (``streamlit.testing.v1.AppTest``): the re-run after a control
change on the seed-3d exercise (target < 150 ms), next to the re-run of a
one-line Streamlit script in the same process as the floor any app pays; a
220x220 input (output and input ~96 k cells: downloads used to be written as
files on every re-run up to 100 k cells); and a 1024x1024x3 input with a 7x7
filter.

Browser (``--browser``, needs Chromium at /usr/bin/chromium and Playwright):
time from typing a new stride on the 1024x1024x3 case until the page has
re-drawn (target < 1.5 s end to end).

Run from the repository root::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_app.py [--browser]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
BIG = {"source": "generate", "shape": "1024x1024x3", "kshape": "7x7", "seed": "0"}
MID = {"source": "generate", "shape": "220x220", "kshape": "3x3", "seed": "0"}


def open_app(query: dict) -> tuple[AppTest, float]:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception)
    return at, elapsed


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def floor_rerun(repeats: int) -> float:
    """Median re-run of a trivial script: what AppTest itself costs."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write("import streamlit as st\nst.number_input('n', key='n')\n")
    at = AppTest.from_file(f.name)
    at.run()
    times = [timed(lambda i=i: at.number_input(key="n").set_value(i).run()) for i in range(repeats)]
    return statistics.median(times)


def server_side(repeats: int) -> None:
    floor = floor_rerun(repeats)
    at, first = open_app({"example": "seed-3d"})
    print(f"seed-3d first run (cold caches):                {first * 1e3:8.1f} ms")
    at.selectbox(key="w.padding").set_value("custom").run()
    padding = [
        timed(lambda i=i: at.number_input(key="w.pad.0").set_value(1 + i % 4).run())
        for i in range(repeats)
    ]
    cells = [
        timed(lambda i=i: at.number_input(key="w.cell.0").set_value(i % 15).run())
        for i in range(1, repeats + 1)
    ]
    strides = [
        timed(lambda i=i: at.number_input(key="w.stride.1").set_value(1 + i % 5).run())
        for i in range(repeats)
    ]
    med = statistics.median
    print(f"trivial one-widget script re-run (floor):       {floor * 1e3:8.1f} ms")
    print(f"seed-3d re-run, padding change:                 {med(padding) * 1e3:8.1f} ms"
          f"  ({med(padding) / floor:.1f}x floor)")  # fmt: skip
    print(f"seed-3d re-run, stride change:                  {med(strides) * 1e3:8.1f} ms"
          f"  ({med(strides) / floor:.1f}x floor)")  # fmt: skip
    print(f"seed-3d re-run, explained cell change:          {med(cells) * 1e3:8.1f} ms"
          f"  ({med(cells) / floor:.1f}x floor)")  # fmt: skip

    mid, _ = open_app(MID)
    cells = [
        timed(lambda i=i: mid.number_input(key="w.cell.0").set_value(i).run())
        for i in range(1, repeats + 1)
    ]
    print(f"220x220 re-run, explained cell change:          {med(cells) * 1e3:8.1f} ms")

    big, first = open_app(BIG)
    print(f"1024x1024x3, 7x7 filter, first run:             {first * 1e3:8.1f} ms")
    changes = [
        timed(lambda s=s: big.number_input(key="w.stride.0").set_value(s).run()) for s in (2, 3, 1)
    ]
    print(f"1024x1024x3 re-run, new stride (new conv):      {med(changes) * 1e3:8.1f} ms")
    cells = [timed(lambda i=i: big.number_input(key="w.cell.0").set_value(i).run()) for i in (5, 9)]
    print(f"1024x1024x3 re-run, explained cell change:      {med(cells) * 1e3:8.1f} ms")


def browser(repeats: int) -> None:
    import socket

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", APP, "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        query = "&".join(f"{k}={v}" for k, v in BIG.items())
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"],
            )
            page = chromium.new_page(viewport={"width": 1400, "height": 1800})
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/?{query}")
            wait_drawn(page, "⌊(1024 + 0 − 7)/1⌋ + 1 = **1018**".replace("**", ""))
            print(f"browser: open 1024x1024x3 link until drawn:     "
                  f"{(time.perf_counter() - start) * 1e3:8.1f} ms")  # fmt: skip
            times = []
            for i in range(repeats):
                stride = 2 + i % 3
                box = page.get_by_label("stride (rows)")
                box.fill(str(stride))
                start = time.perf_counter()
                box.press("Enter")
                out = (1024 - 7) // stride + 1
                wait_drawn(page, f"⌊(1024 + 0 − 7)/{stride}⌋ + 1 = {out}")
                times.append(time.perf_counter() - start)
            median, worst = statistics.median(times) * 1e3, max(times) * 1e3
            print(f"browser: stride change until re-drawn (median): {median:8.1f} ms"
                  f"  (max {worst:.0f})")  # fmt: skip
            chromium.close()
    finally:
        server.terminate()
        server.wait()


def wait_drawn(page, shape_text: str) -> None:
    """Until the new shape text shows, the script has finished and plotly has drawn."""
    page.get_by_text(shape_text).first.wait_for(timeout=120_000)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]') && "
        "document.querySelectorAll('.js-plotly-plot .heatmaplayer image').length >= 5",
        timeout=120_000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--browser", action="store_true", help="also time it in Chromium")
    args = parser.parse_args()
    server_side(args.repeats)
    if args.browser:
        browser(args.repeats)


if __name__ == "__main__":
    main()
