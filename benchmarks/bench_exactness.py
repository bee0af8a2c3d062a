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

``--gather`` times summing 20,000 cells one by one from their gathered windows
(how ``auto`` mends cells its FFT cannot prove) against one direct pass over
every cell, in ns per window value and per multiply-add: the basis of
``conv._exactness.GATHER_NS``. ``--scales`` times ``method="auto"`` on images
the app's budget admits from their shapes whose cells the FFT cannot all
prove (half 1e8, half 1e-8; a photo with black bars, whose windows of zeros
are set to 0 without a sum), unbounded and as the app runs it
(``budget.bounded_conv2d``: the FFT alone, with its error bound, past
``max_direct_macs``)::

    python benchmarks/bench_exactness.py [--gather | --scales]
"""

import argparse
import functools
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_conv import CASES, make_inputs

import conv
from conv import kernels
from conv._direct import correlate_direct
from conv._exactness import _cells_direct
from conv._fft import correlate_fft
from conv._method import choose_method
from conv.app import budget

#: The FFT case again with |x| and |kernel|: images and blurs, where the
#: FFT's own output proves the contract and the magnitude pass is skipped.
POSITIVE = next(c for c in CASES if c.name.startswith("2048"))


def unchecked_fft(xp, k, stride, dilation, max_direct_macs=None):
    """What ``method="auto"`` ran when it picked the FFT before issue 13."""
    if np.isfinite(xp).all():
        return correlate_fft(xp, k, stride, dilation)
    return correlate_direct(xp, k, stride, dilation)


def without_contract(x, k, stride):
    """``conv2d(..., method="auto")`` with the FFT's results unchecked, as before."""
    with mock.patch("conv._conv2d.correlate_auto_fft", unchecked_fft):
        return conv.conv2d(x, k, stride=stride)


GATHER_CASES = [  # (input, kernel, stride, dilation)
    ((600, 600, 16), (63, 63, 16, 1), (2, 2), (8, 8)),
    ((400, 400, 3), (15, 15, 3, 4), (1, 1), (1, 1)),
    ((300, 300, 1), (31, 31, 1, 1), (1, 1), (1, 1)),
    ((200, 200, 32), (5, 5, 32, 16), (1, 1), (1, 1)),
]


def gather() -> None:
    """ns per gathered window value against ns per multiply-add of one direct pass."""
    rng = np.random.default_rng(0)
    print("| input | kernel | direct pass ns/multiply-add | gathered ns/value |")
    print("|---|---|---|---|")
    for x_shape, k_shape, stride, dilation in GATHER_CASES:
        x, k = rng.normal(size=x_shape), rng.normal(size=k_shape)
        start = time.perf_counter()
        out = correlate_direct(x, k, stride, dilation)
        direct = time.perf_counter() - start
        oh, ow = out.shape[:2]
        taps = k_shape[0] * k_shape[1] * k_shape[2]
        n = min(oh * ow, 20_000)
        cells = np.unravel_index(np.sort(rng.choice(oh * ow, n, replace=False)), (oh, ow))
        start = time.perf_counter()
        _cells_direct(x, k, stride, dilation, cells)
        gathered = time.perf_counter() - start
        per_mac = direct / (oh * ow * taps * k_shape[3]) * 1e9
        print(f"| {x_shape} | {k_shape} | {per_mac:.2f} | {gathered / (n * taps) * 1e9:.2f} |")


def scales() -> None:
    """auto on images the budget admits whose values the FFT cannot prove everywhere."""
    rng = np.random.default_rng(1)
    print("| input | filter | budget's price | auto, unbounded | the app (bounded) |")
    print("|---|---|---|---|---|")
    kwargs = {"stride": 1, "padding": "valid", "dilation": 1, "pad_mode": "zeros"}
    cases = []
    for n, kk in [(1500, 45), (2000, 63), (2048, 201)]:
        x = rng.normal(size=(n, n))
        x[:, n // 2 :] *= 1e-8
        x[:, : n // 2] *= 1e8
        cases.append((f"{n}×{n}, half 1e8, half 1e-8", x, rng.normal(size=(kk, kk))))
    photo = rng.random((2000, 2000, 3))
    photo[:200], photo[:, :300], photo[:, -300:] = 0, 0, 0  # black bars
    for kk in (11, 31):
        cases.append(("2000×2000×3, black bars", photo, np.ones((kk, kk, 3)) / kk**2))
    # A sharp blur (the page's default sigma) on a large image: the FFT's error, though
    # tiny, is more than 1e-12 of most cells' own size.
    sharp = np.repeat(kernels.kernel("gaussian", size=31, sigma=1.0)[..., None], 3, axis=2) / 3
    cases.append(("2000×2000×3, black bars, gaussian σ = 1", photo, sharp))
    for name, x, k in cases:
        price = budget.check(x.shape, k.shape, {**kwargs, "method": "auto"})[0]
        if k.shape[0] > 100:
            unbounded = "not run (minutes)"
        else:
            start = time.perf_counter()
            conv.conv2d(x, k, **kwargs)
            unbounded = f"{time.perf_counter() - start:.2f} s"
        start = time.perf_counter()
        _, note = budget.bounded_conv2d(x, k, **kwargs, method="auto")
        how = note.split(" of its exact sum")[0].split(": ")[-1] if note else "exact"
        app = f"{how}, {time.perf_counter() - start:.2f} s"
        size = "×".join(map(str, k.shape[:2]))
        print(f"| {name} | {size} | {price:.2f} s | {unbounded} | {app} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gather", action="store_true")
    parser.add_argument("--scales", action="store_true")
    args = parser.parse_args()
    with threadpool_limits(1, user_api="blas"):  # as the app runs
        if args.gather:
            return gather()
        if args.scales:
            return scales()
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
