"""Code that recomputes a result outside the app: plain numpy, or PyTorch.

The code is written for the arrays actually used. Each array appears as the
generator call that gives it back exactly (checked by running the call), as a
literal when small, or else as ``np.load`` of the ``.npy`` file the app offers
for download. The code leaves the result in ``out``.

Examples
--------
>>> import numpy as np
>>> from conv.app.arrays import build_input, build_kernel
>>> from conv.app.settings import Settings
>>> r = Settings(source="generate", shape=(4, 4), seed=7, kernel_source="same-rng")
>>> x = build_input(r)
>>> print(numpy_code(r, x, build_kernel(r, x)).splitlines()[3])
rng = np.random.default_rng(7)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from conv.app.settings import BY_NAME, Settings

__all__ = ["LITERAL_CELLS", "numpy_code", "torch_code"]

# Examples drawn from one seeded generator, input first (see conv.examples);
# the code for them is checked against the arrays before it is shown.
_EXAMPLE_SEEDS = {"seed-3d": 123}

# Arrays up to this many cells are written into the code as literals; larger
# ones are loaded from the .npy the app offers for download.
LITERAL_CELLS = 256

_NUMPY_PAD_MODE = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}
_TORCH_PAD_MODE = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}


def numpy_code(recipe: Settings, x: np.ndarray, kernel: np.ndarray) -> str:
    """Plain-numpy code that recomputes ``conv2d(x, kernel, **recipe.conv_kwargs())``.

    Parameters
    ----------
    recipe : Settings
        The settings that made ``x`` and ``kernel`` and hold the parameters.
    x, kernel : numpy.ndarray
        The arrays actually used (after any upload or edit).

    Examples
    --------
    >>> r = Settings(source="upload", kernel_source="upload", padding="same", stride=(1, 1))
    >>> code = numpy_code(r, np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
    >>> namespace = {}
    >>> exec(code, namespace)
    >>> namespace["out"]
    array([[ 8., 12.,  7.],
           [20., 24., 13.],
           [13., 15.,  8.]])
    """
    x, kernel, pads = _prepared(recipe, x, kernel)
    lines = [
        "import numpy as np",
        "from numpy.lib.stride_tricks import sliding_window_view",
        "",
        *_array_lines(recipe, x, kernel),
    ]
    if x.ndim == 2 and kernel.ndim == 4:
        # The input stays as given (and as downloaded); the bank wants a channel axis.
        lines.append("x = x[:, :, None]  # one channel, as the filter bank expects")
        x = x[:, :, None]
    lines.append("")
    (top, bottom), (left, right) = pads
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (x.ndim - 2)
    lines.append(f"# padding resolved for these shapes: (top, bottom), (left, right) = {pads}")
    lines.append(f'xp = np.pad(x, {widths}, mode="{_NUMPY_PAD_MODE[recipe.pad_mode]}")')
    if recipe.flip:
        lines.append("k = k[::-1, ::-1]  # true convolution: kernel rotated 180 degrees")
    (sh, sw), (dh, dw) = recipe.stride, recipe.dilation
    kh, kw = kernel.shape[:2]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    c = "c" if x.ndim == 3 else ""
    f = "f" if kernel.ndim == 4 else ""
    spec = f"ij{c}mn,mn{c}{f}->ij{f}"
    lines += [
        "# every dilated window, then every stride-th window and every dilation-th tap",
        f"windows = sliding_window_view(xp, ({eh}, {ew}), axis=(0, 1))"
        f"[::{sh}, ::{sw}, ..., ::{dh}, ::{dw}]",
        f'out = np.einsum("{spec}", windows, k, optimize=True)',
    ]
    return "\n".join(lines) + "\n"


def torch_code(recipe: Settings, x: np.ndarray, kernel: np.ndarray) -> str:
    """The equivalent ``torch.nn.functional.conv2d`` call; leaves ``out``.

    PyTorch wants (N, C, H, W) input and (F, C, KH, KW) weights and only
    pads symmetrically with zeros itself, so other padding goes through
    ``F.pad`` first.

    Examples
    --------
    >>> r = Settings(source="upload", kernel_source="upload", stride=(2, 1))
    >>> torch_code(r, np.ones((4, 4)), np.ones((2, 2))).splitlines()[-2]
    'out = F.conv2d(xt, wt, stride=(2, 1), padding=(0, 0), dilation=(1, 1))'
    """
    x, kernel, pads = _prepared(recipe, x, kernel)
    lines = [
        "import numpy as np",
        "import torch",
        "import torch.nn.functional as F",
        "",
        *_array_lines(recipe, x, kernel),
        "",
    ]
    x3 = "x" if x.ndim == 3 else "x[:, :, None]"
    k4 = {2: "k[:, :, None, None]", 3: "k[:, :, :, None]", 4: "k"}[kernel.ndim]
    lines += [
        f"xt = torch.from_numpy(np.ascontiguousarray({x3})).permute(2, 0, 1)[None]  # N,C,H,W",
        f"wt = torch.from_numpy(np.ascontiguousarray({k4})).permute(3, 2, 0, 1)  # F,C,KH,KW",
    ]
    if recipe.flip:
        lines.append("wt = torch.flip(wt, dims=(2, 3))  # true convolution")
    (top, bottom), (left, right) = pads
    symmetric_zeros = recipe.pad_mode == "zeros" and top == bottom and left == right
    if symmetric_zeros:
        padding = f"({top}, {left})"
    else:
        mode = _TORCH_PAD_MODE[recipe.pad_mode]
        lines.append(f'xt = F.pad(xt, ({left}, {right}, {top}, {bottom}), mode="{mode}")')
        padding = "0"
    lines.append(
        f"out = F.conv2d(xt, wt, stride={recipe.stride}, padding={padding}, "
        f"dilation={recipe.dilation})"
    )
    squeeze = "" if kernel.ndim == 4 else "[..., 0]"
    lines.append(f"out = out[0].permute(1, 2, 0).numpy(){squeeze}  # OH, OW[, F]")
    return "\n".join(lines) + "\n"


def _prepared(recipe: Settings, x: np.ndarray, kernel: np.ndarray) -> tuple:
    from conv import resolve_padding

    x, kernel = np.asarray(x), np.asarray(kernel)
    pads = resolve_padding(
        x.shape,
        kernel.shape,
        stride=recipe.stride,
        padding=recipe.padding_arg,
        dilation=recipe.dilation,
    )
    pads = tuple(tuple(int(v) for v in side) for side in pads)
    return x, kernel, pads


def _array_lines(recipe: Settings, x: np.ndarray, kernel: np.ndarray) -> list[str]:
    generated = _generator_lines(recipe, x, kernel)
    lines = list(generated.get("rng", []))
    for name, array, filename in (("x", x, "input.npy"), ("k", kernel, "filter.npy")):
        if name in generated:
            lines.append(generated[name])
        elif array.size <= LITERAL_CELLS:
            lines.append(_literal(name, array))
        else:
            lines.append(f'{name} = np.load("{filename}")  # the app\'s download of it')
    return lines


def _generator_lines(recipe: Settings, x: np.ndarray, kernel: np.ndarray) -> dict[str, object]:
    """Generator calls that give back ``x`` / ``kernel`` exactly, when any do."""
    me = recipe
    if recipe.source == "example" and recipe.example in _EXAMPLE_SEEDS:
        me = dataclasses.replace(
            recipe, source="generate", distribution="normal", decimals=2,
            seed=_EXAMPLE_SEEDS[recipe.example], kernel_source="same-rng",
        )  # fmt: skip
    random_input = me.source == "generate" and me.distribution != "pattern"
    lines: dict[str, object] = {}
    if random_input:
        lines["rng"] = [f"rng = np.random.default_rng({me.seed})"]
        lines["x"] = "x = " + _draw_call(me, "rng", x.shape)
    if me.kernel_source == "same-rng" and random_input:
        lines["k"] = "k = " + _draw_call(me, "rng", kernel.shape)
    elif recipe.kernel_source == "generate":
        lines["k"] = "k = " + _draw_call(
            recipe, f"np.random.default_rng({recipe.kernel_seed})", kernel.shape
        )
    # Edited or uploaded arrays no longer match their settings: verify.
    namespace: dict = {"np": np}
    try:
        if "x" in lines:
            exec("\n".join([*lines["rng"], lines["x"]]), namespace)
            if not _same(namespace["x"], x):
                # The filter's draw depends on the input's draw before it.
                lines = {} if me.kernel_source == "same-rng" else {"k": lines.get("k")}
        if lines.get("k") is not None:
            exec(lines["k"], namespace)
            if not _same(namespace["k"], kernel):
                del lines["k"]
    except Exception:  # settings the generator refuses: fall back to the data
        return {}
    if "x" not in lines:
        lines.pop("rng", None)
    return {key: value for key, value in lines.items() if value is not None}


def _num(value: float) -> str:
    return BY_NAME["low"].text(value)


def _draw_call(recipe: Settings, rng: str, shape: tuple[int, ...]) -> str:
    size = tuple(int(s) for s in shape)
    if recipe.distribution == "normal":
        call = f"{rng}.normal(size={size})"
    elif recipe.distribution == "uniform":
        call = f"{rng}.uniform({_num(recipe.low)}, {_num(recipe.high)}, size={size})"
    else:
        low, high = _num(recipe.low), _num(recipe.high)
        call = f"{rng}.integers({low}, {high}, size={size}, endpoint=True)"
    return call + ("" if recipe.decimals is None else f".round({recipe.decimals})")


def _same(got: object, want: np.ndarray) -> bool:
    return (
        isinstance(got, np.ndarray)
        and got.shape == want.shape
        and got.dtype == want.dtype
        and bool(np.array_equal(got, want))
    )


def _literal(name: str, array: np.ndarray) -> str:
    dtype = "" if array.dtype == np.float64 else f", dtype=np.{array.dtype.name}"
    if array.ndim < 2:
        return f"{name} = np.array({array.tolist()!r}{dtype})"
    rows = "\n".join(f"    {row.tolist()!r}," for row in array)
    return f"{name} = np.array([\n{rows}\n]{dtype})"
