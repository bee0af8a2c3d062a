"""Peak extra memory of ``conv.conv2d`` on mostly-padding and dilated problems.

Run from the repository root::

    python benchmarks/bench_memory.py                 # this checkout
    CONV_ROOT=/path/to/old/checkout python benchmarks/bench_memory.py --skip-huge

Memory is measured with :mod:`tracemalloc` (numpy reports its buffers
there): the peak bytes allocated during the call on top of what was live
before it. Each row gives the input plus output bytes, that peak, their
ratio (target: at most 4), ``conv.estimate``'s ``peak_bytes`` bound (when
this checkout has it), the time and the estimate's predicted time.
``--skip-huge`` leaves out cases whose padded copy would exceed 2 GB, for
running old code that materialises it.
"""

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, os.environ.get("CONV_ROOT", str(Path(__file__).resolve().parents[1])))
import conv

# (name, input shape, kernel shape, kwargs)
CASES = [
    (
        "issue case /4: 256x256x16, 63x63 d8 full s2 replicate",
        (256, 256, 16),
        (63, 63, 16),
        dict(dilation=8, padding="full", stride=2, pad_mode="replicate"),
    ),
    (
        "same, zeros",
        (256, 256, 16),
        (63, 63, 16),
        dict(dilation=8, padding="full", stride=2, pad_mode="zeros"),
    ),
    (
        "same, method=direct",
        (256, 256, 16),
        (63, 63, 16),
        dict(dilation=8, padding="full", stride=2, pad_mode="replicate", method="direct"),
    ),
    (
        "issue case /2: 512x512x16, 63x63 d16 full s2 replicate",
        (512, 512, 16),
        (63, 63, 16),
        dict(dilation=16, padding="full", stride=2, pad_mode="replicate"),
    ),
    (
        "same, method=fft",
        (256, 256, 16),
        (63, 63, 16),
        dict(dilation=8, padding="full", stride=2, pad_mode="replicate", method="fft"),
    ),
    (
        "128x128x16, 15x15 d16 full s1 replicate",
        (128, 128, 16),
        (15, 15, 16),
        dict(dilation=16, padding="full", pad_mode="replicate"),
    ),
    (
        "64x64x16, 3x3, padding 1000, stride 4, zeros",
        (64, 64, 16),
        (3, 3, 16),
        dict(padding=1000, stride=4),
    ),
    (
        "64x64x16, 3x3, padding 60, stride 3, circular",
        (64, 64, 16),
        (3, 3, 16),
        dict(padding=60, stride=3, pad_mode="circular"),
    ),
    ("512x512x3, 3x3 same (eager pad)", (512, 512, 3), (3, 3, 3), dict(padding="same")),
    ("1024x1024x3, 7x7 s2 valid", (1024, 1024, 3), (7, 7, 3), dict(stride=2)),
]


def measure(x, k, kwargs):
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        start = time.perf_counter()
        out = conv.conv2d(x, k, **kwargs)
        seconds = time.perf_counter() - start
        return out, tracemalloc.get_traced_memory()[1] - base, seconds
    finally:
        tracemalloc.stop()


def padded_bytes(shape, kshape, kwargs):
    pads = conv.resolve_padding(
        shape,
        kshape,
        stride=kwargs.get("stride", 1),
        padding=kwargs.get("padding", "valid"),
        dilation=kwargs.get("dilation", 1),
    )
    return (shape[0] + sum(pads[0])) * (shape[1] + sum(pads[1])) * shape[2] * 8


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-huge", action="store_true")
    args = parser.parse_args()
    print(f"conv from {Path(conv.__file__).parent}")
    print(
        "| case | padded/input area | in+out MB | peak extra MB | ×(in+out) "
        "| estimate peak MB | s | estimate s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, shape, kshape, kwargs in CASES:
        rng = np.random.default_rng(0)
        x, k = rng.normal(size=shape), rng.normal(size=kshape)
        growth = padded_bytes(shape, kshape, kwargs) / x.nbytes
        if args.skip_huge and padded_bytes(shape, kshape, kwargs) > 2 << 30:
            print(f"| {name} | {growth:.1f} | skipped | | | | | |")
            continue
        out, peak, seconds = measure(x, k, kwargs)
        io = x.nbytes + out.nbytes
        est = getattr(conv, "estimate", None)
        w = est(shape, kshape, **kwargs) if est else None
        print(
            f"| {name} | {growth:.1f} | {io / 2**20:.1f} | {peak / 2**20:.1f} | {peak / io:.2f} "
            f"| {w.peak_bytes / 2**20 if w else float('nan'):.1f} | {seconds:.2f} "
            f"| {w.seconds if w else float('nan'):.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
