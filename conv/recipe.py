"""The user's settings as one value, its URL query string and JSON, and the arrays it makes.

A :class:`Recipe` holds every choice the app offers (where the input and the
filter come from, and the convolution parameters). It round-trips through
``st.query_params`` so a copied link reopens the same view. The code that
recomputes a result outside the app is written by :mod:`conv.snippets`.

Examples
--------
>>> r = Recipe.from_query({"example": "seed-3d", "stride": "2"})
>>> r.stride, r.padding, r.source
((2, 2), 'valid', 'example')
>>> Recipe.from_query(r.to_query()) == r
True
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

SOURCES = ("example", "generate", "upload")
KERNEL_SOURCES = ("example", "same-rng", "generate", "preset", "upload")
DISTRIBUTIONS = ("normal", "uniform", "integers", "pattern")
PADDINGS = ("valid", "same", "full", "custom")
PAD_MODES = ("zeros", "reflect", "replicate", "circular")
METHODS = ("auto", "direct", "fft")


@dataclass(frozen=True)
class Recipe:
    """Everything the user chose, enough to rebuild the view.

    Attributes
    ----------
    source : {"example", "generate", "upload"}
        Where the input comes from.
    example : str
        Name in :data:`conv.examples.EXAMPLES`, used when ``source="example"``.
    distribution, pattern, shape, seed, decimals, low, high
        Generator settings for ``source="generate"``; ``distribution="pattern"``
        draws :func:`conv.generate.pattern` ``pattern`` instead of random numbers.
    kernel_source : {"example", "same-rng", "generate", "preset", "upload"}
        Where the filter comes from. ``"same-rng"`` draws it from the input's
        generator right after the input, which reproduces the seed-123 exercise.
    presets, kernel_size, sigma
        Named kernels of :mod:`conv.kernels`, one filter each.
    kernel_shape, filters, kernel_seed
        Generated filter: (KH, KW) taps, ``filters`` output channels, and the
        seed of its own generator (``kernel_source="generate"``).
    stride, padding, pad, dilation, pad_mode, flip, method
        Parameters of :func:`conv.conv2d`; ``pad`` is (top, bottom, left,
        right) and only used when ``padding="custom"``.
    cell : tuple of int
        The output cell being explained.
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
    kernel_source: str = "example"
    presets: tuple[str, ...] = ("sobel-x",)
    kernel_size: int = 3
    sigma: float = 1.0
    kernel_shape: tuple[int, int] = (3, 3)
    filters: int = 1
    kernel_seed: int = 1
    stride: tuple[int, int] = (1, 1)
    padding: str = "valid"
    pad: tuple[int, int, int, int] = (0, 0, 0, 0)
    dilation: tuple[int, int] = (1, 1)
    pad_mode: str = "zeros"
    flip: bool = False
    method: str = "auto"
    cell: tuple[int, int] = field(default=(0, 0))

    def __post_init__(self) -> None:
        for name, allowed in (
            ("source", SOURCES),
            ("kernel_source", KERNEL_SOURCES),
            ("distribution", DISTRIBUTIONS),
            ("padding", PADDINGS),
            ("pad_mode", PAD_MODES),
            ("method", METHODS),
        ):
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
        if not 2 <= len(self.shape) <= 3 or min(self.shape) < 1:
            raise ValueError(f"shape must be H×W or H×W×C of positive sizes; got {self.shape}")
        for name in ("stride", "dilation", "kernel_shape"):
            if min(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be positive; got {getattr(self, name)}")
        if min(self.pad) < 0:
            raise ValueError(f"pad must be non-negative; got {self.pad}")
        if self.filters < 1:
            raise ValueError(f"filters must be at least 1; got {self.filters}")

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
            "stride": self.stride,
            "padding": self.padding_arg,
            "dilation": self.dilation,
            "pad_mode": self.pad_mode,
            "flip": self.flip,
            "method": self.method,
        }

    # -- query string ------------------------------------------------------

    def to_query(self) -> dict[str, str]:
        """The settings as ``st.query_params`` keys and string values.

        Only the keys that matter for the chosen sources are written, so a
        link stays short and says what it means.
        """
        q: dict[str, str] = {"source": self.source}
        if self.source == "example":
            q["example"] = self.example
        if self.source == "generate":
            q["dist"] = self.distribution
            if self.distribution == "pattern":
                q["pattern"] = self.pattern
            else:
                q["seed"] = str(self.seed)
                q["decimals"] = "none" if self.decimals is None else str(self.decimals)
                if self.distribution != "normal":
                    q["low"], q["high"] = _num(self.low), _num(self.high)
            q["shape"] = "x".join(map(str, self.shape))
        q["filter"] = self.kernel_source
        if self.kernel_source == "preset":
            q["preset"] = ",".join(self.presets)
            q["ksize"] = str(self.kernel_size)
            q["sigma"] = _num(self.sigma)
        if self.kernel_source in ("same-rng", "generate"):
            q["kshape"] = "x".join(map(str, self.kernel_shape))
            q["filters"] = str(self.filters)
        if self.kernel_source == "generate":
            q["kseed"] = str(self.kernel_seed)
        q["stride"] = _pair(self.stride)
        q["padding"] = ",".join(map(str, self.pad)) if self.padding == "custom" else self.padding
        q["dilation"] = _pair(self.dilation)
        q["pad_mode"] = self.pad_mode
        q["flip"] = "1" if self.flip else "0"
        q["method"] = self.method
        q["cell"] = _pair(self.cell)
        return q

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Recipe:
        """Rebuild settings from a query mapping; missing keys take defaults.

        With ``example`` and no explicit parameters, the example's own stride
        and padding are used, so ``?example=seed-3d`` opens the exercise.

        Raises
        ------
        ValueError
            Naming the key and its value when one cannot be read.
        """
        q = {k: (v[-1] if isinstance(v, list) else v) for k, v in query.items()}
        kw: dict = {}
        source = q.get("source", "example" if "example" in q or not q else "generate")
        kw["source"] = source
        if "example" in q:
            kw["example"] = q["example"]
            kw.update(example_settings(q["example"]))
        for key, name in (("dist", "distribution"), ("pattern", "pattern")):
            if key in q:
                kw[name] = q[key]
        if "preset" in q:
            kw["presets"] = tuple(p for p in q["preset"].split(",") if p)
        for key, name in (("seed", "seed"), ("ksize", "kernel_size"), ("filters", "filters")):
            if key in q:
                kw[name] = _int(key, q[key])
        if "kseed" in q:
            kw["kernel_seed"] = _int("kseed", q["kseed"])
        if "decimals" in q:
            kw["decimals"] = None if q["decimals"] == "none" else _int("decimals", q["decimals"])
        for key in ("low", "high", "sigma"):
            if key in q:
                kw[key] = _float(key, q[key])
        if "shape" in q:
            kw["shape"] = _dims("shape", q["shape"], (2, 3))
        if "kshape" in q:
            kw["kernel_shape"] = _dims("kshape", q["kshape"], (2,))
        default_filter = _default_filter(source, kw.get("distribution", "normal"))
        kw["kernel_source"] = q.get("filter", kw.get("kernel_source", default_filter))
        for key in ("stride", "dilation", "cell"):
            if key in q:
                kw[key] = _int_pair(key, q[key], minimum=0 if key == "cell" else 1)
        if "padding" in q:
            kw.update(_padding(q["padding"]))
        if "pad_mode" in q:
            kw["pad_mode"] = q["pad_mode"]
        if "flip" in q:
            if q["flip"] not in ("0", "1", "true", "false"):
                raise ValueError(f"query parameter 'flip' must be 0 or 1; got {q['flip']!r}")
            kw["flip"] = q["flip"] in ("1", "true")
        if "method" in q:
            kw["method"] = q["method"]
        return cls(**kw)

    def to_json(self) -> str:
        """The settings as an indented JSON object (for download)."""
        return json.dumps(dataclasses.asdict(self), indent=2)

    # -- arrays -------------------------------------------------------------

    def build_input(self, uploaded: np.ndarray | None = None) -> np.ndarray:
        """The input array these settings describe (``uploaded`` for uploads).

        Examples
        --------
        >>> r = Recipe(source="generate", shape=(2, 3), seed=123, decimals=2)
        >>> r.build_input()
        array([[-0.99, -0.37,  1.29],
               [ 0.19,  0.92,  0.58]])
        """
        from conv import examples, generate

        if self.source == "example":
            return np.asarray(examples.example(self.example).x)
        if self.source == "upload":
            if uploaded is None:
                raise ValueError("input: upload a file first (source is 'upload')")
            return uploaded
        if self.distribution == "pattern":
            return generate.pattern(self.pattern, self.shape)
        return generate.random_array(self.shape, rng=self._rng(), **self._draw())

    def build_kernel(self, x: np.ndarray, uploaded: np.ndarray | None = None) -> np.ndarray:
        """The filter these settings describe, shaped for ``x``."""
        from conv import examples, generate, kernels

        if self.kernel_source == "example":
            if self.source != "example":
                raise ValueError("filter: 'example' needs an example input (source='example')")
            return np.asarray(examples.example(self.example).kernel)
        if self.kernel_source == "upload":
            if uploaded is None:
                raise ValueError("filter: upload a file first (filter source is 'upload')")
            return uploaded
        channels = x.shape[2] if x.ndim == 3 else 1
        if self.kernel_source == "preset":
            if not self.presets:
                raise ValueError("preset: choose at least one named kernel")
            taps = [
                kernels.kernel(p, size=self.kernel_size, sigma=self.sigma) for p in self.presets
            ]
            if len({t.shape for t in taps}) > 1:
                raise ValueError(f"preset: kernels {self.presets} have different sizes")
            k = np.stack(taps, axis=-1)[:, :, None, :]  # (KH, KW, 1, F)
            if x.ndim == 3:
                # One preset acts on the channel mean, so RGB images give the
                # same picture as their grey version.
                k = np.repeat(k, channels, axis=2) / channels
            if k.shape[3] == 1:
                k = k[:, :, :, 0] if x.ndim == 3 else k[:, :, 0, 0]
            return k
        shape = self.kernel_draw_shape(x)
        if self.kernel_source == "same-rng":
            if self.source != "generate" or self.distribution == "pattern":
                raise ValueError("filter: 'same-rng' needs a randomly generated input")
            rng = self._rng()
            generate.random_array(self.shape, rng=rng, **self._draw())
            return generate.random_array(shape, rng=rng, **self._draw())
        rng = np.random.default_rng(self.kernel_seed)
        return generate.random_array(shape, rng=rng, **self._draw())

    def kernel_draw_shape(self, x: np.ndarray) -> tuple[int, ...]:
        """Shape of a generated filter for input ``x``: (KH, KW[, C][, F])."""
        shape: tuple[int, ...] = tuple(self.kernel_shape)
        if x.ndim == 3 or self.filters > 1:
            shape += (x.shape[2] if x.ndim == 3 else 1,)
        if self.filters > 1:
            shape += (self.filters,)
        return shape

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)

    def _draw(self) -> dict:
        draw = {"distribution": self.distribution, "decimals": self.decimals}
        if self.distribution != "normal":
            draw.update(low=self.low, high=self.high)
        return draw


