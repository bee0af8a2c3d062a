"""How often ``conv.check_answer`` names the mistake that was made, and how fast it is.

Run from the repository root::

    python benchmarks/bench_check.py              # 2,400 wrong answers + exercise timings
    python benchmarks/bench_check.py --answers 300 --quick

(a) Random problems (H, W 5-16, 1-4 channels, kernels 2-5, strides 1-3,
every padding form and pad mode, dilation 1-2). For each, one mistake from
``conv.MISTAKES`` (or a pair) is applied here with plain numpy on top of
``conv.conv2d`` (not with the library's catalogue), the result rounded to
0-3 decimals, and a quarter of the answers are made partial (one row, or
about half the cells). A diagnosis counts as right when the first one is the
mistake made, or names it as indistinguishable. Prints the share and every
confusion.

(b) The exercise (33x33x3, 5x5x3, stride 2): median time of ``check_answer``
on four answers, and its ratio to one ``conv.conv2d`` call in this process.
"""

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import conv

PADDINGS = ("valid", "same", "full", 1, 2, (1, 0), ((0, 1), (1, 0)))
SINGLE = (
    "correct",
    "flipped-kernel",
    "stride",
    "padding",
    "dilation",
    "transposed-kernel",
    "transposed-output",
    "channels-first",
    "channel-subset",
    "rounding",
    "arithmetic",
)
PAIRS = (
    ("flipped-kernel", "stride"),
    ("flipped-kernel", "padding"),
    ("flipped-kernel", "transposed-output"),
    ("stride", "padding"),
    ("channel-subset", "transposed-output"),
    ("flipped-kernel", "rounding"),
)


def random_problem(rng):
    c = int(rng.integers(1, 5))
    h, w = (int(v) for v in rng.integers(5, 17, size=2))
    kh, kw = (int(v) for v in rng.integers(2, 6, size=2))
    x = rng.normal(size=(h, w, c)).round(2)
    k = rng.normal(size=(kh, kw, c)).round(2)
    if c == 1 and rng.random() < 0.5:
        x, k = x[..., 0], k[..., 0]
    s = {
        "stride": int(rng.integers(1, 4)),
        "padding": PADDINGS[int(rng.integers(len(PADDINGS)))],
        "dilation": 1 if rng.random() < 0.8 else 2,
        "pad_mode": conv.PAD_MODES[int(rng.integers(4))],
        "flip": bool(rng.random() < 0.15),
    }
    return x, k, s


def apply(mistake, rng, x, k, s, out):
    """(new x, k, settings, output transform) for one computed mistake, or None."""
    c = x.shape[2] if x.ndim == 3 else 1
    if mistake == "flipped-kernel":
        return x, k, {**s, "flip": not s["flip"]}, out
    if mistake == "stride":
        if s["stride"] > 1 and rng.random() < 0.4:
            o = int(rng.integers(1, s["stride"]))
            pads = conv.resolve_padding(x.shape, k.shape, **geo(s))
            st = s["stride"]
            return x, k, {**s, "stride": 1, "padding": pads}, lambda v: out(v)[o::st, o::st]
        other = int(rng.choice([v for v in (1, 2, 3) if v != s["stride"]]))
        return x, k, {**s, "stride": other}, out
    if mistake == "padding":
        return x, k, {**s, "padding": PADDINGS[int(rng.integers(len(PADDINGS)))]}, out
    if mistake == "dilation":
        return x, k, {**s, "dilation": 3 - s["dilation"]}, out
    if mistake == "transposed-kernel":
        return x, k.swapaxes(0, 1), s, out
    if mistake == "transposed-output":
        return x, k, s, lambda v: out(v).swapaxes(0, 1)
    if mistake == "channels-first" and c > 1:
        h, w = x.shape[:2]
        if rng.random() < 0.5:
            return x.reshape(c, h, w).transpose(1, 2, 0), k, s, out
        kh, kw = k.shape[:2]
        return x, k.reshape(c, kh, kw).transpose(1, 2, 0), s, out
    if mistake == "channel-subset" and c > 1:
        keep = [int(rng.integers(c))] if c == 2 or rng.random() < 0.5 else None
        if keep is None:
            drop = int(rng.integers(c))
            keep = [i for i in range(c) if i != drop]
        return x[..., keep], k[:, :, keep], s, out
    return None


def geo(s):
    return {key: s[key] for key in ("stride", "padding", "dilation")}


