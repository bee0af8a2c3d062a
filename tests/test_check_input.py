"""Bad answers get a ValueError naming the parameter; pasted text becomes an answer."""

import numpy as np
import pytest

import conv


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (np.zeros((3, 3, 1)), r"answer must have at most 2 dims .* got 3-D shape \(3, 3, 1\)"),
        (np.zeros((0, 3)), r"answer must not be empty, got shape \(0, 3\)"),
        ([["a", "b"]], "answer must hold real numbers"),
        ([[1.0, None, object()]], "answer must hold numbers"),
        ([[1.0, 2.0], [3.0]], "answer must be a rectangular array"),
        ([[1.0, np.inf]], r"answer must be finite .* at \(0, 1\)"),
        ([[np.nan, np.nan]], "answer must give at least one value"),
        ([[1 + 2j]], "answer must hold real numbers"),
    ],
)
def test_bad_answers_are_refused(exercise_2d, answer, message):
    x, k, _ = exercise_2d
    with pytest.raises(ValueError, match=message):
        conv.check_answer(answer, x, k)


@pytest.mark.parametrize("decimals", [-1, 16, 2.0, True, "2"])
def test_bad_decimals_are_refused(exercise_2d, decimals):
    x, k, published = exercise_2d
    with pytest.raises(
        ValueError, match=f"decimals must be None or an int in 0..15, got {decimals!r}"
    ):
        conv.check_answer(published, x, k, decimals=decimals)


def test_a_bad_problem_is_refused_as_conv2d_refuses_it(exercise_2d):
    x, k, published = exercise_2d
    with pytest.raises(ValueError, match="stride must be positive"):
        conv.check_answer(published, x, k, stride=0)


def test_one_dimensional_answer_is_row_zero(exercise_2d):
    x, k, published = exercise_2d
    report = conv.check_answer(published[0], x, k)
    assert report.answer.shape == (1, 3) and report.all_correct


def test_cells_beyond_the_output_are_wrong(exercise_2d):
    x, k, published = exercise_2d
    answer = np.full((3, 4), np.nan)
    answer[:, :3] = published
    answer[0, 3] = 1.0
    report = conv.check_answer(answer, x, k)
    assert report.wrong_cells == [(0, 3)] and not report.all_correct


def test_parse_answer_blanks_question_marks_and_separators():
    text = "0.9\t4.15\t\n7.74, ?, 0.74\n\n-1.6 −0.43 3.72\n"
    got = conv.parse_answer(text)
    want = np.array([[0.9, 4.15, np.nan], [7.74, np.nan, 0.74], [-1.6, -0.43, 3.72]])
    np.testing.assert_array_equal(got, want)


def test_parse_answer_reads_a_pasted_python_list(exercise_2d):
    x, k, published = exercise_2d
    text = "[[0.9, 4.15, 4.47],\n [7.74, 5.27, 0.74],\n [-1.6, -0.43, 3.72]]"
    np.testing.assert_array_equal(conv.parse_answer(text), published)
    assert conv.check_answer(conv.parse_answer(text), x, k).all_correct


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2\n3 5x", r"answer row 2, column 2: '5x' is not a number"),
        ("1,2\n3 4,5", r"answer row 2, column 1: '3 4' is not a number"),
        ("1 inf", r"answer row 1, column 2: 'inf' is not a finite number"),
        ("  \n ? ?", "text must hold at least one number"),
        ("", "text must hold at least one number"),
    ],
)
def test_parse_answer_names_the_bad_field(text, message):
    with pytest.raises(ValueError, match=message):
        conv.parse_answer(text)


def test_parse_answer_wants_text():
    with pytest.raises(ValueError, match="text must be a str, got bytes"):
        conv.parse_answer(b"1 2")