def example_settings(name: str) -> dict:
    """The stride, padding and filter source an example opens with."""
    from conv import examples

    if name not in examples.EXAMPLES:
        raise ValueError(f"example must be one of {', '.join(examples.EXAMPLES)}; got {name!r}")
    ex = examples.example(name)
    settings: dict = {
        "kernel_source": "example",
        "stride": _as_pair(ex.stride),
        "dilation": _as_pair(ex.dilation),
        "pad_mode": ex.pad_mode,
        "flip": bool(ex.flip),
    }
    padding = ex.padding
    if isinstance(padding, str):
        settings["padding"] = padding
    else:
        settings.update(_padding(_padding_text(padding)))
    return settings


def _default_filter(source: str, distribution: str) -> str:
    if source == "generate" and distribution == "pattern":
        return "preset"
    return {"example": "example", "generate": "same-rng"}.get(source, "preset")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _pair(value: tuple[int, int]) -> str:
    return str(value[0]) if value[0] == value[1] else f"{value[0]},{value[1]}"


def _as_pair(value) -> tuple[int, int]:
    if isinstance(value, int | np.integer):
        return (int(value), int(value))
    return (int(value[0]), int(value[1]))


def _int(key: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"query parameter {key!r} must be an integer; got {text!r}") from None


def _float(key: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"query parameter {key!r} must be a number; got {text!r}") from None