def wrong_answer(mistakes, rng, x, k, s, decimals):
    """The answer a student gives with these mistakes, or None when one does not apply."""
    out = lambda v: v  # noqa: E731
    for m in mistakes:
        if m in ("rounding", "arithmetic"):
            continue
        step = apply(m, rng, x, k, s, out)
        if step is None:
            return None
        x, k, s, out = step
    try:
        values = out(conv.conv2d(x, k, **s))
    except ValueError:
        return None
    if "rounding" in mistakes:
        answer = np.trunc(values * 10.0**decimals) / 10.0**decimals
    else:
        answer = values.round(decimals)
    if "arithmetic" in mistakes:
        if answer.size < 8:
            return None
        cell = tuple(int(rng.integers(n)) for n in answer.shape)
        # A slip written like the other values, with the same decimals.
        answer[cell] += round(float(rng.choice([-1, 1]) * rng.uniform(0.5, 3)), decimals)
    return answer


def make_partial(rng, answer):
    kind = rng.random()
    if kind < 0.12 and answer.shape[1] >= 4:
        return answer[:1].copy()
    if kind < 0.25:
        answer = answer.copy()
        answer[rng.random(answer.shape) < 0.5] = np.nan
        if np.isnan(answer).all():
            answer.flat[0] = 0.0
    return answer


def accuracy(n_answers, seed):
    rng = np.random.default_rng(seed)
    hits, total, collapsed, confusion, seconds = 0, 0, 0, collections.Counter(), []
    kinds = [(m,) for m in SINGLE[1:]] + list(PAIRS)
    while total < n_answers:
        x, k, s = random_problem(rng)
        mistakes = kinds[total % len(kinds)]
        decimals = int(rng.integers(0, 4))
        try:
            right = conv.conv2d(x, k, **s).round(decimals)
        except ValueError:
            continue
        answer = wrong_answer(mistakes, rng, x, k, s, decimals)
        if answer is None or answer.size == 0:
            continue
        if answer.shape == right.shape and np.allclose(answer, right):
            continue  # this mistake changes nothing in this problem
        if "arithmetic" not in mistakes:
            answer = make_partial(rng, answer)
        start = time.perf_counter()
        report = conv.check_answer(answer, x, k, **s)
        seconds.append(time.perf_counter() - start)
        top = report.diagnoses[0]
        name = "+".join(mistakes)
        ok = set(top.mistakes) == set(mistakes) or name in top.indistinguishable
        # A partial answer may lose exactly the cells that differ, and in a pair one
        # mistake may undo nothing the other did ("same" padding chosen again): then
        # a subset of the mistakes that reproduces every given cell is right.
        if not ok and set(top.mistakes) < set(mistakes) and top.matched == top.given:
            ok = True
            collapsed += 1
        total += 1
        hits += ok
        if not ok:
            confusion[name, "+".join(top.mistakes) or "correct"] += 1
    return hits, total, collapsed, confusion, seconds


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def exercise_timings(repeats):
    rng = np.random.default_rng(123)
    x = rng.normal(size=(33, 33, 3)).round(2)
    k = rng.normal(size=(5, 5, 3)).round(2)
    one = median_time(lambda: conv.conv2d(x, k, stride=2), repeats * 10)
    answers = {
        "published row start [[1.64, -3.22, -2.44, 5.48]]": [[1.64, -3.22, -2.44, 5.48]],
        "full 15x15 answer, right": conv.conv2d(x, k, stride=2).round(2),
        "15x15, kernel flipped": conv.conv2d(x, k, stride=2, flip=True).round(2),
        "29x29, stride 1": conv.conv2d(x, k).round(2),
    }
    rows = []
    for name, answer in answers.items():
        t = median_time(lambda a=answer: conv.check_answer(a, x, k, stride=2), repeats)
        top = conv.check_answer(answer, x, k, stride=2).diagnoses[0].mistake
        rows.append((name, top, t, t / one))
    return one, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quick", action="store_true", help="few timing repeats")
    args = parser.parse_args()

    hits, total, collapsed, confusion, seconds = accuracy(args.answers, args.seed)
    print(f"(a) {hits} of {total} wrong answers ranked first correctly: {100 * hits / total:.2f} %")
    print(f"    ({collapsed} of them fully explained by fewer mistakes than were made)")
    print(
        f"    check_answer per answer: median {1e3 * statistics.median(seconds):.1f} ms, "
        f"max {1e3 * max(seconds):.0f} ms"
    )
    for (made, named), count in confusion.most_common():
        print(f"    {count:4d} x made {made!r}, ranked first {named!r}")

    one, rows = exercise_timings(5 if args.quick else 30)
    print(f"\n(b) exercise: one conv.conv2d call {1e6 * one:.0f} µs (median)")
    print("| answer | first diagnosis | check_answer median | ratio to one conv2d |")
    print("| --- | --- | --- | --- |")
    for name, top, t, ratio in rows:
        print(f"| {name} | {top} | {1e3 * t:.1f} ms | {ratio:.0f}x |")


if __name__ == "__main__":
    main()
