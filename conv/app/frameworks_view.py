"""The Convolve page's framework section: the user's layer in PyTorch, TensorFlow, Keras, JAX, ONNX.

A table of how each framework pads the layer (its rule asked in its own
spelling, from :func:`conv.framework_padding`), rows that disagree with the
page highlighted, what each says when it refuses, which can pad as the page
does when the pad mode is not zeros, and code for each
(:func:`conv.app.framework_code.framework_code`). Shapes and text only: no
array work, so nothing here needs a budget beyond the page's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

import conv
from conv.app import layouts
from conv.app.framework_code import framework_code
from conv.app.result import Result

__all__ = ["PAD_MODE_SUPPORT", "TABS", "Row", "code_for", "rows", "show"]

NAMES = {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "keras": "Keras", "jax": "JAX",
         "onnx": "ONNX"}  # fmt: skip
#: Code tabs: title -> framework_code target.
TABS = {
    "PyTorch module": "pytorch",
    "PyTorch functional": "pytorch-functional",
    "TensorFlow": "tensorflow",
    "Keras": "keras",
    "JAX": "jax",
    "ONNX": "onnx",
}
#: How each framework pads with a mode other than zeros; None: it has no such mode.
PAD_MODE_SUPPORT = {
    "reflect": {
        "pytorch": "nn.Conv2d(padding_mode='reflect'), or F.pad(mode='reflect') first",
        "tensorflow": "tf.pad(mode='REFLECT') first, then padding='VALID'",
        "keras": "no layer pads so; tf.pad(mode='REFLECT') before a 'valid' Conv2D",
        "jax": "jnp.pad(mode='reflect') first, then padding='VALID'",
        "onnx": "a Pad node with mode='reflect' before the Conv",
    },
    "replicate": {
        "pytorch": "nn.Conv2d(padding_mode='replicate'), or F.pad(mode='replicate') first",
        "tensorflow": None,
        "keras": None,
        "jax": "jnp.pad(mode='edge') first, then padding='VALID'",
        "onnx": "a Pad node with mode='edge' before the Conv",
    },
    "circular": {
        "pytorch": "nn.Conv2d(padding_mode='circular'), or F.pad(mode='circular') first",
        "tensorflow": None,
        "keras": None,
        "jax": "jnp.pad(mode='wrap') first, then padding='VALID'",
        "onnx": "a Pad node with mode='wrap' (opset 19 and later) before the Conv",
    },
}
_NO_MODE = {  # why the frameworks marked None above cannot
    "tensorflow": "tf.pad has only CONSTANT, REFLECT and SYMMETRIC (SYMMETRIC repeats the edge "
    "only for 1-pixel pads)",
    "keras": "its layers pad only with zeros (ZeroPadding2D), and tf.pad has no such mode",
}


@dataclass(frozen=True)
class Row:
    """One framework's answer for the page's layer.

    ``pads`` and ``output`` are None when the framework refuses; ``agrees``
    compares both with the page's own result.
    """

    name: str
    asked: str
    pads: tuple[tuple[int, int], tuple[int, int]] | None
    output: tuple[int, int] | None
    refused: str | None
    note: str
    agrees: bool


def _asked(framework: str, rule: object) -> str:
    """The padding argument as the framework spells it."""
    if isinstance(rule, str):
        if framework == "onnx":
            return f'auto_pad="{"SAME_UPPER" if rule == "same" else rule.upper()}"'
        if framework in ("tensorflow", "jax"):
            return f'padding="{rule.upper()}"'
        return f'padding="{rule}"'
    (t, b), (left, r) = rule
    return {
        "pytorch": f"padding=({t}, {left})" if (t, left) == (b, r) else f"padding={rule}",
        "tensorflow": f"padding=[[0, 0], [{t}, {b}], [{left}, {r}], [0, 0]]",
        "keras": f"padding={rule}",
        "jax": f"padding=[({t}, {b}), ({left}, {r})]",
        "onnx": f"pads=[{t}, {left}, {b}, {r}]",
    }[framework]


def rows(res: Result) -> list[Row]:
    """Each framework's padding of ``res``'s layer; ONNX twice for "same" (UPPER, LOWER)."""
    s = res.settings
    padding = s.padding_arg
    if padding == "full":  # no framework has the rule; each is asked the explicit amounts
        padding = res.pads
    asks = [(f, padding) for f in conv.FRAMEWORKS if f != "onnx" or padding != "same"]
    if padding == "same":
        asks += [("onnx", "same_upper"), ("onnx", "same_lower")]
    out = []
    for framework, rule in asks:
        answer = conv.framework_padding(
            framework, res.x.shape[:2], res.kernel.shape[:2], stride=s.stride,
            dilation=s.dilation, padding=rule,
        )  # fmt: skip
        name = NAMES[framework] + (
            f" {rule.upper()}" if rule in ("same_upper", "same_lower") else ""
        )
        agrees = answer.pads == res.pads and answer.output_shape == res.out.shape[:2]
        out.append(Row(name, _asked(framework, rule), answer.pads, answer.output_shape,
                       answer.refused, answer.note, agrees))  # fmt: skip
    return out


def _frame(table: list[Row]) -> pd.DataFrame:
    records = []
    for row in table:
        (t, b), (left, r) = row.pads or ((None, None), (None, None))
        if row.refused:
            output, verdict = f"refused: {row.refused}", "refused"
        else:
            output = "×".join(map(str, row.output))
            verdict = "✓\u00a0agrees" if row.agrees else "✗\u00a0differs"  # kept on one line
        records.append({
            "framework": row.name, "top": t, "bottom": b, "left": left, "right": r,
            "output": output, "vs page": verdict, "asked as": row.asked,
        })  # fmt: skip
    return pd.DataFrame(records)


def _highlight(frame: pd.DataFrame):
    """Rows that disagree with the page, in the warning colour; refusals muted."""
    colours = {"✗\u00a0differs": "background-color: rgba(255, 75, 75, 0.18)",
               "refused": "background-color: rgba(250, 202, 43, 0.18)"}  # fmt: skip
    return frame.style.apply(
        lambda row: [colours.get(row["vs page"], "")] * len(row), axis=1
    ).format(precision=0, na_rep="—")


def code_for(res: Result, target: str) -> str:
    """A script computing the page's output in ``target``, from the downloaded ``.npy`` files."""
    s = res.settings
    code = framework_code(
        target, res.x.shape, res.kernel.shape, stride=s.stride, padding=s.padding_arg,
        dilation=s.dilation, pad_mode=s.pad_mode,
    )  # fmt: skip
    if not s.flip:
        return code
    # Frameworks cross-correlate; the page's true convolution used the kernel turned 180°.
    lines = code.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("k = ")) + 1
    flip = "k = np.ascontiguousarray(k[::-1, ::-1])  # true convolution: the kernel turned 180°\n"
    return "".join([*lines[:at], flip, *lines[at:]])


