"""Browser redraw time after a stride change, in Debian's Chromium (a script, not a test).

Starts ``streamlit run`` from REPO (default: this checkout), opens each case
at 1400x1000, then changes "stride (rows)" between 1 and 2 a few times and
times each change from the key press until the output figure shows the new
shape and nothing on the page is stale. Prints the median and all samples.

The peer, run the same way in the same browser: ``benchmarks/floor_redraw_app.py``,
a bare Streamlit page that only redraws one (or three) small heatmaps, the
least any Streamlit page with plotly does on such a change on this machine.

    python benchmarks/bench_redraw.py [REPO] [--runs 7]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import healthy  # the same wait for a server's health check

CASES = {
    "seed-3d": "?example=seed-3d",
    "1024x1024x3": "?source=generate&dist=pattern&pattern=test-image&shape=1024x1024x3"
    "&filter=preset&preset=gaussian&ksize=7",
}
OUTPUT_RANGE = """() => {
    // A large output's whole extent is in its overview; its zoom keeps rows 0-6.
    const title = (e) => (e._fullLayout.title.text || '').replace(/<[^>]*>/g, '');
    const charts = [...document.querySelectorAll('.js-plotly-plot')];
    const out = charts.find((e) => title(e).startsWith('whole output')) ||
        charts.find((e) => title(e).startsWith('output'));
    const stale = document.querySelectorAll('[data-stale=true]').length;
    return out && !stale ? String(out._fullLayout.yaxis.range) : null;
}"""


FLOOR = "benchmarks/floor_redraw_app.py"
FLOOR_CASES = {"floor, 1 heatmap": "?charts=1", "floor, 3 heatmaps": "?charts=3"}


def start(repo: str, app: str, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", app, "--server.headless",
         "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    if not healthy(port, time.monotonic() + 90):
        server.terminate()
        raise RuntimeError(f"{app} did not start on port {port}")
    return server


def changes(page, url: str, runs: int) -> list[float]:
    """Milliseconds of ``runs`` stride changes on the page at ``url`` (after one to warm up)."""
    page.goto(url)
    page.wait_for_function(OUTPUT_RANGE, timeout=120_000)
    time.sleep(3)  # let a width report settle
    stride = page.get_by_label("stride (rows)", exact=True)
    samples = []
    for run in range(runs + 1):
        before = page.evaluate(OUTPUT_RANGE)
        stride.fill("1" if stride.input_value() == "2" else "2")
        start = time.perf_counter()
        stride.press("Enter")
        page.wait_for_function(
            f"() => {{ const r = ({OUTPUT_RANGE})(); return r && r !== {before!r}; }}",
            timeout=120_000,
        )
        if run:  # the first change warms caches
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", nargs="?", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--port", type=int, default=8741)
    args = parser.parse_args()
    here = str(Path(__file__).resolve().parents[1])
    servers = [start(args.repo, "streamlit_app.py", args.port), start(here, FLOOR, args.port + 1)]
    urls = {name: f"http://127.0.0.1:{args.port}/{query}" for name, query in CASES.items()}
    urls |= {name: f"http://127.0.0.1:{args.port + 1}/{q}" for name, q in FLOOR_CASES.items()}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"]
            )
            for name, url in urls.items():
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                samples = changes(page, url, args.runs)
                print(f"{name}: median {statistics.median(samples):.0f} ms "
                      f"({', '.join(f'{s:.0f}' for s in samples)})")  # fmt: skip
                page.close()
            browser.close()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