def _int_pair(key: str, text: str, minimum: int) -> tuple[int, int]:
    parts = text.split(",")
    values = [_int(key, p) for p in parts] if len(parts) in (1, 2) else []
    if not values or min(values) < minimum:
        raise ValueError(
            f"query parameter {key!r} must be one integer ≥ {minimum} or 'rows,cols'; got {text!r}"
        )
    return (values[0], values[-1])


def _dims(key: str, text: str, lengths: tuple[int, ...]) -> tuple[int, ...]:
    parts = text.lower().split("x")
    values = [_int(key, p) for p in parts]
    if len(values) not in lengths or min(values) < 1:
        want = " or ".join("×".join("N" * n) for n in lengths)
        raise ValueError(f"query parameter {key!r} must be {want} positive sizes; got {text!r}")
    return tuple(values)


def _padding(text: str) -> dict:
    if text in ("valid", "same", "full"):
        return {"padding": text}
    parts = text.split(",")
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) in (1, 2, 4) and min(values) >= 0:
        if len(values) == 1:
            values *= 4
        elif len(values) == 2:
            values = [values[0], values[0], values[1], values[1]]
        return {"padding": "custom", "pad": tuple(values)}
    raise ValueError(
        "query parameter 'padding' must be valid, same, full, or 1, 2 or 4 non-negative "
        f"integers (top,bottom,left,right); got {text!r}"
    )


def _padding_text(padding) -> str:
    if isinstance(padding, int | np.integer):
        return str(int(padding))
    first, second = padding
    if isinstance(first, int | np.integer):
        return f"{int(first)},{int(second)}"
    return ",".join(str(int(v)) for v in (*first, *second))
