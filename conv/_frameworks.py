"""How PyTorch, TensorFlow, Keras, JAX and ONNX pad the same layer.

Porting a layer goes wrong silently when two frameworks read the same
``padding`` differently, so this is one table of their rules, checked
against the frameworks themselves (``tests/golden/``). Shapes only.

Every answer is in one convention: ``pads`` are the rows and columns added
before and after the input, ``((top, bottom), (left, right))``, such that
:func:`conv.conv2d` with ``padding=pads`` (or max pooling over those pads)
gives the framework's output. For a transposed convolution ``pads`` are the
rows and columns *cropped* from each side of the full transposed output
``(n - 1) * stride + dilation * (k - 1) + 1``, output padding folded into
the bottom/right (so PyTorch's ``padding=p, output_padding=a`` is
``(p, p - a)``; a negative crop adds zeros).
"""

from __future__ import annotations

from dataclasses import dataclass

from conv._geometry import (
    IntPair,
    Padding2D,
    _explicit_padding,
    _is_int,
    as_pair,
    conv_size,
    transposed_size,
)

FRAMEWORKS = ("pytorch", "tensorflow", "keras", "jax", "onnx")
OPS = ("conv", "conv_transpose", "pool")
# Rule names understood by ``padding``; each framework is asked in its own
# spelling (PyTorch "same", TensorFlow "SAME", ONNX auto_pad="SAME_UPPER").
PADDING_RULES = ("valid", "same", "same_upper", "same_lower", "full")
# The padding rules each framework has a spelling for, per op ("valid" aside).
_SAME = ("same",)
_SAME_ONNX = ("same", "same_upper", "same_lower")
_RULES = {
    "conv": {
        "pytorch": _SAME,
        "tensorflow": _SAME,
        "keras": _SAME,
        "jax": ("same", "same_lower"),
        "onnx": _SAME_ONNX,
    },
    "conv_transpose": {
        "pytorch": (),
        "tensorflow": ("valid", *_SAME),
        "keras": ("valid", *_SAME),
        "jax": ("valid", *_SAME),
        "onnx": ("valid", *_SAME_ONNX),
    },
    "pool": {
        "pytorch": (),
        "tensorflow": _SAME,
        "keras": _SAME,
        "jax": ("same", "same_lower"),
        "onnx": _SAME_ONNX,
    },
}
_NAMES = {
    "pytorch": "PyTorch",
    "tensorflow": "TensorFlow",
    "keras": "Keras",
    "jax": "JAX",
    "onnx": "ONNX",
}


@dataclass(frozen=True)
class FrameworkPadding:
    """One framework's answer for one layer.

    Attributes
    ----------
    framework, op : str
        As asked.
    pads : ((int, int), (int, int)) or None
        ``((top, bottom), (left, right))`` in the module's convention; None when refused.
    output_shape : (int, int) or None
        ``(OH, OW)``; None when refused.
    refused : str or None
        Why the framework refuses the layer, in its own words where it has any.
    note : str
        What a porter should know (workarounds, equivalent spellings, quirks).
    """

    framework: str
    op: str
    pads: Padding2D | None
    output_shape: tuple[int, int] | None
    refused: str | None = None
    note: str = ""


class _Refusal(Exception):
    def __init__(self, message: str, note: str = ""):
        super().__init__(message)
        self.note = note


def _same_split(total: int, lower: bool) -> tuple[int, int]:
    """Split ``total`` padding with the odd one after (SAME_UPPER) or before (SAME_LOWER)."""
    small = total // 2
    return (total - small, small) if lower else (small, total - small)


