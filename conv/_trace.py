"""Trace a layer stack: every layer's output shape with the arithmetic, and the first failure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from conv._geometry import _is_int
from conv._layer_axes import AXIS_WORDS, arithmetic, axis_size, dropped, padding_problem, runs
from conv._layers import (
    MAX_INT,
    SPATIAL,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Flatten,
    Layer,
    Linear,
    Pointwise,
)

LAYOUTS = ("auto", "CHW", "HWC")
MAX_LAYERS = 1000


@dataclass(frozen=True)
class TraceRow:
    """One layer that ran: shapes are PyTorch's, with a batch of 1, e.g. ``(1, 64, 112, 112)``.

    ``arithmetic`` has one line per computed quantity (channels, ``H:``, ``W:``,
    features), written with the layer's numbers; ``dropped`` counts the input
    (rows, cols) at the bottom and right that no window reached; ``macs`` counts
    the multiply-adds of convolutions and ``Linear`` (pooling, norms and
    activations count 0); ``note`` says, for ``Linear``, what ``in_features``
    the input needs and whether the given one matches.
    """

    index: int
    layer: Layer
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    arithmetic: tuple[str, ...]
    dropped: tuple[int, int]
    params: int
    macs: int
    note: str = ""

    @property
    def name(self) -> str:
        layer = self.layer
        return layer.kind if isinstance(layer, Pointwise) else type(layer).__name__


@dataclass(frozen=True)
class LayerFailure:
    """The first layer that cannot run on its input.

    ``reason`` is PyTorch's condition in plain words with the numbers,
    ``pytorch_error`` roughly what PyTorch raises, ``fix`` what to change, and
    ``fix_input`` an input (H, W) that makes this layer run: for a size
    problem the smallest at least the given one (up to 65536); for a
    ``Linear`` whose ``in_features`` the flattened map misses, the nearest
    (H, W) up to 1024 that yields them. None when no input size helps.
    """

    index: int
    layer: Layer
    in_shape: tuple[int, ...]
    reason: str
    pytorch_error: str
    fix: str
    fix_input: tuple[int, int] | None = None


@dataclass(frozen=True)
class Trace:
    """What :func:`conv.trace_layers` found: a row per layer that ran, then any failure."""

    layers: tuple[Layer, ...]
    input_shape: tuple[int, int, int]  # (C, H, W), whatever layout was given
    layout: str
    rows: tuple[TraceRow, ...]
    failure: LayerFailure | None

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.rows[-1].out_shape if self.rows else (1, *self.input_shape)

    @property
    def params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def macs(self) -> int:
        return sum(row.macs for row in self.rows)


class _Refusal(Exception):
    """A layer cannot run; carries the pieces of a LayerFailure."""

    def __init__(self, reason: str, pytorch_error: str, fix: str, size_problem: bool = False):
        super().__init__(reason)
        self.reason, self.pytorch_error, self.fix = reason, pytorch_error, fix
        self.size_problem = size_problem


def _dims(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _spatial(layer: Layer, shape: tuple[int, ...]) -> tuple[tuple[int, ...], TraceRow]:
    name = type(layer).__name__
    if len(shape) != 4:
        raise _Refusal(
            f"{name} needs an (N, C, H, W) input but gets shape {shape}",
            f"Expected 3D (unbatched) or 4D (batched) input to {name.lower()}, "
            f"but got input of size: {_dims(shape)}",
            "move it before the Flatten (or Linear) that removed the spatial axes",
        )
    _, c, h, w = shape
    c_out = c
    lines = []
    if isinstance(layer, (Conv2d, ConvTranspose2d)):
        if c != layer.in_channels:
            raise _Refusal(
                f"{name} expects {layer.in_channels} input channels (in_channels) "
                f"but the input has {c}",
                f"expected input{_dims(shape)} to have {layer.in_channels} channels, "
                f"but got {c} channels instead",
                f"set in_channels={c}",
            )
        c_out = layer.out_channels
        lines.append(f"C: {c} -> {c_out} (out_channels)")
    windows = [layer.window(0), layer.window(1)]
    out = []
    for axis, (win, n) in enumerate(zip(windows, (h, w), strict=True)):
        problem = padding_problem(win, n)
        if problem:
            raise _Refusal(
                f"{name}: {problem} along the {AXIS_WORDS[axis]}",
                "Padding size should be less than the corresponding input dimension",
                "use a larger input, less padding or padding_mode='zeros'",
                size_problem=True,
            )
        out.append(axis_size(win, n))
        lines.append(arithmetic(win, n, axis))
    if min(out) < 1:
        raise _Refusal(*_too_small(layer, windows, shape, out), size_problem=True)
    out_shape = (1, c_out, out[0], out[1])
    params = macs = 0
    if isinstance(layer, (Conv2d, ConvTranspose2d)):
        per_tap = layer.kernel_size[0] * layer.kernel_size[1]
        weights = layer.in_channels * layer.out_channels // layer.groups * per_tap
        params = weights + (layer.out_channels if layer.bias else 0)
        # Each output (or, transposed, each input) cell does one filter's worth.
        cells = out[0] * out[1] if isinstance(layer, Conv2d) else h * w
        macs = weights * cells
    drop = tuple(dropped(win, n, o) for win, n, o in zip(windows, (h, w), out, strict=True))
    return out_shape, TraceRow(0, layer, shape, out_shape, tuple(lines), drop, params, macs)


def _too_small(layer, windows, shape, out) -> tuple[str, str, str]:
    _, c, h, w = shape
    name = type(layer).__name__
    padded = [n + win.before + win.after for win, n in zip(windows, (h, w), strict=True)]
    extent = [win.dilation * (win.kernel - 1) + 1 for win in windows]
    bad = [axis for axis in (0, 1) if out[axis] < 1]
    axis = bad[0]
    win = windows[axis]
    if win.kind == "transposed":
        reason = (
            f"{name} would give {out[axis]} {AXIS_WORDS[axis]}: (n - 1)*stride - 2*padding "
            f"+ dilation*(kernel - 1) + output_padding + 1 must be at least 1"
        )
        error = (
            f"Given input size per channel: ({h} x {w}). Calculated output size per channel: "
            f"({out[0]} x {out[1]}). Output size is too small"
        )
        return reason, error, "use less padding or a larger input"
    words = "the dilated kernel" if win.kind == "conv" else "the pooling window"
    reason = (
        f"{name}: the padded input has {padded[axis]} {AXIS_WORDS[axis]} "
        f"({(h, w)[axis]} + {win.before} + {win.after}), fewer than {words} spans "
        f"({win.dilation}*({win.kernel} - 1) + 1 = {extent[axis]}); PyTorch needs "
        f"padded size >= dilation*(kernel_size - 1) + 1"
    )
    if win.kind == "conv":
        error = (
            f"Calculated padded input size per channel: ({padded[0]} x {padded[1]}). "
            f"Kernel size: ({extent[0]} x {extent[1]}). "
            "Kernel size can't be greater than actual input size"
        )
    else:
        error = (
            f"Given input size: ({c}x{h}x{w}). Calculated output size: "
            f"({c}x{max(out[0], 0)}x{max(out[1], 0)}). Output size is too small"
        )
    return reason, error, "use a larger input, more padding, or a smaller kernel or dilation"


def _flatten(layer: Flatten, shape: tuple[int, ...]) -> tuple[tuple[int, ...], str]:
    ndim = len(shape)
    ends = []
    for dim in (layer.start_dim, layer.end_dim):
        if not -ndim <= dim < ndim:
            raise _Refusal(
                f"Flatten: dimension {dim} does not exist in a {ndim}-D input {shape}",
                f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
                f"but got {dim})",
                f"use a dimension from {-ndim} to {ndim - 1}",
            )
        ends.append(dim % ndim)
    start, end = ends
    if start > end:
        raise _Refusal(
            f"Flatten: start_dim ({layer.start_dim}) comes after end_dim ({layer.end_dim})",
            "flatten() has invalid args: start_dim cannot come after end_dim",
            "swap start_dim and end_dim",
        )
    merged = shape[start : end + 1]
    size = math.prod(merged)
    text = f"{' * '.join(map(str, merged))} = {size}"
    return (*shape[:start], size, *shape[end + 1 :]), text


def _linear(layer: Linear, shape: tuple[int, ...], flattened: str | None) -> TraceRow:
    last = shape[-1]
    source = f" (flattened: {flattened})" if flattened else ""
    if last != layer.in_features:
        rows = math.prod(shape[:-1])
        raise _Refusal(
            f"Linear expects in_features={layer.in_features} values on the last axis but "
            f"the input has {last}{source}",
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{last} and "
            f"{layer.in_features}x{layer.out_features})",
            f"set in_features={last}",
        )
    out_shape = (*shape[:-1], layer.out_features)
    params = layer.in_features * layer.out_features + (layer.out_features if layer.bias else 0)
    macs = math.prod(shape[:-1]) * layer.in_features * layer.out_features
    note = f"in_features must be {last}{source}; given {layer.in_features}: matches"
    lines = (f"features: {last} -> {layer.out_features} (out_features)",)
    return TraceRow(0, layer, shape, out_shape, lines, (0, 0), params, macs, note)


def _batchnorm(layer: BatchNorm2d, shape: tuple[int, ...]) -> TraceRow:
    if len(shape) != 4:
        raise _Refusal(
            f"BatchNorm2d needs an (N, C, H, W) input but gets shape {shape}",
            f"expected 4D input (got {len(shape)}D input)",
            "use BatchNorm1d after Flatten, or move it before the Flatten",
        )
    if shape[1] != layer.num_features:
        raise _Refusal(
            f"BatchNorm2d has num_features={layer.num_features} but the input has "
            f"{shape[1]} channels",
            f"running_mean should contain {shape[1]} elements not {layer.num_features}",
            f"set num_features={shape[1]}",
        )
    return TraceRow(0, layer, shape, shape, (), (0, 0), layer.params, 0)


def smallest_input(layers: Sequence[Layer], axis: int, limit: int = 1 << 16) -> int | None:
    """Smallest length along ``axis`` that every spatial layer in ``layers`` accepts.

    Every supported layer's output grows with its input, so "runs" is monotone
    and a doubling search followed by bisection finds the boundary.
    """
    windows = [layer.window(axis) for layer in layers if isinstance(layer, SPATIAL)]

    def ok(n: int) -> bool:
        for win in windows:
            n = runs(win, n)
            if n < 1:
                return False
        return True

    high = 1
    while not ok(high):
        high *= 2
        if high > limit:
            return None
    low = high // 2  # fails (or 0)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if ok(mid) else (mid, high)
    return high


def _nearest_fitting(layers: Sequence[Layer], chw: tuple[int, int, int]) -> tuple[int, int] | None:
    """The (H, W) up to 1024 nearest the given one with which ``layers`` run, if any.

    For a ``Linear`` whose ``in_features`` the flattened map misses: which
    input would give it the features it expects.
    """
    from conv._input_sizes import input_sizes  # the solver builds on this module

    found = input_sizes(layers, range(1, 1025), channels=chw[0])
    if not found.pairs:
        return None

    def nearest(spans: tuple[range, range]) -> tuple[int, int]:
        return tuple(min(max(n, r.start), r.stop - 1) for n, r in zip(chw[1:], spans, strict=True))

    best = min(
        (nearest(p) for p in found.pairs), key=lambda hw: abs(hw[0] - chw[1]) + abs(hw[1] - chw[2])
    )
    return best


def _first_channels(layers: Sequence[Layer]) -> int | None:
    for layer in layers:
        if isinstance(layer, (Conv2d, ConvTranspose2d)):
            return layer.in_channels
        if isinstance(layer, BatchNorm2d):
            return layer.num_features
        if isinstance(layer, (Flatten, Linear)):
            return None
    return None


def read_input_shape(
    input_shape: object, layout: str, layers: Sequence[Layer]
) -> tuple[tuple[int, int, int], str]:
    """(C, H, W) and the layout used, from (C, H, W), (H, W, C) or (H, W)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else None
    if (
        shape is None
        or len(shape) not in (2, 3)
        or not all(_is_int(v) and 1 <= v <= MAX_INT for v in shape)
    ):
        raise ValueError(
            f"input_shape must be (C, H, W), (H, W, C) or (H, W) with sizes from 1 to "
            f"{MAX_INT}, got {input_shape!r}"
        )
    shape = tuple(int(v) for v in shape)
    wanted = _first_channels(layers)
    if len(shape) == 2:
        return (wanted or 1, *shape), "HW"
    if layout == "auto":
        first, last = shape[0] == wanted, shape[2] == wanted
        if first != last:
            layout = "CHW" if first else "HWC"
        else:  # nothing to go by: an image-like last axis of 1 to 4 means channels-last
            layout = "HWC" if shape[2] <= 4 < shape[0] else "CHW"
    chw = shape if layout == "CHW" else (shape[2], shape[0], shape[1])
    return chw, layout


