"""conv.check_answer: wrong answers made here, independently, must be diagnosed as made.

Every mistaken answer is computed with the loop reference (tests/reference.py)
and plain numpy flips, transposes and slices; nothing here calls the
catalogue in conv/_mistakes.py.
"""

import numpy as np
import pytest
from reference import padding_amounts, reference_conv2d

import conv

PADDINGS = ("valid", "same", "full", 1, (1, 0), ((0, 1), (1, 0)))


def problem(seed):
    """A small random problem: 2-D or multi-channel, strides 1-3, every padding form."""
    rng = np.random.default_rng(seed)
    c = int(rng.integers(1, 4))
    h, w = (int(v) for v in rng.integers(6, 10, size=2))
    kh, kw = (int(v) for v in rng.integers(2, 4, size=2))
    x = rng.normal(size=(h, w, c)).round(2)
    k = rng.normal(size=(kh, kw, c)).round(2)
    if c == 1 and rng.random() < 0.5:
        x, k = x[..., 0], k[..., 0]
    settings = {
        "stride": int(rng.integers(1, 4)),
        "padding": PADDINGS[int(rng.integers(len(PADDINGS)))],
        "pad_mode": ("zeros", "reflect")[int(rng.integers(2))],
        "flip": bool(rng.random() < 0.2),
    }
    return rng, x, k, settings


def ref(x, k, **settings):
    return reference_conv2d(x, k, **settings)


def make_mistake(mistake, rng, x, k, s):
    """The answer a student makes with ``mistake``; None when it does not apply."""
    c = x.shape[2] if x.ndim == 3 else 1
    if mistake == "correct":
        return ref(x, k, **s)
    if mistake == "flipped-kernel":
        return ref(x, k, **{**s, "flip": not s["flip"]})
    if mistake == "stride":
        if s["stride"] > 1 and rng.random() < 0.5:  # right stride, first window offset
            one = ref(x, k, **{**s, "stride": 1, "padding": pads_of(x, k, s)})
            o = int(rng.integers(1, s["stride"]))
            return None if one is None else one[o :: s["stride"], :: s["stride"]]
        other = [v for v in (1, 2, 3) if v != s["stride"]]
        return ref(x, k, **{**s, "stride": int(rng.choice(other))})
    if mistake == "padding":
        own = pads_of(x, k, s)
        others = [
            p for p in PADDINGS if padding_amounts(x.shape[:2], k.shape[:2], **ps(s, p)) != own
        ]
        return ref(x, k, **{**s, "padding": others[int(rng.integers(len(others)))]})
    if mistake == "dilation":
        return ref(x, k, **{**s, "dilation": 2})
    if mistake == "transposed-kernel":
        return None if k.shape[0] == k.shape[1] == 1 else ref(x, k.swapaxes(0, 1), **s)
    if mistake == "transposed-output":
        out = ref(x, k, **s)
        return None if out is None else out.T
    if mistake == "channels-first":
        if c == 1:
            return None
        h, w = x.shape[:2]
        return ref(x.reshape(c, h, w).transpose(1, 2, 0), k, **s)
    if mistake == "channel-subset":
        if c == 1:
            return None
        keep = [int(rng.integers(c))]
        return ref(x[..., keep], k[:, :, keep], **s)
    raise AssertionError(mistake)


def pads_of(x, k, s):
    return padding_amounts(x.shape[:2], k.shape[:2], s["stride"], s["padding"], 1)


def ps(s, padding):
    return {"stride": s["stride"], "padding": padding, "dilation": 1}


def rounded(values, decimals):
    return np.round(values, decimals)


COMPUTED = (
    "correct",
    "flipped-kernel",
    "stride",
    "padding",
    "dilation",
    "transposed-kernel",
    "transposed-output",
    "channels-first",
    "channel-subset",
)


def assert_first(report, mistakes):
    top = report.diagnoses[0]
    named = "+".join(mistakes) or "correct"
    assert top.mistakes == mistakes or named in top.indistinguishable, (
        mistakes,
        [(d.mistakes, d.matched, d.given, d.indistinguishable) for d in report.diagnoses[:4]],
    )