def _layout_note(res: Result) -> str | None:
    s = res.settings
    moved = []
    if s.source == "upload" and s.x_layout == "CHW":
        moved.append(f"the input was read as {layouts.LABELS['CHW']}")
    if s.kernel_source == "upload" and s.k_layout == "OIHW":
        moved.append(f"the filter was read as {layouts.LABELS['OIHW']}")
    if not moved:
        return None
    return (
        f"Layouts: {' and '.join(moved)}, then moved to channels-last: input "
        f"{layouts.shape_text(res.x.shape)}, filter {layouts.shape_text(res.kernel.shape)}. "
        "The figures, downloads and code below describe the arrays in that order."
    )


#: Session key of the section's open state (tests open it with it).
OPEN = "frameworks_open"


def show(res: Result) -> None:
    """The framework section, collapsed, and a note when uploads were moved to channels-last."""
    note = _layout_note(res)
    if note:
        st.caption(note)
    # Drawn only while open: its table and six highlighted code blocks cost a
    # first paint about half a second in the browser (bench_paint.py).
    box = st.expander(
        "Frameworks: this layer in PyTorch, TensorFlow, Keras, JAX and ONNX",
        key=OPEN, on_change="rerun",
    )  # fmt: skip
    if not box.open:
        return
    with box:
        table = rows(res)
        differ = [r.name for r in table if not r.agrees]
        st.markdown(
            "How each framework pads this layer when asked for the page's padding in its own "
            "spelling (pads in rows/columns added; output rows × columns)."
            + (f" **Differ from this page or refuse:** {', '.join(differ)}." if differ else
               " **All agree with this page.**")
        )  # fmt: skip
        frame = _frame(table)
        st.table(_highlight(frame).hide(axis="index"))
        said = [f"- **{r.name}**: {r.note}" for r in table if r.note]
        if said:
            st.markdown("\n".join(said))
        _pad_modes(res.settings.pad_mode)
        _code(res)


def _pad_modes(mode: str) -> None:
    if mode == "zeros":
        return
    support = PAD_MODE_SUPPORT[mode]
    cannot = [NAMES[f] for f, how in support.items() if how is None]
    lines = [f"**Pad mode {mode}:** "
             + (f"{' and '.join(cannot)} cannot pad this way." if cannot
                else "every framework can pad this way.")]  # fmt: skip
    for framework, how in support.items():
        lines.append(f"- {NAMES[framework]}: {how or 'cannot: ' + _NO_MODE[framework]}")
    st.markdown("\n".join(lines))


def _code(res: Result) -> None:
    st.markdown("**Code** computing this page's output, from the input and filter downloads:")
    if res.settings.pad_mode != "zeros":
        st.caption(
            f"Exported code covers zero padding only; this layer pads with "
            f"{res.settings.pad_mode} (see above for how each framework would)."
        )
        return
    for tab, target in zip(st.tabs(list(TABS)), TABS.values(), strict=True):
        tab.code(code_for(res, target), language="python")
    st.caption(
        "Each script reads input.npy and filter.npy (the downloads below, channels-last: "
        "H×W×C and KH×KW×C×F), writes every layout move out, and leaves `out` shaped as "
        "this page's output, in float32."
    )
