"""Layer descriptions for stack tracing: frozen, validated, printed the way PyTorch prints them.

Each class takes PyTorch's constructor arguments in PyTorch's order and checks
what PyTorch checks when the module is built (``groups`` dividing the
channels, ``padding="same"`` only at stride 1, ...), so an invalid layer is
refused here, and everything that depends on the input size is left to
:func:`conv.trace_layers`. Pairs are stored as ``(rows, cols)`` tuples, so
``Conv2d(3, 6, 5) == Conv2d(3, 6, (5, 5))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from conv._geometry import _is_int

MAX_INT = 1 << 24  # larger than any real layer; keeps hostile numbers out of the arithmetic
PAD_MODES = ("zeros", "reflect", "replicate", "circular")

# Shape-preserving layers and PyTorch's positional parameter names for each.
POINTWISE = {
    "ReLU": ("inplace",),
    "ReLU6": ("inplace",),
    "LeakyReLU": ("negative_slope", "inplace"),
    "ELU": ("alpha", "inplace"),
    "GELU": ("approximate",),
    "SiLU": ("inplace",),
    "Mish": ("inplace",),
    "Sigmoid": (),
    "Tanh": (),
    "Hardswish": ("inplace",),
    "Hardsigmoid": ("inplace",),
    "Softplus": ("beta", "threshold"),
    "Softmax": ("dim",),
    "LogSoftmax": ("dim",),
    "Dropout": ("p", "inplace"),
    "Dropout2d": ("p", "inplace"),
    "Identity": (),
}


class AxisWindow(NamedTuple):
    """One spatial layer along one axis, in the terms the size formulas use."""

    kind: str  # "conv", "pool", "transposed" or "adaptive"
    kernel: int = 1
    stride: int = 1
    dilation: int = 1
    before: int = 0
    after: int = 0
    ceil_mode: bool = False
    output_padding: int = 0
    target: int | None = None  # adaptive pooling's output size; None keeps the input size
    pad_mode: str = "zeros"


def _int(layer: str, name: str, value: object, minimum: int) -> int:
    if not _is_int(value) or not minimum <= value <= MAX_INT:
        raise ValueError(
            f"{layer}: {name} must be an int from {minimum} to {MAX_INT}, got {value!r}"
        )
    return int(value)


def _pair(layer: str, name: str, value: object, minimum: int) -> tuple[int, int]:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (_int(layer, name, value[0], minimum), _int(layer, name, value[1], minimum))
    if isinstance(value, (tuple, list)):
        raise ValueError(f"{layer}: {name} must be an int or a pair (rows, cols), got {value!r}")
    v = _int(layer, name, value, minimum)
    return (v, v)


def _bool(layer: str, name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{layer}: {name} must be True or False, got {value!r}")
    return value


def _set(obj: object, **values: object) -> None:
    for name, value in values.items():
        object.__setattr__(obj, name, value)


def _fmt(pair: tuple[int, int] | str) -> str:
    return str(pair) if not isinstance(pair, str) else pair


def _channels(layer: str, in_channels, out_channels, groups) -> tuple[int, int, int]:
    c_in = _int(layer, "in_channels", in_channels, 1)
    c_out = _int(layer, "out_channels", out_channels, 1)
    g = _int(layer, "groups", groups, 1)
    for name, value in (("in_channels", c_in), ("out_channels", c_out)):
        if value % g:
            raise ValueError(f"{layer}: {name} ({value}) must be divisible by groups ({g})")
    return c_in, c_out, g


@dataclass(frozen=True)
class Conv2d:
    """``torch.nn.Conv2d``: padding an int, a pair, ``"same"`` (stride 1 only) or ``"valid"``.

    Examples
    --------
    >>> print(Conv2d(3, 16, 3, padding=1))
    Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> Conv2d(3, 16, 3, stride=2, padding="same")
    Traceback (most recent call last):
    ...
    ValueError: Conv2d: padding='same' is not supported for strided convolutions (stride=(2, 2))
    """

    in_channels: int
    out_channels: int
    kernel_size: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] | str = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    bias: bool = True
    padding_mode: str = "zeros"

    def __post_init__(self) -> None:
        name = type(self).__name__
        c_in, c_out, g = _channels(name, self.in_channels, self.out_channels, self.groups)
        stride = _pair(name, "stride", self.stride, 1)
        if isinstance(self.padding, str):
            if self.padding not in ("same", "valid"):
                raise ValueError(
                    f"{name}: padding must be 'same', 'valid', an int or a pair, "
                    f"got {self.padding!r}"
                )
            if self.padding == "same" and stride != (1, 1):
                raise ValueError(
                    f"{name}: padding='same' is not supported for strided convolutions "
                    f"(stride={stride})"
                )
            padding = self.padding
        else:
            padding = _pair(name, "padding", self.padding, 0)
        if self.padding_mode not in PAD_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {PAD_MODES}, got {self.padding_mode!r}"
            )
        _set(
            self,
            in_channels=c_in,
            out_channels=c_out,
            groups=g,
            kernel_size=_pair(name, "kernel_size", self.kernel_size, 1),
            stride=stride,
            padding=padding,
            dilation=_pair(name, "dilation", self.dilation, 1),
            bias=_bool(name, "bias", self.bias),
        )

    def window(self, axis: int) -> AxisWindow:
        k, d = self.kernel_size[axis], self.dilation[axis]
        if self.padding == "same":  # PyTorch: total d*(k-1), the odd one at the end
            before, after = d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2
        elif self.padding == "valid":
            before = after = 0
        else:
            before = after = self.padding[axis]
        s, mode = self.stride[axis], self.padding_mode
        return AxisWindow("conv", k, s, d, before, after, pad_mode=mode)

    def __str__(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
        s += f"stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={_fmt(self.padding)}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if not self.bias:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return f"Conv2d({s})"


@dataclass(frozen=True)
class ConvTranspose2d:
    """``torch.nn.ConvTranspose2d``; ``padding`` crops the output, ``output_padding`` adds to it.

    Examples
    --------
    >>> print(ConvTranspose2d(64, 32, 2, stride=2))
    ConvTranspose2d(64, 32, kernel_size=(2, 2), stride=(2, 2))
    """

    in_channels: int
    out_channels: int
    kernel_size: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    output_padding: tuple[int, int] = (0, 0)
    groups: int = 1
    bias: bool = True
    dilation: tuple[int, int] = (1, 1)
    padding_mode: str = "zeros"

    def __post_init__(self) -> None:
        name = "ConvTranspose2d"
        c_in, c_out, g = _channels(name, self.in_channels, self.out_channels, self.groups)
        stride = _pair(name, "stride", self.stride, 1)
        dilation = _pair(name, "dilation", self.dilation, 1)
        out_pad = _pair(name, "output_padding", self.output_padding, 0)
        for op, s, d in zip(out_pad, stride, dilation, strict=True):
            if op >= s and op >= d:  # PyTorch's rule, checked when the layer runs
                raise ValueError(
                    f"{name}: output_padding must be smaller than either stride or dilation, "
                    f"got output_padding={out_pad}, stride={stride}, dilation={dilation}"
                )
        if self.padding_mode != "zeros":
            raise ValueError(
                f"{name}: only padding_mode='zeros' is supported, got {self.padding_mode!r}"
            )
        _set(
            self,
            in_channels=c_in,
            out_channels=c_out,
            groups=g,
            kernel_size=_pair(name, "kernel_size", self.kernel_size, 1),
            stride=stride,
            padding=_pair(name, "padding", self.padding, 0),
            output_padding=out_pad,
            dilation=dilation,
            bias=_bool(name, "bias", self.bias),
        )

    def window(self, axis: int) -> AxisWindow:
        p = self.padding[axis]
        return AxisWindow(
            "transposed",
            self.kernel_size[axis],
            self.stride[axis],
            self.dilation[axis],
            p,
            p,
            output_padding=self.output_padding[axis],
        )

    def __str__(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
        s += f"stride={self.stride}"
        for name, value, neutral in (
            ("padding", self.padding, (0, 0)),
            ("dilation", self.dilation, (1, 1)),
            ("output_padding", self.output_padding, (0, 0)),
        ):
            if value != neutral:
                s += f", {name}={value}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if not self.bias:
            s += ", bias=False"
        return f"ConvTranspose2d({s})"


def _pool_args(layer, kernel_size, stride, padding, dilation):
    kernel = _pair(layer, "kernel_size", kernel_size, 1)
    stride = kernel if stride is None else _pair(layer, "stride", stride, 1)
    padding = _pair(layer, "padding", padding, 0)
    dilation = _pair(layer, "dilation", dilation, 1)
    for p, k in zip(padding, kernel, strict=True):
        if 2 * p > k:  # PyTorch's check, on the kernel without dilation
            raise ValueError(
                f"{layer}: padding should be at most half of kernel_size, "
                f"got padding={padding} for kernel_size={kernel}"
            )
    return kernel, stride, padding, dilation


@dataclass(frozen=True)
class MaxPool2d:
    """``torch.nn.MaxPool2d``; ``stride`` defaults to ``kernel_size``.

    Examples
    --------
    >>> print(MaxPool2d(2))
    MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1), ceil_mode=False)
    """

    kernel_size: tuple[int, int]
    stride: tuple[int, int] | None = None
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    return_indices: bool = False
    ceil_mode: bool = False

    def __post_init__(self) -> None:
        k, s, p, d = _pool_args(
            "MaxPool2d", self.kernel_size, self.stride, self.padding, self.dilation
        )
        if self.return_indices is not False:
            raise ValueError("MaxPool2d: return_indices=True does not fit a Sequential")
        _set(self, kernel_size=k, stride=s, padding=p, dilation=d)
        _set(self, ceil_mode=_bool("MaxPool2d", "ceil_mode", self.ceil_mode))

    def window(self, axis: int) -> AxisWindow:
        p = self.padding[axis]
        k, s, d = self.kernel_size[axis], self.stride[axis], self.dilation[axis]
        return AxisWindow("pool", k, s, d, p, p, ceil_mode=self.ceil_mode)

    def __str__(self) -> str:
        return (
            f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride}, "
            f"padding={self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode})"
        )


@dataclass(frozen=True)
class AvgPool2d:
    """``torch.nn.AvgPool2d``. (PyTorch's printout omits ``ceil_mode``; it is kept here.)

    Examples
    --------
    >>> print(AvgPool2d(2, ceil_mode=True))
    AvgPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), ceil_mode=True)
    """

    kernel_size: tuple[int, int]
    stride: tuple[int, int] | None = None
    padding: tuple[int, int] = (0, 0)
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None

    def __post_init__(self) -> None:
        k, s, p, _ = _pool_args("AvgPool2d", self.kernel_size, self.stride, self.padding, 1)
        _set(self, kernel_size=k, stride=s, padding=p)
        _set(self, ceil_mode=_bool("AvgPool2d", "ceil_mode", self.ceil_mode))
        _bool("AvgPool2d", "count_include_pad", self.count_include_pad)
        if self.divisor_override is not None:
            _int("AvgPool2d", "divisor_override", self.divisor_override, 1)

    def window(self, axis: int) -> AxisWindow:
        p = self.padding[axis]
        k, s = self.kernel_size[axis], self.stride[axis]
        return AxisWindow("pool", k, s, 1, p, p, ceil_mode=self.ceil_mode)

    def __str__(self) -> str:
        s = f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
        return f"AvgPool2d({s}{', ceil_mode=True' if self.ceil_mode else ''})"


@dataclass(frozen=True)
class AdaptiveAvgPool2d:
    """``torch.nn.AdaptiveAvgPool2d``; ``None`` in ``output_size`` keeps that input size.

    Examples
    --------
    >>> print(AdaptiveAvgPool2d((1, None)))
    AdaptiveAvgPool2d(output_size=(1, None))
    """

    output_size: tuple[int | None, int | None]

    def __post_init__(self) -> None:
        name = type(self).__name__
        size = self.output_size
        size = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
        if len(size) != 2:
            raise ValueError(f"{name}: output_size must be an int or a pair, got {size!r}")
        size = tuple(None if v is None else _int(name, "output_size", v, 1) for v in size)
        _set(self, output_size=size)

    def window(self, axis: int) -> AxisWindow:
        return AxisWindow("adaptive", target=self.output_size[axis])

    def __str__(self) -> str:
        return f"{type(self).__name__}(output_size={self.output_size})"


@dataclass(frozen=True)
class AdaptiveMaxPool2d(AdaptiveAvgPool2d):
    """``torch.nn.AdaptiveMaxPool2d``: same windows as the average version."""


@dataclass(frozen=True)
class Flatten:
    """``torch.nn.Flatten``: dims count the batch axis, as in PyTorch.

    Examples
    --------
    >>> print(Flatten())
    Flatten(start_dim=1, end_dim=-1)
    """

    start_dim: int = 1
    end_dim: int = -1

    def __post_init__(self) -> None:
        for name in ("start_dim", "end_dim"):
            value = getattr(self, name)
            if not _is_int(value) or not -8 <= value <= 8:
                raise ValueError(f"Flatten: {name} must be an int from -8 to 8, got {value!r}")

    def __str__(self) -> str:
        return f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim})"


@dataclass(frozen=True)
class Linear:
    """``torch.nn.Linear``: acts on the last axis, which must have ``in_features`` entries.

    Examples
    --------
    >>> print(Linear(400, 120))
    Linear(in_features=400, out_features=120, bias=True)
    """

    in_features: int
    out_features: int
    bias: bool = True

    def __post_init__(self) -> None:
        _int("Linear", "in_features", self.in_features, 0)
        _int("Linear", "out_features", self.out_features, 0)
        _bool("Linear", "bias", self.bias)

    def __str__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias})"
        )


@dataclass(frozen=True)
class BatchNorm2d:
    """``torch.nn.BatchNorm2d``: ``num_features`` must equal the input's channels.

    Examples
    --------
    >>> print(BatchNorm2d(64))
    BatchNorm2d(64, affine=True)
    """

    num_features: int
    affine: bool = True
    bias: bool = True

    def __post_init__(self) -> None:
        _int("BatchNorm2d", "num_features", self.num_features, 1)
        _bool("BatchNorm2d", "affine", self.affine)
        _bool("BatchNorm2d", "bias", self.bias)

    @property
    def params(self) -> int:
        """Learned scale and shift (the running statistics are buffers, not parameters)."""
        return self.num_features * (1 + self.bias) if self.affine else 0

    def __str__(self) -> str:
        return f"BatchNorm2d({self.num_features}, affine={self.affine})"


@dataclass(frozen=True)
class Pointwise:
    """A shape-preserving layer (``ReLU``, ``Dropout``, ``Sigmoid``, ...) without parameters.

    ``kind`` is the PyTorch class name (a key of ``POINTWISE``); ``options``
    keeps its arguments as ``(name, value)`` pairs, only for display.

    Examples
    --------
    >>> print(Pointwise("LeakyReLU", (("negative_slope", 0.2),)))
    LeakyReLU(negative_slope=0.2)
    """

    kind: str
    options: tuple[tuple[str, object], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in POINTWISE:
            raise ValueError(
                f"Pointwise: kind must be one of {sorted(POINTWISE)}, got {self.kind!r}"
            )
        for name, _ in self.options:
            if name not in POINTWISE[self.kind]:
                raise ValueError(f"{self.kind}: unknown argument {name!r}")

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(f'{n}={v!r}' for n, v in self.options)})"


Layer = (
    Conv2d
    | ConvTranspose2d
    | MaxPool2d
    | AvgPool2d
    | AdaptiveAvgPool2d
    | Flatten
    | Linear
    | BatchNorm2d
    | Pointwise
)
SPATIAL = (Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d)
LAYER_CLASSES = {
    cls.__name__: cls for cls in (*SPATIAL, AdaptiveMaxPool2d, Flatten, Linear, BatchNorm2d)
}
