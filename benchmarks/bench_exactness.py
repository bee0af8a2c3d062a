"""What the exactness contract of ``method="auto"`` costs, per ``bench_conv.py`` case.

Run from the repository root::

    python benchmarks/bench_exactness.py

For every case of :mod:`bench_conv` (float64 and float32) it times, in one
process and interleaved, ``conv2d(..., method="auto")`` and the same call
without the contract: the cost model's pick run as it is (the FFT only
guarded against NaN/inf in ``x``, as before issue 13), both through
``conv.conv2d``. It prints both medians and their ratio; only cases where the
cost model picks the FFT can differ. The FFT case is repeated with absolute
values (all-positive data, as images with blur kernels).
"""

import functools
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_conv import CASES, make_inputs

import conv
from conv._direct import correlate_direct
from conv._fft import correlate_fft
from conv._method import choose_method

#: The FFT case again with |x| and |kernel|: images and blurs, where the
#: FFT's own output proves the contract and the magnitude pass is skipped.
POSITIVE = next(c for c in CASES if c.name.startswith("2048"))


def unchecked_fft(xp, k, stride, dilation):
    """What ``method="auto"`` ran when it picked the FFT before issue 13."""
    if np.isfinite(xp).all():
        return correlate_fft(xp, k, stride, dilation)
    return correlate_direct(xp, k, stride, dilation)


def without_contract(x, k, stride):
    """``conv2d(..., method="auto")`` with the FFT's results unchecked, as before."""
    with mock.patch("conv._conv2d.correlate_auto_fft", unchecked_fft):
        return conv.conv2d(x, k, stride=stride)


def main() -> None:
    print("| dtype | case | picks | auto before (ms) | auto after (ms) | after/before |")
    print("|---|---|---|---|---|---|")
    for dtype in (np.float64, np.float32):
        for case, positive in [(c, False) for c in CASES] + [(POSITIVE, True)]:
            x, k = make_inputs(case, dtype)
            if positive:
                x, k = np.abs(x), np.abs(k)
            new = functools.partial(conv.conv2d, x, k, stride=case.stride)
            old = functools.partial(without_contract, x, k, case.stride)
            k4 = k.reshape(*k.shape[:3], -1)
            strides = (case.stride,) * 2
            picks = choose_method(x.shape, k4.shape, strides, (1, 1), itemsize=x.itemsize)
            first = time.perf_counter()
            new()
            old()
            repeats = 1 if time.perf_counter() - first > 4 else 5
            times = {"old": [], "new": []}
            for _ in range(repeats):  # interleaved, so load from other processes hits both
                for name, fn in (("old", old), ("new", new)):
                    start = time.perf_counter()
                    fn()
                    times[name].append(time.perf_counter() - start)
            before, after = (statistics.median(times[n]) for n in ("old", "new"))
            print(
                f"| {np.dtype(dtype).name} | {case.name}{' (abs values)' * positive} | {picks} "
                f"| {before * 1e3:.3g} "
                f"| {after * 1e3:.3g} | {after / before:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
