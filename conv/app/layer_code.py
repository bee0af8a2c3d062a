"""Code that recomputes a Layer types result: plain numpy, or ``torch.nn.functional``.

Written for the arrays the page used, (H, W, C) input and 4-D kernel, as
literals when small and finite, else loaded from the ``.npy`` files the page
offers (``input.npy``, ``filter.npy``). The code leaves ``out`` as
(OH, OW, F), the page's output.

Examples
--------
>>> import numpy as np
>>> x = np.arange(16.0).reshape(4, 4, 1)
>>> code = numpy_code("max", {"size": (2, 2), "stride": (2, 2), "padding": (0, 0),
...                           "dilation": (1, 1), "ceil_mode": False, "mode": "max"}, x, None)
>>> namespace = {}
>>> exec(code, namespace)
>>> namespace["out"][..., 0]
array([[ 5.,  7.],
       [13., 15.]])
"""

from __future__ import annotations

import numpy as np

import conv
from conv.app.snippets import LITERAL_CELLS

__all__ = ["numpy_code", "torch_code"]

_NUMPY_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
                   "circular": "wrap"}  # fmt: skip
_TORCH_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
                   "circular": "circular"}  # fmt: skip


def _array(name: str, array: np.ndarray, filename: str) -> str:
    if array.size <= LITERAL_CELLS and np.isfinite(array).all():
        rows = "\n".join(f"    {row.tolist()!r}," for row in array)  # one matrix row a line
        return f"{name} = np.array([\n{rows}\n])"
    return f'{name} = np.load("{filename}")  # the page\'s download of it'


def _arrays(x: np.ndarray, kernel: np.ndarray | None) -> list[str]:
    if x.shape[2] == 1 and "np.load" not in _array("x", x, ""):
        # One channel reads better as the matrix it is.
        lines = ["# x: (H, W), one channel", _array("x", x[:, :, 0], ""), "x = x[:, :, None]"]
    else:
        lines = [f"# x: {x.shape} (H, W, C)", _array("x", x, "input.npy")]
    if kernel is not None:
        lines += [f"# k: {kernel.shape}", _array("k", kernel, "filter.npy")]
    return lines


def numpy_code(op: str, params: dict, x: np.ndarray, kernel: np.ndarray | None) -> str:
    """Plain-numpy code for the layer ``op`` with the library keyword arguments ``params``."""
    lines = ["import numpy as np", "from numpy.lib.stride_tricks import sliding_window_view", ""]
    lines += [*_arrays(x, kernel), ""]
    if op == "conv":
        lines += _numpy_conv(params, x, kernel)
    elif op == "transpose":
        lines += _numpy_transpose(params, x, kernel)
    else:
        lines += _numpy_pool(params, x)
    return "\n".join(lines) + "\n"


def _windows(stride, dilation, kh, kw) -> str:
    (sh, sw), (dh, dw) = stride, dilation
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    return (
        f"windows = sliding_window_view(xp, ({eh}, {ew}), axis=(0, 1))"
        f"[::{sh}, ::{sw}, ..., ::{dh}, ::{dw}]  # OH, OW, C, KH, KW"
    )


def _numpy_conv(p: dict, x: np.ndarray, k: np.ndarray) -> list[str]:
    kh, kw, cg, f = k.shape
    g = p["groups"]
    pads = conv.resolve_padding(x.shape, k.shape, stride=p["stride"], padding=p["padding"],
                                dilation=p["dilation"], groups=g)  # fmt: skip
    (top, bottom), (left, right) = (tuple(int(v) for v in side) for side in pads)
    lines = [
        f"# padding resolved for these shapes: (top, bottom), (left, right) = {pads}",
        f"xp = np.pad(x, [({top}, {bottom}), ({left}, {right}), (0, 0)], "
        f'mode="{_NUMPY_PAD_MODE[p["pad_mode"]]}")',
    ]
    if p["flip"]:
        lines.append("k = k[::-1, ::-1]  # true convolution: kernel rotated 180 degrees")
    lines += [
        _windows(p["stride"], p["dilation"], kh, kw),
        f"# {g} group(s): filter f of group i sees only channels i*{cg} ... (i+1)*{cg} - 1",
        f"windows = windows.reshape(*windows.shape[:2], {g}, {cg}, {kh}, {kw})",
        f"kg = k.reshape({kh}, {kw}, {cg}, {g}, {f // g})",
        'out = np.einsum("ijgcmn,mncgf->ijgf", windows, kg, optimize=True)',
        f"out = out.reshape(*out.shape[:2], {f})",
    ]
    return lines


def _numpy_transpose(p: dict, x: np.ndarray, k: np.ndarray) -> list[str]:
    h, w, _ = x.shape
    kh, kw, _, f = k.shape
    (sh, sw), (dh, dw), (ph, pw) = p["stride"], p["dilation"], p["padding"]
    oh, ow, _ = conv.output_shape(x.shape, k.shape, op="transpose", **p)
    full_h = max((h - 1) * sh + dh * (kh - 1) + 1, ph + oh)
    full_w = max((w - 1) * sw + dw * (kw - 1) + 1, pw + ow)
    return [
        "# each input cell paints its value times the kernel, every stride-th cell",
        f"full = np.zeros(({full_h}, {full_w}, {f}))",
        f"for m in range({kh}):",
        f"    for n in range({kw}):",
        f"        rows = slice(m * {dh}, m * {dh} + {(h - 1) * sh + 1}, {sh})",
        f"        cols = slice(n * {dw}, n * {dw} + {(w - 1) * sw + 1}, {sw})",
        '        full[rows, cols] += np.einsum("ijc,cf->ijf", x, k[m, n])',
        f"out = full[{ph}:{ph + oh}, {pw}:{pw + ow}]  # padding cut from each side",
    ]


