"""Time ``conv.conv2d`` against scipy, torch and a naive loop, in one process.

Run from the repository root::

    python benchmarks/bench_conv.py            # every case, float64 then float32
    python benchmarks/bench_conv.py --quick    # small cases, few repeats

On this machine unset the OpenBLAS overrides for representative numbers::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_conv.py

It prints one markdown table per dtype: the median time of each ``method``
("direct", "fft", "auto") and of each peer, the ratio of ``auto`` to each peer
(below 1 means convscope is faster) and the peak extra memory of the ``auto``
call as measured by :mod:`tracemalloc` (numpy reports its buffers there),
also as a multiple of the input plus output bytes, and that multiple for a
forced ``method="fft"``. The scipy peer is the obvious scipy code:
``scipy.signal.correlate(..., mode="valid")`` per channel, summed, then
strided, once per filter. Torch runs on CPU with two threads and
is skipped when it is not installed or would need more memory than the
machine has (its float64 path materialises a full im2col buffer).
"""

import argparse
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.signal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import conv

try:
    import torch

    torch.set_num_threads(2)
except ImportError:
    torch = None


@dataclass(frozen=True)
class Case:
    name: str
    shape: tuple[int, int, int]  # (H, W, C)
    kernel: tuple[int, int]  # (KH, KW)
    filters: int  # 0 means a single (KH, KW, C) filter and a 2-D output
    stride: int
    quick: bool = False
    peers: bool = True


CASES = (
    Case("exercise 33x33x3, 5x5x3 s2", (33, 33, 3), (5, 5), 0, 2, quick=True),
    Case("512x512x3, 3x3x3", (512, 512, 3), (3, 3), 0, 1, quick=True),
    Case("1024x1024x3, 7x7x3 s2", (1024, 1024, 3), (7, 7), 0, 2),
    Case("2048x2048x1, 31x31", (2048, 2048, 1), (31, 31), 0, 1),
    Case("256x256x64, 64 of 3x3x64", (256, 256, 64), (3, 3), 64, 1),
    Case("64x64x8, 8 of 5x5x8", (64, 64, 8), (5, 5), 8, 1, quick=True),
    Case("4096x4096x3, 5x5x3 (memory)", (4096, 4096, 3), (5, 5), 0, 1, peers=False),
)

METHODS = ("direct", "fft", "auto")
#: Calls slower than this are timed once after the warm-up; faster ones get
#: at least three runs, so one stall from another process cannot decide.
SLOW_SECONDS = 5.0