@pytest.mark.parametrize("mistake", COMPUTED)
def test_each_mistake_is_ranked_first(mistake):
    checked = 0
    for seed in range(60):
        rng, x, k, s = problem(seed)
        right = ref(x, k, **s)
        wrong = make_mistake(mistake, rng, x, k, s)
        if right is None or wrong is None:
            continue
        decimals = int(rng.integers(0, 4))
        answer = rounded(wrong, decimals)
        same_shape = answer.shape == right.shape
        if mistake != "correct" and same_shape and np.allclose(answer, rounded(right, decimals)):
            continue  # the mistake changes nothing here
        report = conv.check_answer(answer, x, k, **s)
        assert_first(report, () if mistake == "correct" else (mistake,))
        checked += 1
        if checked == 12:
            break
    assert checked >= 6


def test_right_answers_come_back_all_correct():
    for seed in range(8):
        _, x, k, s = problem(seed)
        right = ref(x, k, **s)
        if right is None:
            continue
        report = conv.check_answer(right.round(3), x, k, **s)
        assert report.all_correct and report.correct.all()
        assert report.diagnoses[0].mistakes == ()
        assert report.diagnoses[0].matched == right.size
        np.testing.assert_allclose(report.expected, right, atol=1e-12)


def test_truncated_values_are_a_rounding_mistake():
    for seed in range(6):
        _, x, k, s = problem(seed)
        right = ref(x, k, **s)
        if right is None:
            continue
        truncated = np.trunc(right * 100) / 100
        report = conv.check_answer(truncated, x, k, **s)
        expected = () if np.allclose(truncated, right.round(2)) else ("rounding",)
        assert_first(report, expected)
        if expected:
            assert report.diagnoses[0].settings["rounding"] == "truncated"
            assert "truncated" in report.diagnoses[0].explanation


def test_fewer_decimals_than_asked_is_a_rounding_mistake(exercise_2d):
    x, k, published = exercise_2d
    report = conv.check_answer(published.round(1), x, k, decimals=2)
    top = report.diagnoses[0]
    assert top.mistakes == ("rounding",) and top.settings["decimals"] == 1
    assert not report.all_correct


def test_a_slip_is_arithmetic_with_the_cell_named():
    for seed in range(6):
        rng, x, k, s = problem(seed)
        right = ref(x, k, **s)
        if right is None or right.size < 8:
            continue
        answer = right.round(2)
        cell = tuple(int(rng.integers(n)) for n in answer.shape)
        answer[cell] += 1.3
        report = conv.check_answer(answer, x, k, **s)
        top = report.diagnoses[0]
        assert top.mistakes == ("arithmetic",)
        assert top.cells == (cell,) and report.wrong_cells == [cell]
        assert str(cell) in top.explanation


@pytest.mark.parametrize(
    ("first", "second"),
    [("flipped-kernel", "stride"), ("flipped-kernel", "transposed-output"), ("stride", "padding")],
)
def test_two_mistakes_are_found_together(first, second):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(9, 8, 2)).round(2)
    k = rng.normal(size=(3, 2, 2)).round(2)
    s = {"stride": 2, "padding": "same", "pad_mode": "zeros", "flip": False}
    wrong = {
        ("flipped-kernel", "stride"): lambda: ref(x, k, **{**s, "flip": True, "stride": 1}),
        ("flipped-kernel", "transposed-output"): lambda: ref(x, k, **{**s, "flip": True}).T,
        ("stride", "padding"): lambda: ref(x, k, **{**s, "stride": 1, "padding": "valid"}),
    }[first, second]()
    report = conv.check_answer(wrong.round(2), x, k, **s)
    assert set(report.diagnoses[0].mistakes) == {first, second}


