"""Which input sizes a layer stack accepts, drops nothing on, or divides exactly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conv._layer_axes import dropped, exact, runs
from conv._layers import SPATIAL, Layer, Linear
from conv._trace import LayerFailure, check_layers, read_input_shape, run_trace

MAX_SIZES = 1 << 16


@dataclass(frozen=True)
class AxisSizes:
    """Input lengths along one axis (``"H"`` or ``"W"``) and what the spatial layers do with them.

    ``runs``: every convolution and pooling gets at least one output cell.
    ``no_drop``: also no real row (column) is left out by floor rounding.
    ``exact``: also every size formula divides exactly, at every layer (the
    "multiple of 2**n" rule of encoder-decoder stacks).
    """

    axis: str
    runs: tuple[int, ...]
    no_drop: tuple[int, ...]
    exact: tuple[int, ...]

    @property
    def smallest(self) -> int | None:
        return self.runs[0] if self.runs else None

    @property
    def smallest_exact(self) -> int | None:
        return self.exact[0] if self.exact else None


@dataclass(frozen=True)
class InputSizes:
    """What :func:`conv.input_sizes` found.

    ``rows`` and ``cols`` answer per axis for the convolution and pooling
    layers. ``blocked`` is a failure no input size can fix (wrong channels, a
    convolution after Flatten). ``pairs`` is None unless layers after the last
    spatial one (a ``Linear`` after ``Flatten``) tie H and W together; then it
    lists rectangles ``(H range, W range)`` of sizes with which the whole
    stack runs. ``smallest`` is the smallest (H, W) that runs the whole stack.
    """

    sizes: range
    rows: AxisSizes
    cols: AxisSizes
    blocked: LayerFailure | None
    pairs: tuple[tuple[range, range], ...] | None
    smallest: tuple[int, int] | None


def _axis(layers, axis: int, sizes: range) -> tuple[AxisSizes, dict[int, int]]:
    windows = [layer.window(axis) for layer in layers if isinstance(layer, SPATIAL)]
    ok, no_drop, whole, final = [], [], [], {}
    for size in sizes:
        n, clean, divides = size, True, True
        for win in windows:
            out = runs(win, n)
            if out < 1:
                break
            clean = clean and dropped(win, n, out) == 0
            divides = divides and exact(win, n)
            n = out
        else:
            ok.append(size)
            final[size] = n
            if clean:
                no_drop.append(size)
            if clean and divides:
                whole.append(size)
    return AxisSizes("HW"[axis], tuple(ok), tuple(no_drop), tuple(whole)), final


def _runs_of(final: dict[int, int]) -> dict[int, range]:
    """Input ranges giving each final size; contiguous because every layer is monotone."""
    spans: dict[int, list[int]] = {}
    for size, out in final.items():
        spans.setdefault(out, [size, size])[1] = size
    return {out: range(a, b + 1) for out, (a, b) in spans.items()}


def _widths_giving(features: int, channels: int, height: int) -> set[int]:
    """Final widths for which the first Linear after the maps can get ``features`` inputs.

    Whatever Flatten does, the last axis is a product of a suffix of
    (channels, H, W): W, H * W or C * H * W; so these are the only candidates.
    """
    widths = {features}
    for factor in (height, channels * height):
        if features % factor == 0:
            widths.add(features // factor)
    return widths


def input_sizes(
    layers: Sequence[Layer], sizes: range = range(1, 513), *, channels: int | None = None
) -> InputSizes:
    """Try every input height and width in ``sizes`` on a stack.

    Parameters
    ----------
    layers : sequence of layer descriptions
    sizes : range
        Consecutive lengths to try for H and for W (step 1, at most 65536).
    channels : int, optional
        Input channels; by default the first layer's ``in_channels``.

    Examples
    --------
    >>> from conv.layers import Conv2d, ConvTranspose2d, MaxPool2d
    >>> up = ConvTranspose2d(8, 8, 2, stride=2)
    >>> unet = [Conv2d(1, 8, 3, padding=1), MaxPool2d(2), Conv2d(8, 8, 3, padding=1),
    ...         MaxPool2d(2), up, up]
    >>> found = input_sizes(unet, range(1, 21))
    >>> found.rows.runs[:3], found.rows.exact, found.smallest
    ((4, 5, 6), (4, 8, 12, 16, 20), (4, 4))
    """
    layers = check_layers(layers)
    if not isinstance(sizes, range) or sizes.step != 1 or sizes.start < 1 or not sizes:
        raise ValueError(f"sizes must be a non-empty range of positive lengths, got {sizes!r}")
    if len(sizes) > MAX_SIZES or sizes.stop > MAX_SIZES + 1:
        raise ValueError(f"sizes must stay within 1 to {MAX_SIZES}, got {sizes!r}")
    c = read_input_shape((1, 1), "auto", layers)[0][0] if channels is None else channels
    spatial = [i for i, layer in enumerate(layers) if isinstance(layer, SPATIAL)]
    prefix = layers[: spatial[-1] + 1] if spatial else ()
    (rows, final_h), (cols, final_w) = (_axis(prefix, axis, sizes) for axis in (0, 1))
    blocked, pairs, smallest = None, None, None
    if rows.runs and cols.runs:
        probe = run_trace(prefix, (c, rows.runs[-1], cols.runs[-1]), "CHW", False)
        blocked = probe.failure
        tail = layers[len(prefix) :]
        if blocked is None and any(isinstance(layer, Linear) for layer in tail):
            c_out = probe.output_shape[1] if prefix else c
            by_h, by_w = _runs_of(final_h), _runs_of(final_w)
            features = next(layer for layer in tail if isinstance(layer, Linear)).in_features
            found = []
            for fh in by_h:
                for fw in _widths_giving(features, c_out, fh):
                    if fw in by_w and run_trace(tail, (c_out, fh, fw), "CHW", False).ok:
                        found.append((by_h[fh], by_w[fw]))
            pairs = tuple(sorted(set(found), key=lambda p: (p[0].start, p[1].start)))
            if not pairs:  # report the tail's failure on the largest sizes
                end = run_trace(layers, (c, rows.runs[-1], cols.runs[-1]), "CHW", False)
                blocked = end.failure
            else:
                best = min(pairs, key=lambda p: (p[0].start * p[1].start, p[0].start))
                smallest = (best[0].start, best[1].start)
        elif blocked is None:
            smallest = (rows.runs[0], cols.runs[0])
    return InputSizes(sizes, rows, cols, blocked, pairs, smallest)