def check_layers(layers: object) -> tuple[Layer, ...]:
    """The layers as a tuple, refusing anything that is not a layer description."""
    from conv._layers import LAYER_CLASSES

    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
        raise ValueError(
            f"layers must be a list of layer descriptions (see conv.parse_layers), "
            f"got {type(layers).__name__}"
        )
    if len(layers) > MAX_LAYERS:
        raise ValueError(f"layers must hold at most {MAX_LAYERS} layers, got {len(layers)}")
    known = (*LAYER_CLASSES.values(), Pointwise)
    for i, layer in enumerate(layers):
        if not isinstance(layer, known):
            raise ValueError(f"layers[{i}] is not a layer description, got {layer!r}")
    return tuple(layers)


def trace_layers(
    layers: Sequence[Layer], input_shape: Sequence[int], *, layout: str = "auto"
) -> Trace:
    """Run a layer stack on shapes alone, showing each layer's arithmetic.

    Parameters
    ----------
    layers : sequence of layer descriptions
        From :func:`conv.parse_layers` or built from :mod:`conv.layers`.
    input_shape : (C, H, W), (H, W, C) or (H, W)
        One input, without the batch axis (the trace adds a batch of 1).
        ``(H, W)`` takes the channels from the first layer.
    layout : {"auto", "CHW", "HWC"}
        How to read a 3-tuple. ``"auto"`` picks the end that equals the first
        layer's ``in_channels`` (or ``num_features``); when both or neither do,
        it reads channels-last if the last size is 1 to 4 and the first is
        larger (``(224, 224, 3)``), else channels-first as PyTorch does.

    Returns
    -------
    Trace
        ``rows`` for the layers that ran (shapes in PyTorch's (N, C, H, W)
        order with N = 1), ``failure`` for the first that could not, else None.

    Examples
    --------
    >>> from conv.layers import Conv2d, Flatten, Linear, MaxPool2d
    >>> t = trace_layers([Conv2d(1, 6, 5), MaxPool2d(2), Flatten(), Linear(6 * 12 * 12, 10)],
    ...                  (28, 28, 1))
    >>> t.layout, t.output_shape, t.params
    ('HWC', (1, 10), 8806)
    >>> t.rows[0].arithmetic[1]
    'H: floor((28 + 2*0 - 1*(5 - 1) - 1) / 1) + 1 = floor(23 / 1) + 1 = 24'
    >>> t = trace_layers([Conv2d(3, 8, 3, stride=2), Conv2d(8, 8, 5)], (3, 5, 5))
    >>> t.failure.index, t.failure.pytorch_error[:60]
    (1, 'Calculated padded input size per channel: (2 x 2). Kernel si')
    >>> t.failure.fix_input
    (11, 11)
    """
    layers = check_layers(layers)
    chw, layout = read_input_shape(input_shape, layout, layers)
    return run_trace(layers, chw, layout, suggest=True)


