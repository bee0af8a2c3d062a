"""Check a hand-computed convolution: which cells are wrong, and which mistake made them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from conv._conv2d import conv2d, prepare
from conv._diagnosis import Diagnosis, explain
from conv._geometry import IntPair, PaddingSpec, _is_int
from conv._mistakes import MISTAKES, Problem, computations

_UNROUNDED = 10  # inferred decimals at which values count as unrounded floats
_MAX_DIAGNOSES = 8


@dataclass(frozen=True, eq=False)
class AnswerReport:
    """The result of :func:`conv.check_answer`.

    Attributes
    ----------
    expected : numpy.ndarray
        The right output, ``(OH, OW)`` or ``(OH, OW, F)``.
    answer : numpy.ndarray
        The answer as float64, with the expected output's number of axes; NaN
        where no value was given. Its cell ``[i, j]`` is compared with
        ``expected[i, j]`` (a smaller answer is the expected output's top-left block).
    given : numpy.ndarray of bool
        Shaped like ``answer``: the cells with a value.
    correct : numpy.ndarray of bool
        Shaped like ``answer``: given cells within tolerance of the expected
        value. Cells beyond the expected output's shape are never correct.
    diagnoses : list of Diagnosis
        Best first; each mistake (or pair) at most once.
    decimals : int
        The rounding assumed for the answer (given, or inferred from its values).
    tolerance : float
        Half a unit in the last place of ``decimals``; a float error allowance
        is added per cell.
    """

    expected: np.ndarray
    answer: np.ndarray
    given: np.ndarray
    correct: np.ndarray
    diagnoses: list[Diagnosis]
    decimals: int
    tolerance: float

    @property
    def all_correct(self) -> bool:
        """Whether every given cell is right and the answer fits in the expected output."""
        return bool((self.correct == self.given).all())

    @property
    def wrong_cells(self) -> list[tuple[int, ...]]:
        """Given cells that are not right, in row-major order."""
        return [tuple(int(i) for i in c) for c in np.argwhere(self.given & ~self.correct)]


def _as_answer(answer: ArrayLike, out_shape: tuple[int, ...]) -> np.ndarray:
    """The answer as float64 with as many axes as the output; refuse what cannot be one."""
    try:
        a = np.asarray(answer)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"answer must be a rectangular array of numbers: {error}") from None
    if a.dtype.kind == "O":
        try:
            a = a.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"answer must hold numbers (NaN for cells not given), got {answer!r}"
            ) from None
    if a.dtype.kind not in "biuf":
        raise ValueError(
            f"answer must hold real numbers (NaN for cells not given), got dtype {a.dtype}"
        )
    if a.size == 0:
        raise ValueError(f"answer must not be empty, got shape {a.shape}")
    ndim = len(out_shape)
    if a.ndim > ndim or (ndim == 3 and a.ndim != 3):
        raise ValueError(
            f"answer must have {'at most 2' if ndim == 2 else '3'} dims for a {ndim}-D output "
            f"of shape {out_shape}, got {a.ndim}-D shape {a.shape}"
        )
    a = a.astype(np.float64).reshape((1,) * (ndim - a.ndim) + a.shape)
    if np.isinf(a).any():
        cell = tuple(int(i) for i in np.argwhere(np.isinf(a))[0])
        raise ValueError(f"answer must be finite (NaN for not given), got {a[cell]} at {cell}")
    if np.isnan(a).all():
        raise ValueError(f"answer must give at least one value, got only NaN in shape {a.shape}")
    return a


def cell_decimals(values: np.ndarray) -> np.ndarray:
    """Per value, the fewest decimals that write it exactly; 10 for unrounded floats."""
    needed = np.full(values.shape, _UNROUNDED)
    for d in range(_UNROUNDED - 1, -1, -1):
        scaled = values * 10.0**d
        needed[np.abs(scaled - np.rint(scaled)) <= 1e-6] = d
    return needed


def infer_decimals(values: np.ndarray) -> int:
    """The decimals most values are written with (the larger count on a tie).

    Not the maximum: one slip written with more digits must not make every
    other value look unrounded.

    Examples
    --------
    >>> infer_decimals(np.array([1.64, -3.22, 0.9, 5.0]))
    2
    >>> infer_decimals(np.array([3.0, -12.0, 0.5]))
    0
    """
    counts = np.bincount(cell_decimals(values).ravel(), minlength=_UNROUNDED + 1)
    return int(np.flatnonzero(counts == counts.max())[-1])


def _check_decimals(decimals: object) -> int | None:
    if decimals is None:
        return None
    if not _is_int(decimals) or not 0 <= decimals <= 15:
        raise ValueError(f"decimals must be None or an int in 0..15, got {decimals!r}")
    return int(decimals)


class _Candidate(NamedTuple):
    mistakes: tuple[str, ...]
    settings: dict
    values: np.ndarray
    mode: str  # how the answer's values are read against these: round, truncated, decimals
    matched: int
    slips: int
    shape_match: bool

    def key(self) -> tuple:
        explained = self.matched + self.slips
        order = tuple(MISTAKES.index(m) for m in self.mistakes)
        return (-explained, self.slips, not self.shape_match, len(self.mistakes), order)


def _block(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[slice, ...]:
    """The top-left block two shapes share."""
    return tuple(slice(0, min(m, n)) for m, n in zip(a, b, strict=True))


class _Comparer:
    """The answer and its tolerances, compared with one candidate output at a time."""

    def __init__(self, a3: np.ndarray, decimals: int | None, ndim: int):
        self.a3 = a3
        self.ndim = ndim  # the answer's own: cells are named without a filter axis for 2-D
        self.given = ~np.isnan(a3)
        self.n_given = int(self.given.sum())
        self.found = infer_decimals(a3[self.given])
        self.decimals = self.found if decimals is None else decimals
        # Each value is read to its own last digit, but at least to the usual
        # count: "0.9" among two-decimal values means 0.90.
        own = np.maximum(cell_decimals(np.nan_to_num(a3)), self.found)
        self.err = 1e-9 * (1 + np.abs(np.nan_to_num(a3)))
        asked = own if decimals is None else np.full(a3.shape, decimals)
        self.tol = {"round": self._tolerance(asked)}
        self.modes = {"round": ((), {})}
        if self.found < _UNROUNDED:
            self.unit = 10.0**-own
            settings = {"rounding": "truncated", "decimals": self.found}
            self.modes["truncated"] = (("rounding",), settings)
        if decimals is not None and self.found < decimals:
            self.tol["decimals"] = self._tolerance(own)
            settings = {"decimals": self.found, "asked": decimals}
            self.modes["decimals"] = (("rounding",), settings)

    def _tolerance(self, d: np.ndarray) -> np.ndarray:
        """Half a unit in each value's last place plus float error.

        Unrounded floats (pasted from another program) get float32 precision.
        """
        unrounded = np.maximum(1e-6 * (1 + np.abs(np.nan_to_num(self.a3))), self.err)
        rounded = 0.5 * 10.0 ** -np.minimum(d, _UNROUNDED) + self.err
        return np.where(d >= _UNROUNDED, unrounded, rounded)

    def mask(self, values: np.ndarray, mode: str) -> np.ndarray:
        """Answer-shaped: given cells these values reproduce when read in ``mode``."""
        block = _block(self.a3.shape, values.shape)
        a, v = self.a3[block], values[block]
        if mode == "truncated":
            diff = v - a
            ok = (diff * np.sign(v) >= -self.err[block]) & (
                np.abs(diff) < self.unit[block] + self.err[block]
            )
        else:
            ok = np.abs(a - v) <= self.tol[mode][block]
        out = np.zeros(self.a3.shape, dtype=bool)
        out[block] = ok
        return out

    def candidate(self, mistakes, settings, values, mode) -> _Candidate:
        block = _block(self.a3.shape, values.shape)
        a, v = self.a3[block], values[block]
        if mode == "truncated":
            matched = int(self.mask(values, mode).sum())
        else:
            matched = int((np.abs(a - v) <= self.tol[mode][block]).sum())
        shape = values.shape == self.a3.shape
        return _Candidate(mistakes, settings, values, mode, matched, 0, shape)

    def with_slips(self, c: _Candidate) -> _Candidate | None:
        """``c`` plus arithmetic slips, if only a few given cells inside its output differ."""
        wrong = self.n_given - c.matched
        if not 1 <= wrong <= self.n_given // 4:
            return None
        block = _block(self.a3.shape, c.values.shape)
        if int(self.given[block].sum()) != self.n_given:  # cells outside are no slips
            return None
        cells = self.cells(c)
        settings = {**c.settings, "wrong_cells": cells}
        return c._replace(mistakes=(*c.mistakes, "arithmetic"), settings=settings, slips=wrong)

    def cells(self, c: _Candidate) -> tuple[tuple[int, ...], ...]:
        wrong = self.given & ~self.mask(c.values, c.mode)
        return tuple(tuple(int(i) for i in cell[: self.ndim]) for cell in np.argwhere(wrong))


def _search(p: Problem, cmp: _Comparer) -> list[_Candidate]:
    """Candidates with up to two mistakes; pairs only when no single mistake fits."""
    bases: dict = {}
    found: list[_Candidate] = []
    pure: list[_Candidate] = []  # exactly one level below, without rounding or slips
    by_level: list[list[_Candidate]] = []
    for level in range(3):
        new = [
            cmp.candidate(mistakes, settings, values, "round")
            for mistakes, settings, values in computations(p, level, bases)
        ]
        if level:
            for c in by_level[-1]:
                if c.mode == "round" and not c.slips:
                    for mode, (extra, settings) in cmp.modes.items():
                        if mode != "round":
                            more, both = (*c.mistakes, *extra), {**c.settings, **settings}
                            new.append(cmp.candidate(more, both, c.values, mode))
            new += [s for c in pure if (s := cmp.with_slips(c)) is not None]
        by_level.append(new)
        found += new
        pure = [c for c in new if "arithmetic" not in c.mistakes]
        if level and any(c.matched == cmp.n_given for c in found if not c.slips):
            break
    return sorted(found, key=lambda c: c.key())


def _diagnoses(p: Problem, cmp: _Comparer, ranked: list[_Candidate], squeeze) -> list[Diagnosis]:
    out = []
    seen = set()
    best = ranked[0]
    if best.matched + best.slips < cmp.n_given:
        # Its sentence counts the values that are right, not what the closest mistake matches.
        right = next((c.matched for c in ranked if not c.mistakes), 0)
        text = explain(("unexplained",), {}, p, right, cmp.n_given, (), ())
        out.append(Diagnosis("unexplained", text, right, cmp.n_given, {}, ("unexplained",)))
    for c in ranked:
        explained = c.matched + c.slips
        if c.mistakes in seen or explained == 0 or 2 * explained < best.matched + best.slips:
            continue
        seen.add(c.mistakes)
        # Ties matter only for a full explanation: partial ones tie by the dozen.
        ties = _ties(cmp, ranked, c) if explained == cmp.n_given else ()
        cells = cmp.cells(c)
        matched = c.matched
        mistakes = c.mistakes or ("correct",)
        text = explain(c.mistakes, c.settings, p, matched, cmp.n_given, cells, ties)
        out.append(
            Diagnosis(
                mistakes[0],
                text,
                matched,
                cmp.n_given,
                dict(c.settings),
                c.mistakes,
                cells,
                ties,
                squeeze(c.values),
            )
        )
        if len(out) >= _MAX_DIAGNOSES:
            break
    return out


def _ties(cmp: _Comparer, ranked: list[_Candidate], c: _Candidate) -> tuple[str, ...]:
    """Other mistakes that reproduce exactly the same given cells as ``c``, named once each."""
    key = c.key()[:3]
    most = max(len(c.mistakes), 1)
    mask = None
    names: list[str] = []
    for other in ranked:
        if other.key()[:3] != key or other.mode != c.mode:
            continue
        if other.mistakes == c.mistakes or len(other.mistakes) > most:
            continue
        name = "+".join(other.mistakes) or "correct"
        if name in names:
            continue
        mask = cmp.mask(c.values, c.mode) if mask is None else mask
        if (cmp.mask(other.values, other.mode) == mask).all():
            names.append(name)
    return tuple(names)


def check_answer(
    answer: ArrayLike,
    x: ArrayLike,
    kernel: ArrayLike,
    *,
    stride: IntPair = 1,
    padding: PaddingSpec = "valid",
    dilation: IntPair = 1,
    pad_mode: str = "zeros",
    flip: bool = False,
    decimals: int | None = None,
) -> AnswerReport:
    """Mark the wrong cells of a hand-computed :func:`conv.conv2d` result and say why.

    The answer is compared with the right output and with the outputs of the
    mistakes in :data:`conv.MISTAKES` (alone, then in pairs when no single
    one fits). The diagnoses are ranked by how many given cells they
    reproduce, then by fewer slips, an output of the answer's exact shape
    and fewer mistakes.

    Parameters
    ----------
    answer : array_like
        The values computed by hand; NaN marks a cell not given. A 1-D answer
        is row 0. An answer smaller than the output is compared as its
        top-left block; an answer of another shape is evidence in itself (a
        stride-1 answer to a stride-2 problem has the stride-1 shape).
    x, kernel, stride, padding, dilation, pad_mode, flip
        The problem, as for :func:`conv.conv2d`.
    decimals : int, optional
        The rounding the answer was asked for. ``None`` infers it from the
        answer's values. A cell is right within half a unit in that last
        place, plus float error.

    Returns
    -------
    AnswerReport

    Raises
    ------
    ValueError
        For a bad problem (as :func:`conv.conv2d`), an answer with more
        dims than the output, an empty answer, non-numbers or infinity,
        or ``decimals`` not None or an int in 0..15.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(123)
    >>> x = rng.normal(size=(33, 33, 3)).round(2)
    >>> kernel = rng.normal(size=(5, 5, 3)).round(2)
    >>> report = check_answer([[1.64, -3.22, -2.44, 5.48]], x, kernel, stride=2)
    >>> report.all_correct, report.diagnoses[0].mistake
    (True, 'correct')
    >>> flipped = conv2d(x, kernel, stride=2, flip=True).round(2)
    >>> report = check_answer(flipped, x, kernel, stride=2)
    >>> report.diagnoses[0].mistake, report.diagnoses[0].matched
    ('flipped-kernel', 225)
    >>> print(report.diagnoses[0].explanation)
    Your values are what you get with the kernel rotated 180° (true convolution), but a CNN
    layer does not flip it.
    """
    x3, _, strides, pads, dilations = prepare(x, kernel, stride, padding, dilation, pad_mode, flip)
    decimals = _check_decimals(decimals)
    # float64 throughout: float32 error could pass for a student's slip.
    x = np.asarray(x, dtype=np.float64)
    k = np.asarray(kernel, dtype=np.float64)
    expected = conv2d(
        x, k, stride=stride, padding=padding, dilation=dilation, pad_mode=pad_mode, flip=flip
    )
    problem = Problem(
        x3.astype(np.float64),
        k.reshape((*k.shape[:2], x3.shape[2], -1)),
        k.ndim,
        strides,
        padding,
        pads,
        dilations,
        pad_mode,
        bool(flip),
    )
    a = _as_answer(answer, expected.shape)
    a3 = a if a.ndim == 3 else a[..., None]
    cmp = _Comparer(a3, decimals, a.ndim)
    ranked = _search(problem, cmp)

    def squeeze(values: np.ndarray) -> np.ndarray:
        return values if expected.ndim == 3 else values[..., 0]

    e3 = expected if expected.ndim == 3 else expected[..., None]
    correct = cmp.mask(e3.astype(np.float64), "round")
    return AnswerReport(
        expected,
        a,
        cmp.given.reshape(a.shape),
        correct.reshape(a.shape),
        _diagnoses(problem, cmp, ranked, squeeze),
        cmp.decimals,
        0.5 * 10.0 ** -min(cmp.decimals, _UNROUNDED),
    )