def _numpy_pool(p: dict, x: np.ndarray) -> list[str]:
    h, w, _ = x.shape
    (kh, kw), (sh, sw), (ph, pw) = p["size"], p["stride"], p["padding"]
    dilation = p["dilation"]
    oh, ow = conv.output_shape((h, w), p["size"], op="pool", stride=p["stride"],
                               padding=p["padding"], dilation=dilation,
                               ceil_mode=p["ceil_mode"])  # fmt: skip
    # ceil_mode's last window may reach past the padding: frame it too (it takes no part).
    extra_h = max((oh - 1) * sh + dilation[0] * (kh - 1) + 1 - h - 2 * ph, 0)
    extra_w = max((ow - 1) * sw + dilation[1] * (kw - 1) + 1 - w - 2 * pw, 0)
    frame = f"[({ph}, {ph + extra_h}), ({pw}, {pw + extra_w}), (0, 0)]"
    if p["mode"] == "max":
        return [
            "# padding never wins: -inf",
            f"xp = np.pad(x, {frame}, constant_values=-np.inf)",
            _windows(p["stride"], dilation, kh, kw),
            f"out = windows[:{oh}, :{ow}].max(axis=(3, 4))",
        ]
    lines = [
        f"xp = np.pad(x, {frame})",
        _windows(p["stride"], dilation, kh, kw),
        f"sums = windows[:{oh}, :{ow}].sum(axis=(3, 4))",
        "# PyTorch's divisor: the window cut at the padding's far edge"
        + ("" if p["count_include_pad"] else ", then at the input's"),
    ]
    for axis, (o, n, k, s, pad) in zip("rc", ((oh, h, kh, sh, ph), (ow, w, kw, sw, pw)),
                                       strict=True):  # fmt: skip
        lines += [
            f"start_{axis} = np.arange({o}) * {s} - {pad}",
            f"stop_{axis} = np.minimum(start_{axis} + {k}, {n + pad})",
        ]
        if not p["count_include_pad"]:
            lines += [
                f"start_{axis} = np.maximum(start_{axis}, 0)",
                f"stop_{axis} = np.minimum(stop_{axis}, {n})",
            ]
    lines.append("out = sums / np.outer(stop_r - start_r, stop_c - start_c)[:, :, None]")
    return lines


def torch_code(op: str, params: dict, x: np.ndarray, kernel: np.ndarray | None) -> str:
    """The equivalent ``torch.nn.functional`` call, on (N, C, H, W) tensors; leaves ``out``."""
    p = params
    lines = ["import numpy as np", "import torch", "import torch.nn.functional as F", ""]
    lines += [*_arrays(x, kernel), ""]
    lines.append("xt = torch.from_numpy(np.ascontiguousarray(x)).permute(2, 0, 1)[None]  # N,C,H,W")
    if op == "conv":
        lines.append("wt = torch.from_numpy(np.ascontiguousarray(k)).permute(3, 2, 0, 1)"
                     "  # F, C // groups, KH, KW")  # fmt: skip
        if p["flip"]:
            lines.append("wt = torch.flip(wt, dims=(2, 3))  # true convolution")
        pads = conv.resolve_padding(x.shape, kernel.shape, stride=p["stride"],
                                    padding=p["padding"], dilation=p["dilation"],
                                    groups=p["groups"])  # fmt: skip
        (top, bottom), (left, right) = (tuple(int(v) for v in side) for side in pads)
        if p["pad_mode"] == "zeros" and top == bottom and left == right:
            padding = f"({top}, {left})"
        else:
            mode = _TORCH_PAD_MODE[p["pad_mode"]]
            lines.append(f'xt = F.pad(xt, ({left}, {right}, {top}, {bottom}), mode="{mode}")')
            padding = "0"
        lines.append(
            f"out = F.conv2d(xt, wt, stride={tuple(p['stride'])}, padding={padding}, "
            f"dilation={tuple(p['dilation'])}, groups={p['groups']})"
        )
    elif op == "transpose":
        lines += [
            "wt = torch.from_numpy(np.ascontiguousarray(k)).permute(2, 3, 0, 1)  # C, F, KH, KW",
            f"out = F.conv_transpose2d(xt, wt, stride={tuple(p['stride'])}, "
            f"padding={tuple(p['padding'])}, output_padding={tuple(p['output_padding'])}, "
            f"dilation={tuple(p['dilation'])})",
        ]
    elif op == "max":
        lines.append(
            f"out = F.max_pool2d(xt, {tuple(p['size'])}, stride={tuple(p['stride'])}, "
            f"padding={tuple(p['padding'])}, dilation={tuple(p['dilation'])}, "
            f"ceil_mode={p['ceil_mode']})"
        )
    else:
        lines.append(
            f"out = F.avg_pool2d(xt, {tuple(p['size'])}, stride={tuple(p['stride'])}, "
            f"padding={tuple(p['padding'])}, ceil_mode={p['ceil_mode']}, "
            f"count_include_pad={p['count_include_pad']})"
        )
    lines.append("out = out[0].permute(1, 2, 0).numpy()  # OH, OW, F")
    return "\n".join(lines) + "\n"
