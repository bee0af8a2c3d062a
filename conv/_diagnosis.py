"""One diagnosis of a hand-computed answer, and the plain sentence that states it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from conv._mistakes import Problem


@dataclass(frozen=True, eq=False)
class Diagnosis:
    """One explanation of an answer, as found by :func:`conv.check_answer`.

    Attributes
    ----------
    mistake : str
        One of :data:`conv.MISTAKES`: the first of ``mistakes``.
    explanation : str
        One plain sentence saying what was done and, where useful, what is right.
    matched : int
        How many given cells this computation reproduces (for ``"arithmetic"``,
        all but the slips).
    given : int
        How many cells the answer gives (not NaN).
    settings : dict
        What reproduces the answer: the :func:`conv.conv2d` arguments that
        differ from the problem's (``stride``, ``padding``, ``dilation``,
        ``flip``) and, where no argument says it, ``offset`` (row, col) of
        the first window, ``kernel``/``x`` (``"transposed"``, ``"read as
        channels-first"``, ``"written channels-first"``), ``channels`` (the
        channel indices summed), ``output`` (``"transposed"``), ``rounding``
        (``"truncated"``) with ``decimals``, and for slips ``wrong_cells``.
    mistakes : tuple of str
        All mistakes combined here: empty for ``"correct"``, one or two.
    cells : tuple of tuple of int
        Given cells (answer indices) this computation does not reproduce;
        for ``"arithmetic"`` the cells with slips.
    indistinguishable : tuple of str
        Other mistakes (``"a+b"`` for a pair) that give the same numbers on the
        given cells, so the answer cannot tell them apart from this one.
    values : numpy.ndarray
        The output of this computation, shaped like the expected output
        (unrounded; for a transposed output, transposed).
    """

    mistake: str
    explanation: str
    matched: int
    given: int
    settings: dict
    mistakes: tuple[str, ...] = ()
    cells: tuple[tuple[int, ...], ...] = ()
    indistinguishable: tuple[str, ...] = ()
    values: np.ndarray | None = None


def _pair(v: tuple[int, int]) -> str:
    return str(v[0]) if v[0] == v[1] else f"({v[0]}, {v[1]})"


def _padding_words(padding: object) -> str:
    if isinstance(padding, str):
        return f'"{padding}"'
    if isinstance(padding, int):
        padding = ((padding,) * 2,) * 2
    elif isinstance(padding[0], int):
        padding = ((padding[0],) * 2, (padding[1],) * 2)
    (t, b), (left, r) = padding
    if t == b == left == r:
        return f"{t} on every side" if t else "none"
    if t == b and left == r:
        return f"{_plural(t, 'row')} above and below, {_plural(left, 'column')} left and right"
    return f"top {t}, bottom {b}, left {left}, right {r}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _clause(mistake: str, settings: dict, p: Problem) -> str:
    """What the answer did instead, as a phrase after "with"."""
    if mistake == "flipped-kernel":
        if p.flip:
            return (
                "the kernel not rotated 180° (cross-correlation, as a CNN layer computes), "
                "but this problem asks for true convolution"
            )
        return "the kernel rotated 180° (true convolution), but a CNN layer does not flip it"
    if mistake == "stride":
        if "offset" in settings:
            r, c = settings["offset"]
            return (
                f"the right stride but the first window {_plural(r, 'row')} down and "
                f"{_plural(c, 'column')} right of the top-left corner"
            )
        return f"stride {_pair(settings['stride'])} instead of {_pair(p.stride)}"
    if mistake == "padding":
        return (
            f"padding {_padding_words(settings['padding'])} instead of {_padding_words(p.padding)}"
        )
    if mistake == "dilation":
        return f"dilation {_pair(settings['dilation'])} instead of {_pair(p.dilation)}"
    if mistake == "transposed-kernel":
        return "the kernel transposed (its rows and columns swapped)"
    if mistake == "transposed-output":
        return "the output transposed (its rows written as columns)"
    if mistake == "channels-first":
        which, how = ("input", settings["x"]) if "x" in settings else ("kernel", settings["kernel"])
        first = {
            "input": "(C, H, W)",
            "kernel": "(F, C, KH, KW)" if p.kernel_ndim == 4 else "(C, KH, KW)",
        }[which]
        if how == "read as channels-first":
            return f"the {which}'s numbers read in {first} order although they are channels-last"
        return f"the {which}'s numbers laid out in {first} order, then read as channels-last"
    if mistake == "channel-subset":
        keep = settings["channels"]
        if settings["channels_summed"] == "only":
            return f"only channel {keep[0]} summed instead of all {p.x3.shape[2]} channels"
        (left_out,) = set(range(p.x3.shape[2])) - set(keep)
        return f"channel {left_out} left out of the sum over channels"
    if mistake == "rounding":
        d = settings["decimals"]
        if settings.get("rounding") == "truncated":
            return f"the values truncated to {_plural(d, 'decimal')} instead of rounded"
        return f"the values rounded to {_plural(d, 'decimal')}, not {settings['asked']}"
    raise AssertionError(mistake)


def _slips_words(n: int) -> str:
    return "holds a slip in the arithmetic" if n == 1 else "hold slips in the arithmetic"


def _cells_words(cells: tuple[tuple[int, ...], ...]) -> str:
    named = ", ".join(str(c) for c in cells[:6])
    more = f" and {len(cells) - 6} more" if len(cells) > 6 else ""
    return ("cell " if len(cells) == 1 else "cells ") + named + more


def explain(
    mistakes: tuple[str, ...],
    settings: dict,
    p: Problem,
    matched: int,
    given: int,
    cells: tuple[tuple[int, ...], ...],
    indistinguishable: tuple[str, ...],
) -> str:
    """The sentence for one diagnosis."""
    computed = [m for m in mistakes if m != "arithmetic"]
    slips = len(cells) if "arithmetic" in mistakes else 0
    some = f"{matched} of your {given} values"
    if mistakes == ("unexplained",):
        text = (
            f"{some} {'is' if matched == 1 else 'are'} right, and no mistake in the catalogue, "
            "alone or with another, reproduces the others"
        )
    elif not computed and slips:
        text = f"{some} are right; {_cells_words(cells)} {_slips_words(slips)}"
    elif not computed:
        text = f"All {given} given values are right" if matched == given else f"{some} are right"
    else:
        clauses = [_clause(m, settings, p) for m in computed]
        lead = "Your values are" if matched + slips == given else f"{some} are"
        text = f"{lead} what you get with " + "; and with ".join(clauses)
        if slips:
            text += f", apart from {_cells_words(cells)}, which {_slips_words(slips)}"
    if indistinguishable:
        others = " or ".join(f'"{m}"' for m in indistinguishable)
        text += (
            f"; with this problem {others} gives the same numbers on the cells you gave, "
            "so the answer cannot tell them apart"
        )
    return text + "."
