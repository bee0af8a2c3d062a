"""Browser redraw time after a stride change, in Debian's Chromium (a script, not a test).

Starts ``streamlit run`` from REPO (default: this checkout), opens each case
at 1400x1000, then changes "stride (rows)" between 1 and 2 a few times and
times each change from the key press until the output figure shows the new
shape and nothing on the page is stale. Prints the median and all samples.

The pages take turns, one change each (a tab brought to the front), so the
drift of a shared 2-core machine falls on every case alike; the case order
turns too.

The peer, run the same way in the same browser: ``benchmarks/floor_redraw_app.py``,
a bare Streamlit page that only redraws one (or three) small heatmaps, with
or without clickable cells: the least any Streamlit page with plotly does on
such a change on this machine.

Case ``seed-3d-row`` types in the "row" box instead, which reruns only the
figures' fragment (figures and products; the sidebar and the rest stay):
how much of a stride change the fragment's own content costs. It is timed
until the heading names the new cell and nothing is stale.

``--against OTHER`` also runs this checkout's cases from a second checkout
(say, ``git worktree add /tmp/before HEAD~3``), the two taking turns in the
same browser: a change's effect, measured beside its own baseline.

``--server`` also times the same change without a browser: a websocket
client (``load_test.Visitor``, acknowledging at once as Chromium does) per
case on the same servers, the cases taking turns, from sending the new
stride until the rerun's last message, and the server process's CPU time
(all its threads) per change. What the browser adds is the rest.
``--no-browser`` runs only that. ``--asyncio-against`` runs the ``--against``
server (by default REPO itself) with uvloop hidden, on asyncio's own event
loop: what uvloop, which Streamlit takes when it is installed, is worth.

    python benchmarks/bench_redraw.py [REPO] [--runs 7] [--cases seed-3d,floor-1-click] [--server]
        [--against OTHER_REPO] [--no-browser] [--asyncio-against]
"""

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import Visitor, healthy  # Streamlit's protocol, and its health wait