def run_trace(layers: tuple[Layer, ...], chw: tuple[int, int, int], layout: str, suggest: bool):
    """:func:`trace_layers` on checked arguments; ``suggest`` looks for a ``fix_input``."""
    shape = (1, *chw)
    rows, failure, flattened = [], None, None
    for i, layer in enumerate(layers):
        try:
            if isinstance(layer, SPATIAL):
                shape_out, row = _spatial(layer, shape)
            elif isinstance(layer, Flatten):
                shape_out, text = _flatten(layer, shape)
                flattened = text
                row = TraceRow(0, layer, shape, shape_out, (text,), (0, 0), 0, 0)
            elif isinstance(layer, Linear):
                row = _linear(layer, shape, flattened)
                flattened = None
            elif isinstance(layer, BatchNorm2d):
                row = _batchnorm(layer, shape)
            else:
                row = TraceRow(0, layer, shape, shape, (), (0, 0), 0, 0)
        except _Refusal as refusal:
            fix_input = None
            if not suggest:
                pass
            elif refusal.size_problem:
                found = [smallest_input(layers[: i + 1], axis) for axis in (0, 1)]
                if None not in found:
                    fix_input = (max(chw[1], found[0]), max(chw[2], found[1]))
            elif isinstance(layer, Linear):
                fix_input = _nearest_fitting(layers[: i + 1], chw)
            failure = LayerFailure(
                i, layer, shape, refusal.reason, refusal.pytorch_error, refusal.fix, fix_input
            )
            break
        row = replace(row, index=i)
        rows.append(row)
        shape = row.out_shape
    return Trace(layers, chw, layout, tuple(rows), failure)
