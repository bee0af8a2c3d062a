"""Time ``conv.io.read_array`` on CSV text against numpy and pandas, in one process.

Run from the repository root::

    python benchmarks/bench_io.py            # every case
    python benchmarks/bench_io.py --quick    # small cases, few repeats

For each upload shape it prints the median time of ``read_array`` (which also
validates every cell and reports bad ones by row and column), of
``np.loadtxt(..., delimiter=",")`` and of ``pd.read_csv(..., header=None)``,
the ratios (below 1 means convscope is faster) and the peak memory of
``read_array`` by :mod:`tracemalloc`, also as a multiple of the file size.
The cases are the shapes that stress a text reader: a square matrix, one
very long line and one very long column, each close to the 20 MB upload limit.
"""

import argparse
import io
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conv.io import read_array, to_csv

CASES = {
    "1000 x 1000 matrix": (1000, 1000),
    "one line of 2 M values": (1, 2_000_000),
    "one column of 2 M values": (2_000_000, 1),
    "64 x 64 matrix": (64, 64),
}
QUICK = ("64 x 64 matrix",)


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    rng = np.random.default_rng(0)
    print(
        "| case | MB | read_array s | loadtxt s | pandas s | vs loadtxt | vs pandas | peak/file |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, shape in CASES.items():
        if args.quick and name not in QUICK:
            continue
        data = to_csv(rng.normal(size=shape).round(6))
        ours = median_time(lambda d=data: read_array(d, "x.csv"), repeats)
        numpy_ = median_time(
            lambda d=data: np.loadtxt(io.BytesIO(d), delimiter=",", ndmin=2), repeats
        )
        pandas_ = median_time(lambda d=data: pd.read_csv(io.BytesIO(d), header=None), repeats)
        tracemalloc.start()
        read_array(data, "x.csv")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        mb = len(data) / 2**20
        print(
            f"| {name} | {mb:.1f} | {ours:.3f} | {numpy_:.3f} | {pandas_:.3f} | "
            f"{ours / numpy_:.2f} | {ours / pandas_:.2f} | {peak / len(data):.1f} |"
        )


if __name__ == "__main__":
    main()