CASES = {
    "seed-3d": "?example=seed-3d",
    # The "row" box instead of the stride: a rerun of the figures' fragment alone.
    "seed-3d-row": "?example=seed-3d",
    "1024x1024x3": "?source=generate&dist=pattern&pattern=test-image&shape=1024x1024x3"
    "&filter=preset&preset=gaussian&ksize=7",
    # benchmarks/load_test.py's input and filter.
    "128x128x3": "?source=generate&shape=128x128x3&kshape=5x5&seed=7",
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
EXPLAINED = """() => {
    const h = [...document.querySelectorAll('h3')].map((e) => e.textContent)
        .find((t) => t.startsWith('Explain output cell'));
    return h && !document.querySelectorAll('[data-stale=true]').length ? h : null;
}"""


FLOOR = "benchmarks/floor_redraw_app.py"
FLOOR_CASES = {
    "floor-1": "?charts=1",  # one heatmap with its values
    "floor-1-click": "?charts=1&click=1",  # and clickable cells
    "floor-3": "?charts=3",  # three heatmaps
}


# Streamlit's CLI with uvloop hidden, so its server runs on asyncio's own loop.
WITHOUT_UVLOOP = (
    "import sys; sys.modules['uvloop'] = None; from streamlit.web.cli import main; "
    "sys.argv = ['streamlit', *sys.argv[1:]]; main()"
)


def start(repo: str, app: str, port: int, uvloop: bool = True) -> subprocess.Popen:
    cli = ["-m", "streamlit"] if uvloop else ["-c", WITHOUT_UVLOOP]
    server = subprocess.Popen(
        [sys.executable, *cli, "run", app, "--server.headless",
         "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    if not healthy(port, time.monotonic() + 90):
        server.terminate()
        raise RuntimeError(f"{app} did not start on port {port}")
    return server


def opened(page, url: str) -> None:
    """Open ``url`` and make one change (it warms caches and the chart's code)."""
    page.goto(url)
    page.wait_for_function(OUTPUT_RANGE, timeout=120_000)
    time.sleep(3)  # let a width report settle
    change(page)


def change(page) -> tuple[float, float]:
    """Milliseconds of one stride change, from the key press until the new output shows."""
    return _typed(page, "stride (rows)", ("1", "2"), OUTPUT_RANGE)


def change_row(page) -> tuple[float, float]:
    """Milliseconds of one "row" box change, from the key press until its cell is explained."""
    return _typed(page, "row", ("4", "3"), EXPLAINED)


# In the page: the Enter key's time, then the first animation frame where ``shown``
# reads something new. No round trips to Playwright in it, unlike the outer time.
IN_PAGE = """([shown, before]) => {
    window.__t0 = window.__t1 = null;
    document.addEventListener('keydown', () => { window.__t0 = performance.now(); },
                              {capture: true, once: true});
    const test = eval(shown);
    const tick = () => {
        const r = test();
        if (window.__t0 !== null && r && r !== before) window.__t1 = performance.now();
        else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""


def _typed(page, label: str, values: tuple[str, str], shown: str) -> tuple[float, float]:
    """Type the other of ``values`` in box ``label``; ms until JS ``shown`` reads something new.

    Two times: as seen from Playwright (key press sent until the page is seen
    to have changed), and inside the page (:data:`IN_PAGE`).
    """
    page.bring_to_front()
    box = page.get_by_label(label, exact=True)
    before = page.evaluate(shown)
    box.fill(values[0] if box.input_value() == values[1] else values[1])
    page.evaluate(IN_PAGE, [shown, before])
    start = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(
        f"() => {{ const r = ({shown})(); return r && r !== {before!r}; }}", timeout=120_000
    )
    elapsed = (time.perf_counter() - start) * 1000
    page.wait_for_function("() => window.__t1 !== null", timeout=10_000)
    inside = page.evaluate("window.__t1 - window.__t0")
    time.sleep(0.3)  # the page settles before the next case's turn
    return elapsed, inside


async def server_turns(urls: dict[str, str], runs: int, servers: dict[int, psutil.Process]) -> dict:
    """Per case, ms from sending each new stride until the rerun's last message, no browser,
    and the server's CPU ms (all threads) over that change; the cases take turns."""
    visitors = {}
    for name, url in urls.items():
        port, query = url.removeprefix("http://127.0.0.1:").split("/?")
        visitors[name] = Visitor(int(port), query, quick_ack=True)
        await visitors[name].open()
    found = {name: ([], []) for name in urls}
    for run in range(runs + 1):  # the first change warms, as in the browser
        for name in list(urls) if run % 2 == 0 else list(urls)[::-1]:
            visitor = visitors[name]
            process = servers[visitor.port]
            stride = visitor.widget_ids["w.stride.0"]  # the floor pages use our page's key
            cpu = sum(process.cpu_times()[:2])
            elapsed, _ = await visitor.rerun([(stride, 1 + run % 2)])
            await asyncio.sleep(0.05)  # the server's last writes after its last message
            if run:
                found[name][0].append(elapsed * 1000)
                found[name][1].append((sum(process.cpu_times()[:2]) - cpu) * 1000)
    for name, visitor in visitors.items():
        await visitor.close()
        if visitor.failures:
            raise RuntimeError(f"{urls[name]}: {visitor.failures} replies with an error")
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", nargs="?", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument("--cases", default="", help="comma-separated names to run (default: all)")
    parser.add_argument("--server", action="store_true", help="also time the server alone")
    parser.add_argument("--against", help="a second checkout whose pages take turns with REPO's")
    parser.add_argument("--no-browser", action="store_true", help="only the server (--server)")
    parser.add_argument("--asyncio-against", action="store_true",
                        help="run the --against server (default: REPO) without uvloop")  # fmt: skip
    args = parser.parse_args()
    if args.asyncio_against and not args.against:
        args.against = args.repo
    args.server |= args.no_browser
    here = str(Path(__file__).resolve().parents[1])
    urls = {name: f"http://127.0.0.1:{args.port}/{query}" for name, query in CASES.items()}
    urls |= {name: f"http://127.0.0.1:{args.port + 1}/{q}" for name, q in FLOOR_CASES.items()}
    if args.cases:  # checked before any server starts, so a typo leaves none behind
        unknown = set(args.cases.split(",")) - set(urls)
        if unknown:
            parser.error(f"--cases {', '.join(sorted(unknown))}: not one of {', '.join(urls)}")
        urls = {name: urls[name] for name in args.cases.split(",")}
    if args.against:  # the same pages from the other checkout, on a port of their own
        other = f"http://127.0.0.1:{args.port + 2}/"
        urls |= {f"{name}@against": other + CASES[name] for name in list(urls) if name in CASES}
    typed_rows = {name for name in urls if name.split("@")[0].endswith("-row")}
    servers = {}  # by port, so the server-only client knows whose CPU to read
    try:  # started inside, so those up are stopped if a later one fails to start
        if set(urls) & set(CASES):  # each server only when a case asked for is on it
            servers[args.port] = start(args.repo, "streamlit_app.py", args.port)
        if set(urls) & set(FLOOR_CASES):
            servers[args.port + 1] = start(here, FLOOR, args.port + 1)
        if any(name.endswith("@against") for name in urls):
            servers[args.port + 2] = start(
                args.against, "streamlit_app.py", args.port + 2, uvloop=not args.asyncio_against
            )
        if not args.no_browser:
            browser_turns(urls, typed_rows, args.runs)
        if args.server:  # the server-only client changes the stride
            plain = {name: url for name, url in urls.items() if name not in typed_rows}
            processes = {port: psutil.Process(p.pid) for port, p in servers.items()}
            found = asyncio.run(server_turns(plain, args.runs, processes))
            for name, (times, cpu) in found.items():
                print(f"{name}, server only: median {statistics.median(times):.0f} ms, "
                      f"server CPU {statistics.mean(cpu):.1f} ms a change (mean) "
                      f"({', '.join(f'{t:.0f}' for t in times)})")  # fmt: skip
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=20)


def browser_turns(urls: dict[str, str], typed_rows: set[str], runs: int) -> None:
    """Open every case in one Chromium, change each in turn ``runs`` times, print the times."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"]
        )
        pages = {}
        for name, url in urls.items():
            pages[name] = browser.new_page(viewport={"width": 1400, "height": 1000})
            opened(pages[name], url)
        samples = {name: [] for name in pages}
        inside = {name: [] for name in pages}
        for run in range(runs):
            for name in list(pages) if run % 2 == 0 else list(pages)[::-1]:
                timed = change_row if name in typed_rows else change
                outer, in_page = timed(pages[name])
                samples[name].append(outer)
                inside[name].append(in_page)
        for name, times in samples.items():
            print(f"{name}: median {statistics.median(times):.0f} ms, in the page "
                  f"{statistics.median(inside[name]):.0f} ms "
                  f"({', '.join(f'{t:.0f}' for t in times)})")  # fmt: skip
        browser.close()


if __name__ == "__main__":
    main()
