"""What the Layer stack page says in words: the failure and its fix, the solver, the field.

Examples
--------
>>> sizes_text((4, 8, 12, 16, 20, 24))
'4, 8, 12, … 24 (every multiple of 4)'
>>> sizes_text((1, 2, 3, 4, 5, 7))
'1 – 5, 7'
>>> sizes_text(())
'none'
"""

from __future__ import annotations

import itertools
from fractions import Fraction

__all__ = ["failure_text", "field_lines", "sizes_text", "solver_lines"]


def _runs(values: tuple[int, ...]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for v in values:
        if out and v == out[-1][1] + 1:
            out[-1][1] = v
        else:
            out.append([v, v])
    return [(a, b) for a, b in out]


def sizes_text(values: tuple[int, ...], most: int = 8) -> str:
    """Sizes compactly: ranges ``a – b``, or an evenly spaced run as ``a, b, c, … z``."""
    if not values:
        return "none"
    steps = {b - a for a, b in itertools.pairwise(values)}
    if len(values) > 3 and len(steps) == 1 and steps != {1}:
        step = steps.pop()
        kind = f"every multiple of {step}" if values[0] % step == 0 else f"every {step}th"
        return f"{values[0]}, {values[1]}, {values[2]}, … {values[-1]} ({kind})"
    parts = [f"{a}" if a == b else f"{a} – {b}" for a, b in _runs(values)]
    more = f", … ({len(parts) - most} more runs)" if len(parts) > most else ""
    return ", ".join(parts[:most]) + more


def failure_text(failure, layout: str) -> str:
    """The first failing layer in plain words: PyTorch's condition, its error, the fix."""
    lines = [
        f"**Layer {failure.index} — `{failure.layer}` — cannot run** on input "
        f"{' × '.join(map(str, failure.in_shape[1:]))}: {failure.reason}.",
        f"PyTorch says: `{failure.pytorch_error}`",
        f"**Fix:** {failure.fix}.",
    ]
    if failure.fix_input is not None:
        h, w = failure.fix_input
        lines.append(f"An input of **{h} × {w}** (H × W) makes this layer run.")
    return "\n\n".join(lines)


def solver_lines(solved, current: tuple[int, int]) -> list[str]:
    """The input-size solver's answer per axis, the smallest size, the 2ⁿ rule."""
    found = solved.sizes
    tried = f"{solved.tried.start} – {solved.tried.stop - 1}"
    lines = [f"Tried every height and width from {tried}."]
    if solved.capped:
        lines[0] += " (fewer than usual: this stack has many layers)"
    if found.blocked is not None:
        lines.append(
            f"No input size runs the whole stack: layer {found.blocked.index} "
            f"fails whatever the size ({found.blocked.reason})."
        )
    for axis, name, now in (
        (found.rows, "height (H)", current[0]),
        (found.cols, "width (W)", current[1]),
    ):
        marks = [
            w
            for w, ok in (
                ("runs", axis.runs),
                ("drops no pixels", axis.no_drop),
                ("integer sizes everywhere", axis.exact),
            )
            if now in ok
        ]
        lines.append(
            f"**{name}** — runs: {sizes_text(axis.runs)}; drops no pixels: "
            f"{sizes_text(axis.no_drop)}; integer size at every layer: {sizes_text(axis.exact)}."
            f" Yours ({now}): {', '.join(marks) if marks else 'does not run'}."
        )
        steps = {b - a for a, b in zip(axis.exact, axis.exact[1:], strict=False)}
        if len(axis.exact) > 3 and len(steps) == 1:
            step = steps.pop()
            if step > 1 and step & (step - 1) == 0 and axis.exact[0] % step == 0:
                n = step.bit_length() - 1
                lines.append(
                    f"The multiple-of-2ⁿ rule for the {name}: n = {n}, so sizes must "
                    f"divide by 2^{n} = {step} to come back whole."
                )
    if found.pairs:
        shown = "; ".join(
            f"H {r.start} – {r.stop - 1} with W {c.start} – {c.stop - 1}"
            for r, c in found.pairs[:4]
        )
        lines.append(
            f"With the layers after Flatten, the whole stack runs for: {shown}"
            + (" …" if len(found.pairs) > 4 else "")
            + "."
        )
    if found.smallest is not None:
        lines.append(
            f"**Smallest input that runs the whole stack: {found.smallest[0]} × "
            f"{found.smallest[1]}** (H × W)."
        )
    return lines


def _frac(value: Fraction | None) -> str:
    return "uneven" if value is None else str(value)


def field_lines(field) -> list[str]:
    """Size at the input, jump and offset of a receptive field, in words."""
    rf = field.field
    first = rf.maps[0]
    rows, cols = first.size
    lines = [
        f"Cell **{field.cell}** of layer {field.layer}'s output depends on a **{rows} × {cols}**"
        f" rectangle of the input: rows {first.rows.start} – {first.rows.stop - 1}, columns "
        f"{first.cols.start} – {first.cols.stop - 1}"
        + (
            ""
            if first.dense
            else f" ({len(first.reached_rows) * len(first.reached_cols)} of "
            "its cells actually reached: dilation leaves gaps)"
        )
        + ".",
        f"Without borders it would be {rf.unbounded_size[0]} × {rf.unbounded_size[1]} "
        "(what receptive-field calculators report); jump (input distance between neighbouring "
        f"output cells) {_frac(rf.jump[0])} × {_frac(rf.jump[1])}; offset (input position of "
        f"output cell (0, 0)'s centre) {_frac(rf.offset[0])} × {_frac(rf.offset[1])}.",
    ]
    return lines
