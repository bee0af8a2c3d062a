"""Time grouped/depthwise conv, transposed conv and pooling against torch, in one process.

Run from the repository root::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_layers.py
    python benchmarks/bench_layers.py --repeats 3     # fewer repeats

Prints one markdown table: the median time of ``conv`` and of
``torch.nn.functional`` (CPU, two threads, on its native NCHW layout with
the data already converted, so the layout change is not charged to torch;
pooling also against torch's channels-last layout), and ``conv``'s time as a
multiple of torch's (below 1 means convscope is faster), with the issue's
target for each case. Needs torch.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import conv

torch.set_num_threads(2)
F = torch.nn.functional


def median_time(fn, repeats):
    fn()  # warm-up: page faults, BLAS threads, torch's kernel choice
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cases(rng, dtype):
    """(name, ours, torch NCHW, torch channels-last or None, target float64, target float32)."""
    x = rng.normal(size=(256, 256, 32)).astype(dtype)
    xt = torch.from_numpy(x).permute(2, 0, 1)[None].contiguous()
    for groups in (1, 4, 32):
        k = rng.normal(size=(3, 3, 32 // groups, 32)).astype(dtype)
        kt = torch.from_numpy(k).permute(3, 2, 0, 1).contiguous()
        yield (
            f"conv 256²×32→32 3×3 groups={groups}",
            lambda x=x, k=k, g=groups: conv.conv2d(x, k, padding=1, groups=g),
            lambda kt=kt, g=groups: F.conv2d(xt, kt, padding=1, groups=g),
            None,
            (1.0, 2.0),
        )
    xs = rng.normal(size=(128, 128, 32)).astype(dtype)
    ks = rng.normal(size=(4, 4, 32, 32)).astype(dtype)
    xst = torch.from_numpy(xs).permute(2, 0, 1)[None].contiguous()
    kst = torch.from_numpy(ks).permute(2, 3, 0, 1).contiguous()
    yield (
        "transposed 128²×32→32 4×4 s2 p1",
        lambda: conv.conv_transpose2d(xs, ks, stride=2, padding=1),
        lambda: F.conv_transpose2d(xst, kst, stride=2, padding=1),
        None,
        (1.0, 2.0),
    )
    xp = rng.normal(size=(1024, 1024, 16)).astype(dtype)
    xpt = torch.from_numpy(xp).permute(2, 0, 1)[None].contiguous()
    xpc = xpt.contiguous(memory_format=torch.channels_last)
    for mode, fn in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        yield (
            f"{mode} pool 1024²×16 3×3 s2",
            lambda mode=mode: conv.pool2d(xp, 3, stride=2, mode=mode),
            lambda fn=fn: fn(xpt, 3, 2),
            lambda fn=fn: fn(xpc, 3, 2),
            (1.5, 1.5),
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(
        "| case | dtype | conv ms | torch ms | conv/torch | target | met | torch CL ms | conv/CL |"
    )
    print("|---|---|---:|---:|---:|---:|---|---:|---:|")
    for dtype in (np.float64, np.float32):
        for name, ours, theirs, channels_last, targets in cases(rng, dtype):
            t_ours = median_time(ours, args.repeats)
            t_torch = median_time(theirs, args.repeats)
            target = targets[0] if dtype == np.float64 else targets[1]
            ratio = t_ours / t_torch
            cl = ""
            if channels_last is not None:
                t_cl = median_time(channels_last, args.repeats)
                cl = f"{t_cl * 1e3:.1f} | {t_ours / t_cl:.2f}"
            else:
                cl = "– | –"
            print(
                f"| {name} | {np.dtype(dtype).name} | {t_ours * 1e3:.1f} | {t_torch * 1e3:.1f} "
                f"| {ratio:.2f} | ≤ {target} | {'yes' if ratio <= target else 'NO'} | {cl} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
