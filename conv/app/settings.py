"""The user's settings as one value: its field table, URL query string and ``settings.json``.

:class:`Settings` holds every choice the pages offer (where the input and the
filter come from, and the convolution parameters). :data:`FIELDS` says, once
per setting, how it is read and written as text; the URL, ``settings.json``
and the widgets all go through it, so a value allowed in one is allowed in all.

Examples
--------
>>> s, problems = Settings.from_query({"example": "seed-3d"})
>>> s.stride, s.source, problems
((2, 2), 'example', [])
>>> Settings.from_query(s.to_query())[0] == s
True
>>> s, problems = Settings.from_query({"example": "seed-2d", "stride": "100", "padding": "-1"})
>>> s.example, s.stride
('seed-2d', (1, 1))
>>> for problem in problems:
...     print(problem)
padding='-1' is not allowed: one of valid, same, full, custom, or N or N,N or N,N,N,N, ...
stride='100' is not allowed: one integer or 'rows,cols', each from 1 to 64
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass

from conv import PAD_MODES, examples, generate, kernels
from conv._conv2d import METHODS
from conv.app import fields
from conv.app.limits import MAX_CELLS, MAX_LINK_CHARS, MAX_STACK_LAYERS, MAX_STACK_SIDE
from conv.app.stack_fields import LAYOUTS, STACK_FIELDS, STACK_NAMES, layer_text, stack_code
from conv.stacks import STACKS

__all__ = ["FIELDS", "KERNEL_SOURCES", "PADDINGS", "SOURCES", "Settings"]

SOURCES = ("example", "generate", "upload")
KERNEL_SOURCES = ("example", "same-rng", "generate", "preset", "upload")
#: Input distributions: the generator's random ones, or a named pattern.
INPUT_KINDS = (*generate.DISTRIBUTIONS, "pattern")
PADDINGS = ("valid", "same", "full", "custom")
#: Operations of the Layer types page: convolution (with groups), transposed, max/avg pooling.
LAYER_OPS = ("conv", "transpose", "max", "avg")
#: Axis orders an uploaded input or filter may come in (conv.to_layout's names);
#: either is moved to the channels-last one the pages use.
INPUT_LAYOUTS = ("HWC", "CHW")
FILTER_LAYOUTS = ("HWIO", "OIHW")
#: Largest seed numpy's default_rng takes from a link (any 32-bit value).
MAX_SEED = 2**32 - 1


def _sides(values: tuple[int, ...]) -> tuple[int, ...]:
    """``p``, ``rows,cols`` or ``top,bottom,left,right`` as four sides."""
    if len(values) == 1:
        return values * 4
    if len(values) == 2:
        return (values[0], values[0], values[1], values[1])
    return values


#: Every setting, in the order the sidebar shows them.
FIELDS = (
    fields.choice("source", "source", SOURCES),
    fields.choice("example", "example", tuple(examples.EXAMPLES)),
    fields.choice("distribution", "dist", INPUT_KINDS),
    fields.choice("pattern", "pattern", generate.PATTERNS),
    fields.sizes("shape", "shape", (2, 3), 1, MAX_CELLS, max_product=MAX_CELLS),
    fields.integer("seed", "seed", 0, MAX_SEED),
    fields.optional_int("decimals", "decimals", 0, 6),
    fields.number("low", "low", -1e300, 1e300),
    fields.number("high", "high", -1e300, 1e300),
    fields.choice("x_layout", "xlayout", INPUT_LAYOUTS),
    fields.choice("kernel_source", "filter", KERNEL_SOURCES),
    fields.choice("k_layout", "klayout", FILTER_LAYOUTS),
    fields.names("presets", "preset", tuple(kernels.KERNELS)),
    fields.integer("kernel_size", "ksize", 1, 31, odd=True),
    fields.number("sigma", "sigma", 0.1, 20.0),
    fields.sizes("kernel_shape", "kshape", (2,), 1, 63),
    fields.integer("filters", "filters", 1, 16),
    fields.integer("kernel_seed", "kseed", 0, MAX_SEED),
    fields.pair("stride", "stride", 1, 64),
    fields.choice("padding", "padding", PADDINGS),
    fields.sizes("pad", "pad", (1, 2, 4), 0, 512, sep=",", expand=_sides),
    fields.pair("dilation", "dilation", 1, 32),
    fields.choice("pad_mode", "pad_mode", PAD_MODES),
    fields.flag("flip", "flip"),
    fields.choice("method", "method", METHODS),
    fields.pair("cell", "cell", 0, MAX_CELLS),
    fields.integer("cell_filter", "cellf", 0, 15),
    # The Layer types page (conv/app/pages/layers.py); in links only when not at their default.
    fields.choice("op", "op", LAYER_OPS),
    fields.integer("groups", "groups", 1, MAX_CELLS),
    fields.pair("output_padding", "opad", 0, 63),
    fields.pair("pool_size", "psize", 1, 63),
    fields.pair("layer_pad", "lpad", 0, 512),
    fields.flag("ceil_mode", "ceil"),
    fields.flag("count_include_pad", "cip"),
    fields.integer("painted", "painted", 0, MAX_CELLS),
    # the Layer stack page
    fields.choice("stack", "stack", STACK_NAMES),
    layer_text("layers", "layers"),
    fields.sizes("stack_input", "input", (3,), 1, MAX_STACK_SIDE),
    fields.choice("stack_layout", "layout", LAYOUTS),
    fields.integer("stack_layer", "layer", -1, MAX_STACK_LAYERS - 1),
    fields.pair("stack_cell", "at", 0, MAX_STACK_SIDE - 1),
)
BY_NAME = {f.name: f for f in FIELDS}
LAYER_FIELDS = ("op", "groups", "output_padding", "pool_size", "layer_pad", "ceil_mode",
                "count_include_pad", "painted")  # fmt: skip
STACK_INPUTS = {name: stack.input_shape for name, stack in STACKS.items()}
BY_URL = {f.url: f for f in FIELDS}


@dataclass(frozen=True)
class Settings:
    """Everything the user chose, enough to rebuild the view.

    The defaults are the exercise as it states it: the seed-3d example at
    stride 2. Values are checked by :data:`FIELDS` on the way in.

    Attributes
    ----------
    source, example
        Where the input comes from; an example's name.
    distribution, pattern, shape, seed, decimals, low, high
        Generator settings for ``source="generate"``; ``distribution="pattern"``
        draws the named pattern instead of random numbers.
    x_layout, k_layout
        Axis order of an uploaded input (``"HWC"``, or ``"CHW"`` which also
        reads ``(1, C, H, W)``) and filter (``"HWIO"`` = (KH, KW, C, F), or
        PyTorch's ``"OIHW"``); uploads are moved to channels-last when read.
    kernel_source
        ``"example"``, ``"same-rng"`` (drawn from the input's generator right
        after the input, as in the exercise), ``"generate"`` (own seed),
        ``"preset"`` (named kernels) or ``"upload"``.
    presets, kernel_size, sigma
        Named kernels of :mod:`conv.kernels`, one filter each.
    kernel_shape, filters, kernel_seed
        A generated filter's taps, filters and own seed.
    stride, padding, pad, dilation, pad_mode, flip, method
        Parameters of :func:`conv.conv2d`; ``pad`` is (top, bottom, left,
        right), used when ``padding="custom"``.
    cell, cell_filter
        The output cell explained, and its filter.
    op, groups, output_padding, pool_size, layer_pad, ceil_mode, count_include_pad, painted
        The Layer types page: the operation; a convolution's groups; a
        transposed convolution's output_padding; the pooling window; the
        (rows, cols) padding of a transposed convolution or pooling; pooling's
        ceil_mode and count_include_pad; input cells painted in the scatter
        view (0: all).
    stack, layers, stack_input, stack_layout
        The Layer stack page: the example started from, the layer text (PyTorch
        code or a printout, parsed there), the input shape in ``stack_layout``
        order (``"CHW"`` or ``"HWC"``).
    stack_layer, stack_cell
        The map whose cell's receptive field is shown (-1: the last map) and the cell.
    """

    source: str = "example"
    example: str = "seed-3d"
    distribution: str = "normal"
    pattern: str = "checkerboard"
    shape: tuple[int, ...] = (16, 16, 3)
    seed: int = 0
    decimals: int | None = 2
    low: float = -1.0
    high: float = 1.0
    x_layout: str = "HWC"
    kernel_source: str = "example"
    k_layout: str = "HWIO"
    presets: tuple[str, ...] = ("sobel-x",)
    kernel_size: int = 3
    sigma: float = 1.0
    kernel_shape: tuple[int, ...] = (3, 3)
    filters: int = 1
    kernel_seed: int = 1
    stride: tuple[int, int] = (2, 2)
    padding: str = "valid"
    pad: tuple[int, ...] = (0, 0, 0, 0)
    dilation: tuple[int, int] = (1, 1)
    pad_mode: str = "zeros"
    flip: bool = False
    method: str = "auto"
    cell: tuple[int, int] = (0, 0)
    cell_filter: int = 0
    op: str = "conv"
    groups: int = 1
    output_padding: tuple[int, int] = (0, 0)
    pool_size: tuple[int, int] = (2, 2)
    layer_pad: tuple[int, int] = (0, 0)
    ceil_mode: bool = False
    count_include_pad: bool = True
    painted: int = 0
    stack: str = STACK_NAMES[0]
    layers: str = stack_code(STACK_NAMES[0])
    stack_input: tuple[int, ...] = (1, 32, 32)
    stack_layout: str = "CHW"
    stack_layer: int = -1
    stack_cell: tuple[int, int] = (0, 0)

    # -- derived --------------------------------------------------------------

    @property
    def padding_arg(self) -> str | tuple[tuple[int, int], tuple[int, int]]:
        """The ``padding`` argument for :func:`conv.conv2d`."""
        if self.padding == "custom":
            top, bottom, left, right = self.pad
            return ((top, bottom), (left, right))
        return self.padding

    def conv_kwargs(self) -> dict:
        """Keyword arguments for :func:`conv.conv2d` (everything but the arrays)."""
        return {
            "stride": self.stride, "padding": self.padding_arg, "dilation": self.dilation,
            "pad_mode": self.pad_mode, "flip": self.flip, "method": self.method,
        }  # fmt: skip

    @property
    def random_input(self) -> bool:
        return self.source == "generate" and self.distribution != "pattern"

    def kernel_sources(self) -> tuple[str, ...]:
        """Filter sources that make sense for this input."""
        first = ("example",) if self.source == "example" else ("same-rng",) * self.random_input
        return (*first, "generate", "preset", "upload")

    def input_part(self) -> Settings:
        """Only what shapes the input (the rest at defaults): a cache key for it."""
        keep = ("source", "example", "distribution", "pattern", "shape", "seed", "decimals")
        return Settings(**{name: getattr(self, name) for name in (*keep, "low", "high")})

    def kernel_part(self) -> Settings:
        """Without the convolution parameters, which do not shape the filter."""
        default = Settings()
        skip = ("stride", "padding", "pad", "dilation", "pad_mode", "flip", "method", "cell")
        return dataclasses.replace(self, **{n: getattr(default, n) for n in (*skip, "cell_filter")})

    # -- changes ---------------------------------------------------------------

    def with_example(self, name: str) -> Settings:
        """These settings on example ``name``, with the example's own parameters."""
        ex = examples.example(name)
        padding, pad = _padding_fields(ex.padding)
        return dataclasses.replace(
            self, source="example", example=name, kernel_source="example", stride=_pair(ex.stride),
            dilation=_pair(ex.dilation), padding=padding, pad=pad, pad_mode=ex.pad_mode,
            flip=bool(ex.flip), cell=(0, 0), cell_filter=0,
        )  # fmt: skip

    def with_stack(self, name: str) -> Settings:
        """These settings on example stack ``name``: its code and input, no cell chosen."""
        chw = STACK_INPUTS[name]
        shape = chw if self.stack_layout == "CHW" else (*chw[1:], chw[0])
        return dataclasses.replace(
            self, stack=name, layers=stack_code(name), stack_input=shape, stack_layer=-1,
            stack_cell=(0, 0),
        )  # fmt: skip

    def with_value(self, name: str, value: object) -> Settings:
        """A copy with field ``name`` set from a widget or JSON value, checked by its field.

        Choosing an example applies its parameters; a filter source that no
        longer fits the input moves to the first that does.
        """
        field = BY_NAME[name]
        text = value if isinstance(value, str) else field.text(value)
        new = dataclasses.replace(self, **{name: field.read(text)})
        if name == "example" or (name == "source" and value == "example"):
            new = new.with_example(new.example)
        if name == "stack":
            new = new.with_stack(new.stack)
        if name == "stack_layout" and new.stack_layout != self.stack_layout:
            c_last = new.stack_layout == "HWC"  # the same image, its sizes in the other order
            s = self.stack_input
            new = dataclasses.replace(new, stack_input=(*s[1:], s[0]) if c_last else (s[2], *s[:2]))
        return new.fitted()

    def fitted(self) -> Settings:
        """These settings with a filter source that fits the input source."""
        if self.kernel_source in self.kernel_sources():
            return self
        return dataclasses.replace(self, kernel_source=self.kernel_sources()[0])

    # -- text ------------------------------------------------------------------

    def to_query(self) -> dict[str, str]:
        """The settings as query keys and text; only keys that matter for the sources chosen."""
        skip = set()
        if self.source != "example":
            skip.add("example")
        if self.source != "generate":
            skip |= {"distribution", "pattern", "shape", "seed", "decimals", "low", "high"}
        elif self.distribution == "pattern":
            skip |= {"seed", "decimals", "low", "high"}
        else:
            skip.add("pattern")
            if self.distribution == "normal":
                skip |= {"low", "high"}
        if self.source != "upload":
            skip.add("x_layout")
        if self.kernel_source != "upload":
            skip.add("k_layout")
        if self.kernel_source != "preset":
            skip |= {"presets", "kernel_size", "sigma"}
        if self.kernel_source not in ("same-rng", "generate"):
            skip |= {"kernel_shape", "filters"}
        if self.kernel_source != "generate":
            skip.add("kernel_seed")
        if self.padding != "custom":
            skip.add("pad")
        if self.cell_filter == 0:
            skip.add("cell_filter")
        skip |= self._unused_layer_fields()
        skip |= STACK_FIELDS  # the Layer stack page writes its own link (stack_query)
        return {f.url: f.text(getattr(self, f.name)) for f in FIELDS if f.name not in skip}

    def _unused_layer_fields(self) -> set[str]:
        """Layer-page fields at their default or of another operation: not written to links."""
        used = {
            "conv": {"groups"},
            "transpose": {"output_padding", "layer_pad", "painted"},
            "max": {"pool_size", "layer_pad", "ceil_mode"},
            "avg": {"pool_size", "layer_pad", "ceil_mode", "count_include_pad"},
        }[self.op] | {"op"}
        default = Settings()
        return {
            name
            for name in LAYER_FIELDS
            if name not in used or getattr(self, name) == getattr(default, name)
        }

    def stack_query(self) -> dict[str, str]:
        """The Layer stack page's link: its own keys; the layer text only when edited and short."""
        skip = set()
        if not self.layers_in_link:
            skip.add("layers")
        if self.stack_layer == -1:
            skip.add("stack_layer")
        if self.stack_layout == "CHW":
            skip.add("stack_layout")
        return {f.url: f.text(getattr(self, f.name)) for f in FIELDS
                if f.name in STACK_FIELDS and f.name not in skip}  # fmt: skip

    @property
    def layers_edited(self) -> bool:
        return self.layers != stack_code(self.stack)

    @property
    def layers_in_link(self) -> bool:
        """Edited layer text travels in the link when it is short enough."""
        return self.layers_edited and len(self.layers) <= MAX_LINK_CHARS

    @classmethod
    def from_query(cls, query: Mapping[str, object]) -> tuple[Settings, list[str]]:
        """Settings from a query mapping, and one sentence per key that could not be used.

        Every valid key is kept; a bad or unknown one is named (key, value,
        what is allowed) and left at its default. With an example and no
        explicit parameters, the example's own are used.
        """
        q = {k: (v[-1] if isinstance(v, list) and v else v) for k, v in query.items()}
        problems = [f"{k}: unknown key, ignored" for k in q if k not in BY_URL]
        if "padding" in q and q["padding"] not in PADDINGS:
            # Older links wrote the sides into 'padding' itself.
            sides = q.pop("padding")
            try:
                BY_URL["pad"].read(sides)
                q.setdefault("pad", sides)
                q["padding"] = "custom"
            except ValueError:
                problems.append(
                    f"padding={sides!r} is not allowed: one of {', '.join(PADDINGS)}, "
                    f"or {BY_URL['pad'].allowed}"
                )
        values: dict[str, object] = {}
        for key, raw in q.items():
            if key in BY_URL:
                try:
                    values[BY_URL[key].name] = BY_URL[key].read(raw)
                except ValueError as error:
                    problems.append(str(error))
        generator_keys = {"distribution", "pattern", "shape", "seed"}
        source = values.get("source")
        if source is None:
            source = "generate" if generator_keys & set(values) else "example"
        start = cls(source=source)
        if source == "example":
            start = start.with_example(values.get("example", start.example))
        elif source == "generate":
            start = dataclasses.replace(start, kernel_source="same-rng", stride=(1, 1))
        else:
            start = dataclasses.replace(start, kernel_source="preset", stride=(1, 1))
        start = start.with_stack(values.get("stack", start.stack))
        if values.get("stack_layout") == "HWC" and "stack_input" not in values:
            start = dataclasses.replace(start, stack_layout="HWC").with_stack(start.stack)
        settings = dataclasses.replace(start, **values)
        fitted = settings.fitted()
        if fitted.kernel_source != settings.kernel_source:
            problems.append(
                f"filter={settings.kernel_source!r} does not fit source={settings.source!r}"
                f" here; using {fitted.kernel_source!r}"
            )
        return fitted, problems

    def to_json(self) -> str:
        """The settings as an indented JSON object (for download, and to load back)."""
        return json.dumps({f.name: getattr(self, f.name) for f in FIELDS}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> tuple[Settings, list[str]]:
        """Settings from :meth:`to_json`'s text, checked as a link's are."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ValueError(f"settings.json is not valid JSON: {error}") from None
        if not isinstance(data, dict):
            raise ValueError("settings.json must hold one JSON object of settings")
        unknown = [f"{k}: unknown setting, ignored" for k in data if k not in BY_NAME]
        query = {BY_NAME[k].url: BY_NAME[k].as_text(v) for k, v in data.items() if k in BY_NAME}
        settings, problems = cls.from_query(query)
        return settings, unknown + problems


def _pair(value) -> tuple[int, int]:
    return (int(value), int(value)) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _padding_fields(padding) -> tuple[str, tuple[int, int, int, int]]:
    if isinstance(padding, str):
        return padding, (0, 0, 0, 0)
    if isinstance(padding, int):
        return "custom", (padding,) * 4
    rows, cols = padding
    if isinstance(rows, int):
        return "custom", (rows, rows, cols, cols)
    return "custom", (*rows, *cols)