def test_partial_answers_one_row_and_scattered_cells():
    rng, x, k, s = problem(3)
    right = ref(x, k, **s)
    row = right[:1].round(2)
    report = conv.check_answer(row, x, k, **s)
    assert report.all_correct and report.given.shape == row.shape
    scattered = right.round(2)
    hidden = rng.random(right.shape) < 0.5
    scattered[hidden] = np.nan
    flipped = ref(x, k, **{**s, "flip": not s["flip"]}).round(2)
    flipped[hidden] = np.nan
    report = conv.check_answer(scattered, x, k, **s)
    assert report.all_correct and (report.given == ~hidden).all()
    assert report.diagnoses[0].given == int((~hidden).sum())
    report = conv.check_answer(flipped, x, k, **s)
    assert report.diagnoses[0].mistakes == ("flipped-kernel",)


def test_a_symmetric_kernel_makes_flipping_indistinguishable(exercise_2d):
    x, _, _ = exercise_2d
    k = np.array([[1.0, 2.0, 1.0], [0.0, 3.0, 0.0], [1.0, 2.0, 1.0]])
    answer = ref(x, k, flip=True).round(2)
    report = conv.check_answer(answer, x, k)
    top = report.diagnoses[0]
    assert top.mistakes == () and "flipped-kernel" in top.indistinguishable
    assert "cannot tell" in top.explanation


def test_filter_bank_answers_are_three_dimensional():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(7, 7, 2)).round(2)
    k = rng.normal(size=(3, 3, 2, 2)).round(2)
    report = conv.check_answer(ref(x, k, flip=True).round(2), x, k)
    assert report.diagnoses[0].mistakes == ("flipped-kernel",)
    with pytest.raises(ValueError, match="answer must have 3 dims"):
        conv.check_answer(np.zeros((5, 5)), x, k)


# The exercise from the project's brief.


def test_exercise_2d_published_answer_is_correct(exercise_2d):
    x, k, published = exercise_2d
    report = conv.check_answer(published, x, k)
    assert report.all_correct and report.decimals == 2
    assert report.diagnoses[0].mistake == "correct"


def test_exercise_3d_published_row_start_is_accepted(exercise_3d):
    x, k, start = exercise_3d
    report = conv.check_answer([start.tolist()], x, k, stride=2)
    assert report.all_correct and report.given.sum() == 4
    assert report.expected.shape == (15, 15)
    assert report.diagnoses[0].mistake == "correct"


def test_exercise_3d_flipped_and_stride_one_answers(exercise_3d):
    x, k, _ = exercise_3d
    flipped = ref(x, k, stride=2, flip=True).round(2)
    report = conv.check_answer(flipped, x, k, stride=2)
    assert report.diagnoses[0].mistake == "flipped-kernel"
    assert report.diagnoses[0].matched == 225
    stride_one = ref(x, k, stride=1).round(2)
    assert stride_one.shape == (29, 29)
    report = conv.check_answer(stride_one, x, k, stride=2)
    assert report.diagnoses[0].mistake == "stride"
    assert report.diagnoses[0].settings["stride"] == (1, 1)
    assert not report.all_correct


def test_an_unexplained_answer_counts_the_values_that_are_right():
    """The closest mistake (a flipped kernel) matches half the cells; only one is right."""
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=(6, 6)).round(2), rng.normal(size=(3, 3)).round(2)
    right = reference_conv2d(x, k).reshape(4, 4)
    answer = reference_conv2d(x, k, flip=True).reshape(4, 4).round(2)
    answer.flat[[0, 3, 5, 6, 10, 12, 15]] = [99, 7, -50, 9, 33, 8, 21]  # no mistake gives these
    answer[2, 1] = right[2, 1].round(2)
    n_right = int(np.sum(np.abs(answer - right) <= 0.005 + 1e-9))
    assert n_right == 1  # the setup, from the loop reference alone
    top = conv.check_answer(answer, x, k).diagnoses[0]
    assert top.mistake == "unexplained"
    assert top.matched == n_right
    assert top.explanation.startswith(f"{n_right} of your 16 values is right")