def _same_total(size: int, extent: int, stride: int) -> int:
    """TensorFlow's "SAME": enough padding for ceil(size / stride) windows."""
    return max((-(-size // stride) - 1) * stride + extent - size, 0)


def _rule(padding: object) -> str | Padding2D:
    """The padding as a lower-case rule name or explicit ((top, bottom), (left, right))."""
    if isinstance(padding, str):
        if padding.lower() not in PADDING_RULES:
            raise ValueError(
                f"padding must be one of {PADDING_RULES} (any case) or numbers, got {padding!r}"
            )
        return padding.lower()
    return _explicit_padding(padding)


def _spelling(framework: str, rule: str) -> str:
    if framework == "pytorch":
        return repr(rule)
    if framework == "onnx":
        return f"auto_pad='{'SAME_UPPER' if rule == 'same' else rule.upper()}'"
    return repr(rule) if framework == "keras" else repr(rule.upper())


def _no_rule(framework: str, rule: str) -> _Refusal:
    note = {
        "same_upper": "the TensorFlow 'same' rule is this framework's SAME_UPPER",
        "same_lower": "pad explicitly with the odd row/column at the top/left",
    }.get(rule, "")
    if framework == "jax" and rule == "same_upper":
        return _Refusal(
            "Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', got SAME_UPPER.",
            "JAX's 'SAME' is SAME_UPPER",
        )
    if framework == "pytorch":
        return _Refusal(f"Invalid padding string {rule!r}, should be one of {{'valid', 'same'}}")
    return _Refusal(f"{_NAMES[framework]} has no padding {_spelling(framework, rule)}", note)


def _conv_pads(framework, rule, sizes, kernels, strides, dilations) -> tuple[Padding2D, str]:
    extents = [d * (k - 1) + 1 for k, d in zip(kernels, dilations, strict=True)]
    note = ""
    if framework == "keras" and max(strides) > 1 and max(dilations) > 1:
        raise _Refusal(
            "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
            f"Received: strides={strides} and dilation_rate={dilations}",
            "tf.nn.conv2d accepts both",
        )
    if rule == "full":
        rule = tuple((e - 1, e - 1) for e in extents)
        note = "'full' is explicit padding of dilation*(kernel-1) on every side"
    if not isinstance(rule, str):
        if framework == "pytorch" and any(a != b for a, b in rule):
            raise _Refusal(
                "nn.Conv2d takes one padding per axis, (rows, cols)",
                "pad asymmetrically with F.pad(x, (left, right, top, bottom)) first",
            )
        if framework == "keras" and any(max(side) for side in rule):
            raise _Refusal(
                "The `padding` argument must be one of 'valid', 'same'.",
                "put keras.layers.ZeroPadding2D(((top, bottom), (left, right))) before a "
                "'valid' Conv2D",
            )
        return rule, note
    if rule == "valid":
        return ((0, 0), (0, 0)), note
    lower = rule == "same_lower"
    if rule not in _RULES["conv"][framework]:
        raise _no_rule(framework, rule)
    if framework == "pytorch":
        if max(strides) > 1:
            raise _Refusal(
                "padding='same' is not supported for strided convolutions",
                "use TensorFlow's rule as explicit pads, asymmetric ones through F.pad",
            )
        totals = [e - 1 for e in extents]
        if any(t % 2 for t in totals):
            note = "an even kernel: PyTorch puts the extra row/column at the bottom/right"
        return tuple(_same_split(t, False) for t in totals), note
    if framework == "onnx":
        if max(dilations) > 1:
            raise _Refusal(
                "Dilation not supported for AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER",
                "that is onnxruntime; the ONNX spec pads for the dilated kernel, as TensorFlow",
            )
        if rule == "same":
            note = "ONNX spells TensorFlow's 'same' auto_pad='SAME_UPPER'"
    totals = [_same_total(n, e, s) for n, e, s in zip(sizes, extents, strides, strict=True)]
    return tuple(_same_split(t, lower) for t in totals), note


def _transposed_pads(framework, rule, sizes, kernels, strides, dilations, out_pads):
    """Crops (before, after) per axis, output padding folded into after."""
    extents = [d * (k - 1) + 1 for k, d in zip(kernels, dilations, strict=True)]
    fulls = [(n - 1) * s + e for n, s, e in zip(sizes, strides, extents, strict=True)]
    note = ""
    if framework == "pytorch":
        for a, s, d in zip(out_pads, strides, dilations, strict=True):
            if a >= max(s, d):
                h, w = out_pads
                raise _Refusal(
                    "output padding must be smaller than either stride or dilation, but got "
                    f"output_padding_height: {h} output_padding_width: {w} stride_height: "
                    f"{strides[0]} stride_width: {strides[1]} dilation_height: {dilations[0]} "
                    f"dilation_width: {dilations[1]}"
                )
    if rule == "full":
        raise _no_rule(framework, "full")
    if not isinstance(rule, str):
        if framework == "pytorch" and any(a != b for a, b in rule):
            raise _Refusal("nn.ConvTranspose2d takes one padding per axis, (rows, cols)")
        if framework == "keras" and any(max(side) for side in rule):
            raise _Refusal(
                "The `padding` argument must be one of 'valid', 'same'.",
                "crop afterwards with keras.layers.Cropping2D",
            )
        return tuple((a, b - op) for (a, b), op in zip(rule, out_pads, strict=True)), note
    if framework == "pytorch":
        raise _Refusal(
            f"padding={rule!r} is not supported for ConvTranspose2d",
            "give the crop per axis as an int: padding=p removes p rows each side",
        )
    if rule not in _RULES["conv_transpose"][framework]:
        raise _no_rule(framework, rule)
    crops = []
    for n, s, e, full, op in zip(sizes, strides, extents, fulls, out_pads, strict=True):
        if framework == "onnx":
            if rule == "valid":
                crops.append((0, -op))
                continue
            total = max(s * (n - 1) + op + e - n * s, 0)
            before, after = _same_split(total, rule == "same_lower")
            crops.append((before, after - op))
            note = "onnxruntime clamps a negative total padding to 0 (output below n*stride)"
            continue
        if op and framework == "jax":
            raise _Refusal("lax.conv_transpose has no output_padding", "use explicit pads")
        if op:  # Keras with output_padding: its own length formula, then TF's crop
            pad = {"valid": 0, "same": e // 2}[rule]
            out = (n - 1) * s + e - 2 * pad + op
        else:
            out = n * s + (max(e - s, 0) if rule == "valid" else 0)
        if framework == "jax" and rule == "same":
            # lax.conv_transpose pads the stuffed input with ceil((e + s - 2) / 2) before.
            pad_before = e - 1 if s > e - 1 else -(-(e + s - 2) // 2)
            before = e - 1 - pad_before
        elif rule == "same":  # TensorFlow: the gradient of a 'SAME' conv of length out
            before = _same_total(out, e, s) // 2
        else:
            before = 0
        crops.append((before, full - out - before))
    return tuple(crops), note


def _torch_pool_size(size: int, extent: int, stride: int, pad: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape, which also counts a window wider than the input.

    Unlike :func:`conv._geometry.pool_size` (0 for such a window), PyTorch gives 1
    in ceil mode when the dilated window is wider than the padded input.
    """
    out = (size + 2 * pad - extent + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _pool_pads(framework, rule, sizes, kernels, strides, dilations, ceil_mode):
    extents = [d * (k - 1) + 1 for k, d in zip(kernels, dilations, strict=True)]
    note = ""
    if ceil_mode and framework in ("tensorflow", "keras", "jax"):
        raise _Refusal(
            f"{_NAMES[framework]} pooling has no ceil_mode", "'same' gives ceil(n / stride) windows"
        )
    if framework == "keras" and max(dilations) > 1:
        raise _Refusal("Keras pooling layers have no dilation", "tf.nn.pool takes dilations")
    if rule == "full":
        raise _no_rule(framework, "full")
    if not isinstance(rule, str):
        if framework == "pytorch":
            if any(a != b for a, b in rule):
                raise _Refusal("nn.MaxPool2d takes one padding per axis, (rows, cols)")
            for (p, _), k, d in zip(rule, kernels, dilations, strict=True):
                if p > k // 2:  # the check reads the undilated kernel, whatever it says
                    raise _Refusal(
                        "pad should be at most half of effective kernel size, but got "
                        f"pad={p}, kernel_size={k} and dilation={d}"
                    )
            outs = [
                _torch_pool_size(n, e, s, p, ceil_mode)
                for n, e, s, (p, _) in zip(sizes, extents, strides, rule, strict=True)
            ]
            pads = tuple(
                (p, max(p, (o - 1) * s + e - n - p))
                for n, s, e, (p, _), o in zip(sizes, strides, extents, rule, outs, strict=True)
            )
            note = "ceil_mode's extra window is padding at the bottom/right" if ceil_mode else ""
            return pads, note
        if framework in ("tensorflow", "keras") and any(max(side) for side in rule):
            raise _Refusal(
                "The `padding` argument must be one of 'valid', 'same'.",
                "max pooling pads with -inf; tf.pad with -inf and then 'valid'",
            )
        if framework == "onnx" and any(
            max(side) >= k for side, k in zip(rule, kernels, strict=True)
        ):
            raise _Refusal("Pad should be smaller than kernel.")
        if framework == "onnx" and ceil_mode:
            outs = [
                max(conv_size(n, k, s, d, a, b + s - 1), 0)
                for n, k, s, d, (a, b) in zip(sizes, kernels, strides, dilations, rule, strict=True)
            ]
            # The last window must start inside the input or the top/left padding.
            outs = [
                o - 1 if o > 1 and (o - 1) * s >= n + a else o
                for o, n, s, (a, _) in zip(outs, sizes, strides, rule, strict=True)
            ]
            pads = tuple(
                (a, max(b, (o - 1) * s + e - n - a))
                for n, s, e, (a, b), o in zip(sizes, strides, extents, rule, outs, strict=True)
            )
            return pads, "ceil_mode's extra window is padding at the bottom/right"
        return rule, note
    if framework == "pytorch":
        raise _Refusal(
            "max_pool2d(): argument 'padding' (position 4) must be tuple of ints, not str",
            "TensorFlow's 'same' as explicit pads, asymmetric ones through F.pad(value=-inf)",
        )
    if rule == "valid":
        return ((0, 0), (0, 0)), note
    if rule not in _RULES["pool"][framework]:
        raise _no_rule(framework, rule)
    if framework == "onnx" and max(dilations) > 1:
        # onnxruntime sizes the SAME padding for the undilated window.
        extents = list(kernels)
        note = "onnxruntime pads for the undilated window, so the output is below ceil(n/stride)"
    totals = [_same_total(n, e, s) for n, e, s in zip(sizes, extents, strides, strict=True)]
    if (
        framework == "onnx"
        and max(dilations) == 1
        and any(
            (-(-n // s) - 1) * s + e < n for n, e, s in zip(sizes, extents, strides, strict=True)
        )
    ):  # onnxruntime's undilated pools do not clamp SAME's total padding at 0 as Conv does
        raise _Refusal("padding values must be non-negative", "a stride above the window")
    return tuple(_same_split(t, rule == "same_lower") for t in totals), note


def framework_padding(
    framework: str,
    input_size: IntPair,
    kernel_size: IntPair,
    stride: IntPair = 1,
    dilation: IntPair = 1,
    padding: object = "valid",
    *,
    op: str = "conv",
    output_padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
) -> FrameworkPadding:
    """The padding and output shape ``framework`` gives a layer, or its refusal.

    Parameters
    ----------
    framework : {"pytorch", "tensorflow", "keras", "jax", "onnx"}
        ``"tensorflow"`` is ``tf.nn.conv2d``/``conv2d_transpose``/``pool``,
        ``"keras"`` the layers (same rules, fewer options), ``"jax"``
        ``lax.conv_general_dilated``/``conv_transpose``/``reduce_window``,
        ``"onnx"`` the operators as onnxruntime runs them.
    input_size, kernel_size, stride, dilation : int or (int, int)
        Per (rows, cols).
    padding : str, int or tuple
        A rule, ``"valid"``, ``"same"`` (TensorFlow's: output
        ``ceil(n / stride)``, odd extra bottom/right), ``"same_upper"``,
        ``"same_lower"`` (ONNX, JAX) or ``"full"``, in any case, each asked in
        the framework's own spelling; or explicit amounts: an int, ``(rows,
        cols)`` or ``((top, bottom), (left, right))`` (for ``op="conv_transpose"``,
        PyTorch's meaning: rows cropped from each side).
    op : {"conv", "conv_transpose", "pool"}
        Pooling is max pooling's geometry (average pooling has the same pads).
    output_padding : int or (int, int)
        Transposed convolution only: rows/columns added at the bottom/right.
    ceil_mode : bool
        Pooling only (PyTorch, ONNX): round the window count up.

    Returns
    -------
    FrameworkPadding
        ``pads`` and ``output_shape``, or ``refused`` with the reason.

    Examples
    --------
    >>> framework_padding("tensorflow", 6, 3, stride=2, padding="same").pads
    ((0, 1), (0, 1))
    >>> framework_padding("onnx", 6, 3, stride=2, padding="same_lower").pads
    ((1, 0), (1, 0))
    >>> framework_padding("pytorch", 6, 3, stride=2, padding="same").refused
    "padding='same' is not supported for strided convolutions"
    >>> framework_padding("pytorch", 4, 3, stride=2, padding=1, op="conv_transpose",
    ...                   output_padding=1).output_shape
    (8, 8)
    """
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {FRAMEWORKS}, got {framework!r}")
    if op not in OPS:
        raise ValueError(f"op must be one of {OPS}, got {op!r}")
    sizes = as_pair(input_size, "input_size")
    kernels = as_pair(kernel_size, "kernel_size")
    strides = as_pair(stride, "stride")
    dilations = as_pair(dilation, "dilation")
    rule = _rule(padding)
    out_pads = _non_negative_pair(output_padding, "output_padding")
    if out_pads != (0, 0) and op != "conv_transpose":
        raise ValueError(f"output_padding is for op='conv_transpose', got {output_padding!r}")
    if not isinstance(ceil_mode, bool):
        raise ValueError(f"ceil_mode must be True or False, got {ceil_mode!r}")
    if ceil_mode and op != "pool":
        raise ValueError(f"ceil_mode is for op='pool', got ceil_mode={ceil_mode!r}")
    try:
        if op == "conv":
            pads, note = _conv_pads(framework, rule, sizes, kernels, strides, dilations)
            out = tuple(
                conv_size(n, k, s, d, *p)
                for n, k, s, d, p in zip(sizes, kernels, strides, dilations, pads, strict=True)
            )
        elif op == "conv_transpose":
            pads, note = _transposed_pads(
                framework, rule, sizes, kernels, strides, dilations, out_pads
            )
            out = tuple(
                transposed_size(n, k, s, d, *p)
                for n, k, s, d, p in zip(sizes, kernels, strides, dilations, pads, strict=True)
            )
        else:
            pads, note = _pool_pads(framework, rule, sizes, kernels, strides, dilations, ceil_mode)
            out = tuple(
                conv_size(n, k, s, d, *p)
                for n, k, s, d, p in zip(sizes, kernels, strides, dilations, pads, strict=True)
            )
        if min(out) < 1 and framework == "pytorch":
            raise _Refusal(
                f"Calculated output size per channel: ({out[0]} x {out[1]}). "
                "Output size is too small"
            )
    except _Refusal as refusal:
        return FrameworkPadding(framework, op, None, None, str(refusal), refusal.note)
    return FrameworkPadding(framework, op, pads, out, None, note)


def _non_negative_pair(value: object, name: str) -> tuple[int, int]:
    if _is_int(value):
        value = (value, value)
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(_is_int(v) and v >= 0 for v in value)
    ):
        raise ValueError(f"{name} must be a non-negative int or (rows, cols), got {value!r}")
    return (int(value[0]), int(value[1]))
