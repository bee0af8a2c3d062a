"""How well ``conv.estimate`` predicts the real time and memory of ``conv2d``: the budget's basis.

For random shapes and parameters of the sizes the app admits, run ``conv2d``
and compare its wall time with ``estimate(...).seconds`` and with the
multiply-adds, and its tracemalloc peak with ``estimate(...).peak_bytes``.
Runs with one BLAS thread, as the app does. Prints the worst ratios, from
which ``conv.app.limits`` takes its constants::

    python benchmarks/bench_budget.py --cases 60 --seed 0
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import conv


def random_case(rng: np.random.Generator) -> tuple[tuple, tuple, dict]:
    h, w = (int(v) for v in rng.integers(8, 400, size=2))
    c = int(rng.choice([1, 2, 3, 8, 16, 64]))
    f = int(rng.choice([1, 2, 4, 16]))
    kh, kw = (int(v) for v in rng.integers(1, 32, size=2))
    kwargs = {
        "stride": tuple(int(v) for v in rng.integers(1, 4, size=2)),
        "dilation": tuple(int(v) for v in rng.choice([1, 1, 2, 8], size=2)),
        "padding": str(rng.choice(["valid", "same", "full"])),
        "pad_mode": str(rng.choice(["zeros", "replicate"])),
        "method": str(rng.choice(["auto", "auto", "direct"])),
    }
    return (h, w, c), (kh, kw, c, f), kwargs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-macs", type=float, default=3e8)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = []
    while len(rows) < args.cases:
        x_shape, k_shape, kwargs = random_case(rng)
        try:
            work = conv.estimate(x_shape, k_shape, **kwargs)
        except ValueError:
            continue
        if work.macs > args.max_macs or work.peak_bytes > 2**30:
            continue
        x = rng.normal(size=x_shape)
        k = rng.normal(size=k_shape)
        tracemalloc.start()
        start = time.perf_counter()
        conv.conv2d(x, k, **kwargs)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append((seconds, work, peak, x_shape, k_shape, kwargs))
    print(f"{'case':<70} {'s':>7} {'est s':>7} {'ns/mac':>7} {'peak/est':>8}")
    for seconds, work, peak, x_shape, k_shape, kwargs in sorted(rows, key=lambda r: -r[0])[:15]:
        case = f"{x_shape} {k_shape} {kwargs['stride']} d{kwargs['dilation']} {kwargs['padding']}"
        case += f" {kwargs['method']}->{work.method}"
        print(
            f"{case:<70} {seconds:7.3f} {work.seconds:7.3f} {seconds / work.macs * 1e9:7.2f} "
            f"{peak / max(work.peak_bytes, 1):8.2f}"
        )
    worst_model = max(r[0] / max(r[1].seconds, 1e-4) for r in rows)
    worst_ns = max(r[0] / max(r[1].macs, 1) * 1e9 for r in rows if r[0] > 0.01)
    worst_mem = max(r[2] / max(r[1].peak_bytes, 1) for r in rows)
    print(
        f"\n{len(rows)} cases: worst time / model {worst_model:.2f}, worst ns per mac "
        f"(calls over 10 ms) {worst_ns:.2f}, worst peak / estimate {worst_mem:.2f}"
    )
    print(f"median ns per mac {np.median([r[0] / max(r[1].macs, 1) * 1e9 for r in rows]):.3f}")


if __name__ == "__main__":
    with threadpool_limits(1, user_api="blas"):
        main()
