"""One spatial layer along one axis: its output size, the formula with the numbers, what it drops.

Shared by the tracer, the receptive field and the input-size solver, so the
three never disagree. The formulas themselves live in :mod:`conv._geometry`.
"""

from __future__ import annotations

from conv._geometry import conv_size, pool_size, transposed_size
from conv._layers import AxisWindow

AXIS_NAMES = ("H", "W")
AXIS_WORDS = ("rows", "columns")


def axis_size(w: AxisWindow, n: int) -> int:
    """Output length for input length ``n``; 0 or less when the layer cannot run."""
    if w.kind == "conv":
        return conv_size(n, w.kernel, w.stride, w.dilation, w.before, w.after)
    if w.kind == "pool":
        return pool_size(n, w.kernel, w.stride, w.before, w.dilation, w.ceil_mode)
    if w.kind == "transposed":
        return transposed_size(
            n, w.kernel, w.stride, w.dilation, w.before, w.after, w.output_padding
        )
    return n if w.target is None else w.target


def padding_problem(w: AxisWindow, n: int) -> str | None:
    """Why PyTorch's non-zero padding modes refuse this size, or None."""
    side = max(w.before, w.after)
    if w.pad_mode == "reflect" and side >= n:
        return f"reflect padding {side} needs more than {side} cells, the input has {n}"
    if w.pad_mode == "circular" and side > n:
        return f"circular padding {side} needs at least {side} cells, the input has {n}"
    return None


def runs(w: AxisWindow, n: int) -> int:
    """Output length if the layer runs on ``n`` cells, else 0."""
    if w.pad_mode != "zeros" and padding_problem(w, n):
        return 0
    return max(axis_size(w, n), 0)


def dropped(w: AxisWindow, n: int, out: int) -> int:
    """Real input cells at the end that no window reaches (floor rounding's loss)."""
    if w.kind not in ("conv", "pool") or out < 1:
        return 0
    last = (out - 1) * w.stride + w.dilation * (w.kernel - 1) - w.before
    return min(max(n - 1 - last, 0), n)


def exact(w: AxisWindow, n: int) -> bool:
    """Whether the size formula divides without remainder (no rounding at all)."""
    if w.kind in ("conv", "pool"):
        return (n + w.before + w.after - w.dilation * (w.kernel - 1) - 1) % w.stride == 0
    if w.kind == "adaptive":
        return w.target is None or n % w.target == 0
    return True


def _pads(w: AxisWindow) -> str:
    if w.before == w.after:
        return f"2*{w.before}"
    return f"{w.before} + {w.after}"


def arithmetic(w: AxisWindow, n: int, axis: int) -> str:
    """The size formula with this layer's numbers, e.g. ``H: floor((32 + 2*1 - 3) / 2) + 1 = 16``.

    Examples
    --------
    >>> arithmetic(AxisWindow("conv", 3, 2, 1, 1, 1), 32, 0)
    'H: floor((32 + 2*1 - 1*(3 - 1) - 1) / 2) + 1 = floor(31 / 2) + 1 = 16'
    >>> arithmetic(AxisWindow("transposed", 2, 2), 8, 1)
    'W: (8 - 1)*2 - 2*0 + 1*(2 - 1) + 0 + 1 = 16'
    """
    name, out = AXIS_NAMES[axis], axis_size(w, n)
    k, s, d = w.kernel, w.stride, w.dilation
    if w.kind == "transposed":
        return (
            f"{name}: ({n} - 1)*{s} - {_pads(w)} + {d}*({k} - 1) + {w.output_padding} + 1 = {out}"
        )
    if w.kind == "adaptive":
        if w.target is None:
            return f"{name}: {n} (output_size None keeps it)"
        size = f"{n // w.target} cells" if n % w.target == 0 else "uneven size"
        return f"{name}: {n} -> {w.target} (output_size; windows of {size})"
    span = n + w.before + w.after - d * (k - 1) - 1
    if w.kind == "pool" and w.ceil_mode:
        text = f"{name}: ceil(({n} + {_pads(w)} - {d}*({k} - 1) - 1) / {s}) + 1"
        raw = -(-span // s) + 1
        text += f" = ceil({span} / {s}) + 1 = {raw}"
        if out != raw and out > 0:
            text += f", minus the last window, which would start in the bottom padding = {out}"
        return text
    text = f"{name}: floor(({n} + {_pads(w)} - {d}*({k} - 1) - 1) / {s}) + 1"
    if span < 0:
        return text + f" = floor({span} / {s}) + 1: the window does not fit"
    return text + f" = floor({span} / {s}) + 1 = {out}"