def median_seconds(fn, budget: float, max_repeats: int) -> float:
    """Median wall time of ``fn()`` over repeats after one uncounted warm-up.

    The warm-up matters here: the first touch of freshly mapped memory costs
    this VM milliseconds per megabyte, and later calls reuse freed memory.
    """
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    if first > SLOW_SECONDS:
        repeats = 1
    else:
        repeats = max(3, min(max_repeats, int(budget / max(first, 1e-6))))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_extra_bytes(fn) -> int:
    """Peak bytes allocated by ``fn()`` on top of what was live before it."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def make_inputs(case: Case, dtype) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(123)
    x = rng.normal(size=case.shape).round(2).astype(dtype)
    kshape = (*case.kernel, case.shape[2]) + ((case.filters,) if case.filters else ())
    return x, rng.normal(size=kshape).round(2).astype(dtype)


def scipy_peer(x: np.ndarray, k: np.ndarray, s: int) -> np.ndarray:
    k4 = k if k.ndim == 4 else k[..., None]
    outs = [
        sum(
            scipy.signal.correlate(x[..., c], k4[..., c, f], mode="valid", method="auto")
            for c in range(x.shape[2])
        )[::s, ::s]
        for f in range(k4.shape[3])
    ]
    return np.stack(outs, axis=-1) if k.ndim == 4 else outs[0]


def naive_peer(x: np.ndarray, k: np.ndarray, s: int) -> np.ndarray:
    kh, kw = k.shape[:2]
    oh, ow = (x.shape[0] - kh) // s + 1, (x.shape[1] - kw) // s + 1
    k4 = k if k.ndim == 4 else k[..., None]
    out = np.zeros((oh, ow, k4.shape[3]), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            window = x[i * s : i * s + kh, j * s : j * s + kw, :, None]
            out[i, j] = (window * k4).sum(axis=(0, 1, 2))
    return out if k.ndim == 4 else out[..., 0]


def torch_memory_problem(case: Case, x: np.ndarray, k: np.ndarray) -> str | None:
    """Why torch cannot run this case here, or None.

    Torch's float64 CPU convolution builds the whole im2col matrix; running
    it when that exceeds the free memory invites the OOM killer rather than a
    clean exception, so the estimate decides instead.
    """
    if x.dtype != np.float64:
        return None
    oh = (x.shape[0] - k.shape[0]) // case.stride + 1
    ow = (x.shape[1] - k.shape[1]) // case.stride + 1
    need = oh * ow * k.shape[0] * k.shape[1] * x.shape[2] * x.itemsize
    try:
        meminfo = Path("/proc/meminfo").read_text().split("\n")
        available = next(int(line.split()[1]) * 1024 for line in meminfo if "MemAvailable" in line)
    except (OSError, StopIteration):
        available = 8 << 30
    if need > available // 2:
        return f"failed: im2col needs {need / 2**30:.0f} GB, {available / 2**30:.0f} GB free"
    return None


def torch_peer(case: Case, x: np.ndarray, k: np.ndarray):
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1))[None])
    k4 = k if k.ndim == 4 else k[..., None]
    kt = torch.from_numpy(np.ascontiguousarray(k4.transpose(3, 2, 0, 1)))

    def run():
        with torch.no_grad():
            return torch.nn.functional.conv2d(xt, kt, stride=case.stride)

    return run


#: The GEMM floor is skipped when its im2col matrix would be larger than this.
FLOOR_MAX_BYTES = 512 * 2**20


def gemm_floor(case: Case, dtype):
    """Time of one BLAS product doing the case's multiply-adds, or None if too large.

    ``(OH*OW, KH*KW*C) @ (KH*KW*C, F)`` on ready-made operands: what numpy's
    BLAS needs for the arithmetic alone, with no im2col copy. No numpy
    convolution can beat it by much, so it tells how far a gap to torch is
    the algorithm's and how far BLAS's.
    """
    (h, w, c), (kh, kw), s = case.shape, case.kernel, case.stride
    rows = ((h - kh) // s + 1) * ((w - kw) // s + 1)
    depth = kh * kw * c
    if rows * depth * np.dtype(dtype).itemsize > FLOOR_MAX_BYTES:
        return None
    rng = np.random.default_rng(0)
    a = rng.random((rows, depth)).astype(dtype)
    b = rng.random((depth, max(case.filters, 1))).astype(dtype)
    return lambda: a @ b


def fmt_ms(seconds: float | str | None) -> str:
    if seconds is None:
        return "–"
    if isinstance(seconds, str):
        return seconds
    return f"{seconds * 1e3:.3g}" if seconds < 1 else f"{seconds * 1e3:.0f}"


def ratio(a, b) -> str:
    return f"{a / b:.2f}" if isinstance(a, float) and isinstance(b, float) else "–"


def bench_case(case: Case, dtype, quick: bool) -> dict:
    x, k = make_inputs(case, dtype)
    budget, max_repeats = (0.3, 5) if quick else (2.0, 21)
    row: dict = {"case": case.name}
    ref = None
    for method in METHODS:
        out = conv.conv2d(x, k, stride=case.stride, method=method)
        if ref is None:
            ref = out
        else:  # the methods must agree before their times mean anything
            tol = 1e-9 if dtype == np.float64 else 1e-3
            scale = np.abs(ref).max()
            assert np.abs(out - ref).max() <= tol * scale, (case.name, method)
        row[method] = median_seconds(
            lambda m=method: conv.conv2d(x, k, stride=case.stride, method=m), budget, max_repeats
        )
    # What auto runs for this dtype (the cost model scales float32 per method).
    row["chosen"] = conv.estimate(x.shape, k.shape, stride=case.stride, dtype=x.dtype).method
    extra = peak_extra_bytes(lambda: conv.conv2d(x, k, stride=case.stride))
    row["extra_mb"] = extra / 2**20
    row["extra_x"] = extra / (x.nbytes + ref.nbytes)
    # Forced FFT too: many channels or filters must not blow its memory either.
    fft_extra = peak_extra_bytes(lambda: conv.conv2d(x, k, stride=case.stride, method="fft"))
    row["fft_extra_x"] = fft_extra / (x.nbytes + ref.nbytes)
    if case.peers:
        row["scipy"] = median_seconds(lambda: scipy_peer(x, k, case.stride), budget, max_repeats)
        if torch is None:
            row["torch"] = "not installed"
        elif problem := torch_memory_problem(case, x, k):
            row["torch"] = problem
        else:
            try:
                row["torch"] = median_seconds(torch_peer(case, x, k), budget, max_repeats)
            except RuntimeError as err:  # e.g. an allocation failure
                row["torch"] = f"failed: {str(err)[:40]}"
        if floor := gemm_floor(case, dtype):
            row["floor"] = median_seconds(floor, budget, max_repeats)
        if case.shape[0] <= 64:
            row["naive"] = median_seconds(lambda: naive_peer(x, k, case.stride), budget, 5)
    return row


def print_table(dtype, rows: list[dict]) -> None:
    print(f"\n### {np.dtype(dtype).name} (times in ms, median)\n")
    head = (
        "| case | direct | fft | auto (picks) | scipy | torch | naive | GEMM floor "
        "| auto/scipy | auto/torch | floor/torch | auto extra MB | ×(in+out) | fft ×(in+out) |"
    )
    print(head)
    print("|" + "---|" * head.count(" | ") + "---|")
    for r in rows:
        cells = [
            r["case"],
            fmt_ms(r["direct"]),
            fmt_ms(r["fft"]),
            f"{fmt_ms(r['auto'])} ({r['chosen']})",
            fmt_ms(r.get("scipy")),
            fmt_ms(r.get("torch")),
            fmt_ms(r.get("naive")),
            fmt_ms(r.get("floor")),
            ratio(r["auto"], r.get("scipy")),
            ratio(r["auto"], r.get("torch")),
            ratio(r.get("floor"), r.get("torch")),
            f"{r['extra_mb']:.1f}",
            f"{r['extra_x']:.2f}",
            f"{r['fft_extra_x']:.2f}",
        ]
        print("| " + " | ".join(cells) + " |")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small cases, few repeats")
    parser.add_argument("--dtype", choices=("float64", "float32"), action="append")
    parser.add_argument("--case", action="append", help="only cases whose name contains this")
    args = parser.parse_args()
    cases = [c for c in CASES if c.quick or not args.quick]
    if args.case:
        cases = [c for c in cases if any(s in c.name for s in args.case)]
    torch_info = torch.__version__ if torch is not None else "not installed"
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, torch {torch_info}", flush=True)
    for dtype in args.dtype or ("float64", "float32"):
        rows = []
        for case in cases:
            rows.append(bench_case(case, np.dtype(dtype), args.quick))
            print(f"  done: {case.name}", file=sys.stderr, flush=True)
        print_table(dtype, rows)
    print(
        "\nRatios are auto's time over the peer's: below 1 means convscope is faster. "
        "GEMM floor: one BLAS product with the case's multiply-adds and no im2col copy. "
        f"Calls slower than {SLOW_SECONDS:.0f} s are timed once after the warm-up, "
        "others are the median of at least 3 runs."
    )


if __name__ == "__main__":
    main()
