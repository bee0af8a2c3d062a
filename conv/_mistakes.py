"""The catalogue of mistaken computations that :func:`conv.check_answer` tries.

A mistaken computation is built from three independent parts, so that the
many combinations cost array slicing instead of convolutions:

- a *source*: which arrays are convolved, with which dilation (the kernel
  flipped or transposed, an array read in the wrong axis order, some
  channels left out, another dilation). Each source is convolved once, at
  stride 1 with generous padding: its *base*.
- a *geometry*: padding, stride and the offset of the first window, cut
  out of the base by slicing (padding amounts nest: a smaller padding of
  any mode is the middle of a larger one).
- an *ending*: the output transposed, or not.

Rounding and arithmetic slips are not computations; ``conv._check`` judges
them while comparing values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from conv._conv2d import conv2d
from conv._geometry import Padding2D, PaddingSpec, _resolve, conv_size

MISTAKES = (
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
    "unexplained",
)
"""What :func:`conv.check_answer` can diagnose, most likely first when two fit equally.

``"unexplained"`` means no (combination of two) mistakes in this list reproduces the answer.
"""


@dataclass(frozen=True)
class Problem:
    """A validated problem: everything as (H, W, C) / (KH, KW, C, F) float64 arrays."""

    x3: np.ndarray
    k4: np.ndarray  # as given, not flipped
    kernel_ndim: int
    stride: tuple[int, int]
    padding: PaddingSpec
    pads: Padding2D
    dilation: tuple[int, int]
    pad_mode: str
    flip: bool


@dataclass(frozen=True)
class Source:
    mistakes: tuple[str, ...]
    settings: dict
    x3: np.ndarray
    k4: np.ndarray
    flip: bool
    dilation: tuple[int, int]


@dataclass(frozen=True)
class Geometry:
    mistakes: tuple[str, ...]
    settings: dict
    pads: Padding2D
    stride: tuple[int, int]
    offset: tuple[int, int] = (0, 0)
    # Whether the pads follow the problem's padding argument: "same" or "full"
    # then mean other amounts for another kernel shape, dilation or stride.
    follows_padding: bool = False


@dataclass
class Base:
    """A source convolved at stride 1 with ``margin`` rows/columns of padding each side."""

    source: Source
    values: np.ndarray
    margin: tuple[int, int]
    extent: tuple[int, int]
    cache: dict = field(default_factory=dict)


def _layouts(a: np.ndarray, axes_first: tuple[int, ...]) -> list[tuple[str, np.ndarray]]:
    """``a`` read in another axis order: its numbers in order, but the shape permuted.

    ``axes_first`` is the order a channels-first library uses, e.g. (2, 0, 1)
    for an (H, W, C) image read as (C, H, W).
    """
    shape = a.shape
    first = tuple(shape[i] for i in axes_first)
    back = tuple(int(i) for i in np.argsort(axes_first))
    return [
        # Numbers stored channels-last but read as channels-first.
        ("read as channels-first", a.reshape(first).transpose(back)),
        # Numbers stored channels-first but read as channels-last.
        ("written channels-first", a.transpose(axes_first).reshape(shape)),
    ]


def _single_sources(p: Problem) -> list[Source]:
    c, f = p.x3.shape[2], p.k4.shape[3]
    d = p.dilation
    out = [
        Source(("flipped-kernel",), {"flip": not p.flip}, p.x3, p.k4, not p.flip, d),
        Source(
            ("transposed-kernel",),
            {"kernel": "transposed"},
            p.x3,
            np.ascontiguousarray(p.k4.swapaxes(0, 1)),
            p.flip,
            d,
        ),
    ]
    if c > 1:
        for how, x in _layouts(p.x3, (2, 0, 1)):
            out.append(Source(("channels-first",), {"x": how}, x, p.k4, p.flip, d))
    if c > 1 or f > 1:
        k = p.k4 if p.kernel_ndim == 4 else p.k4[..., 0]
        order = (3, 2, 0, 1) if p.kernel_ndim == 4 else (2, 0, 1)
        for how, k_read in _layouts(k, order):
            k_read = k_read.reshape(p.k4.shape)
            out.append(Source(("channels-first",), {"kernel": how}, p.x3, k_read, p.flip, d))
    if c > 1:
        subsets = [("only", [i]) for i in range(c)]
        if c > 2:  # with two channels, "without 0" is "only 1"
            subsets += [("without", [j for j in range(c) if j != i]) for i in range(c)]
        for how, keep in subsets:
            settings = {"channels": tuple(keep), "channels_summed": how}
            x, k = p.x3[:, :, keep], p.k4[:, :, keep]
            out.append(Source(("channel-subset",), settings, x, k, p.flip, d))
    dilations = {(1, 1), (2, 2), (d[0] + 1, d[1] + 1), (d[1], d[0])} - {d}
    for other in sorted(dilations):
        out.append(Source(("dilation",), {"dilation": other}, p.x3, p.k4, p.flip, other))
    return out


def sources(p: Problem, count: int) -> list[Source]:
    """Sources with ``count`` mistakes (0, 1 or 2)."""
    if count == 0:
        return [Source((), {}, p.x3, p.k4, p.flip, p.dilation)]
    singles = _single_sources(p)
    if count == 1:
        return singles
    # Two mistakes: a flipped kernel with any other source mistake. Other pairs
    # of source mistakes are rare in practice and would multiply the convolutions.
    return [
        Source(
            ("flipped-kernel", *s.mistakes),
            {"flip": not p.flip, **s.settings},
            s.x3,
            s.k4,
            not s.flip,
            s.dilation,
        )
        for s in singles
        if s.mistakes != ("flipped-kernel",)
    ]


def _margin(n: int, want: int, pad_mode: str) -> int:
    # The widest padding the mode allows (PyTorch's limits, as conv.pad).
    if pad_mode == "reflect":
        return min(want, n - 1)
    if pad_mode == "circular":
        return min(want, n)
    return want


def base(p: Problem, s: Source) -> Base | None:
    """Convolve ``s`` once at stride 1, padded wide enough for every geometry tried."""
    k = s.k4[::-1, ::-1] if s.flip else s.k4
    extent = tuple(d * (kk - 1) + 1 for d, kk in zip(s.dilation, k.shape[:2], strict=True))
    margin = tuple(
        _margin(n, max(e - 1, _WIDEST, *side), p.pad_mode)
        for n, e, side in zip(p.x3.shape[:2], extent, p.pads, strict=True)
    )
    try:
        values = conv2d(
            s.x3,
            np.ascontiguousarray(k),
            padding=((margin[0],) * 2, (margin[1],) * 2),
            dilation=s.dilation,
            pad_mode=p.pad_mode,
        )
    except ValueError:  # the kernel does not fit with this dilation
        return None
    return Base(s, values[..., None] if values.ndim == 2 else values, margin, extent)


def cut(b: Base, g: Geometry, in_hw: tuple[int, int]) -> np.ndarray | None:
    """The output of geometry ``g`` on base ``b``, or None if it has no cells or no room."""
    key = (g.pads, g.stride, g.offset)
    if key in b.cache:
        return b.cache[key]
    slices = []
    for n, (before, after), s, o, e, m in zip(
        in_hw, g.pads, g.stride, g.offset, b.extent, b.margin, strict=True
    ):
        count = conv_size(n - o, e, s, 1, before, after)
        if before > m or after > m or count < 1:
            b.cache[key] = None
            return None
        start = m - before + o
        slices.append(slice(start, start + (count - 1) * s + 1, s))
    b.cache[key] = out = b.values[slices[0], slices[1]]
    return out


_WIDEST = 2  # symmetric padding tried up to max(kernel extent - 1, this)


def _axis_pads(n: int, extent: int, own: tuple[int, int]) -> set[tuple[int, int]]:
    """Plausible (before, after) paddings of one axis.

    None, symmetric, one row on one side, the problem's own swapped, and
    "same" at strides 1-4 with the odd extra on either side.
    """
    pads = {(0, 0), (0, 1), (1, 0), own, own[::-1]}
    pads |= {(q, q) for q in range(1, max(extent, _WIDEST + 1))}
    for stride in range(1, 5):
        total = max((-(-n // stride) - 1) * stride + extent - n, 0)
        pads |= {(total // 2, total - total // 2), (total - total // 2, total // 2)}
    return pads


def _padding_name(p: Problem, pads: Padding2D, stride: tuple[int, int]) -> PaddingSpec:
    for name in ("valid", "same", "full"):
        if _resolve(p.x3.shape, p.k4.shape, stride, name, p.dilation) == pads:
            return name
    return pads


def geometries(p: Problem, count: int) -> list[Geometry]:
    """Geometries with ``count`` mistakes (0, 1 or 2), each once."""
    own = Geometry((), {}, p.pads, p.stride, follows_padding=True)
    if count == 0:
        return [own]
    extent = [d * (k - 1) + 1 for d, k in zip(p.dilation, p.k4.shape[:2], strict=True)]
    axis_pads = [
        sorted(_axis_pads(n, e, side))
        for n, e, side in zip(p.x3.shape[:2], extent, p.pads, strict=True)
    ]
    pad_options = [(r, c) for r in axis_pads[0] for c in axis_pads[1] if (r, c) != p.pads]
    strides = {(1, 1), (2, 2), (3, 3), (4, 4), p.stride[::-1]} - {p.stride}
    seen = {(own.pads, own.stride, own.offset, True)}
    out = []

    def add(g: Geometry) -> None:
        key = (g.pads, g.stride, g.offset, g.follows_padding)
        if key not in seen and len(g.mistakes) == count:
            seen.add(key)
            out.append(g)

    for s in sorted(strides):
        # "same" asks for other amounts at another stride; the student may or may not re-resolve.
        add(Geometry(("stride",), {"stride": s}, p.pads, s))
        if isinstance(p.padding, str):
            add(Geometry(("stride",), {"stride": s}, p.pads, s, follows_padding=True))
    for o in np.ndindex(*p.stride):
        if o != (0, 0):
            add(Geometry(("stride",), {"offset": o}, p.pads, p.stride, o, True))
    for pads in pad_options:
        add(Geometry(("padding",), {"padding": _padding_name(p, pads, p.stride)}, pads, p.stride))
    if count == 2:
        for s in sorted(strides):
            for pads in pad_options:
                settings = {"stride": s, "padding": _padding_name(p, pads, s)}
                add(Geometry(("stride", "padding"), settings, pads, s))
        for o in np.ndindex(*p.stride):
            for pads in pad_options:
                if o != (0, 0):
                    settings = {"offset": o, "padding": _padding_name(p, pads, p.stride)}
                    add(Geometry(("stride", "padding"), settings, pads, p.stride, o))
    return out


def computations(
    p: Problem, count: int, bases: dict
) -> Iterator[tuple[tuple[str, ...], dict, np.ndarray]]:
    """Every mistaken output with exactly ``count`` mistakes: (mistakes, settings, values).

    Values are (OH, OW, F), already transposed for the "transposed-output"
    ending. ``bases`` caches the convolutions between calls for one problem.
    """
    in_hw = p.x3.shape[:2]
    geos = {n: geometries(p, n) for n in range(count + 1)}
    for n_source in range(count + 1):
        for s in sources(p, n_source):
            key = (s.mistakes, tuple(sorted(s.settings.items())))
            if key not in bases:
                bases[key] = base(p, s)
            b = bases[key]
            if b is None:
                continue
            for n_end in range(min(1, count - n_source) + 1):
                for g in geos[count - n_source - n_end]:
                    if g.follows_padding and isinstance(p.padding, str):
                        pads = _resolve(p.x3.shape, s.k4.shape, g.stride, p.padding, s.dilation)
                        g = replace(g, pads=pads)
                    out = cut(b, g, in_hw)
                    if out is None:
                        continue
                    mistakes = s.mistakes + g.mistakes
                    settings = {**s.settings, **g.settings}
                    if n_end:
                        mistakes += ("transposed-output",)
                        settings["output"] = "transposed"
                        out = out.swapaxes(0, 1)
                    yield mistakes, settings, out
