"""The Check my answer page under streamlit.testing.v1.AppTest.

Answers are made from the exercise's published numbers or the loop
reference, never from ``conv``; the page is read through what it shows
(alerts, captions, markdown, the answer figure) and the URL it writes.
"""

import json
import random
import re
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from apptest import APP, plotly_array
from reference import reference_conv2d
from streamlit.testing.v1 import AppTest
from test_app_fuzz import random_link, step

from conv.app import limits
from conv.app.settings import Settings

CHECK = "conv/app/pages/check.py"


def open_check(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(CHECK)
    at.run()
    assert not at.exception, at.exception
    return at


def paste(at: AppTest, text: str) -> AppTest:
    at.text_area(key="answer_text").input(text)
    next(b for b in at.button if b.label == "Check").click().run()
    assert not at.exception, at.exception
    return at


def rows(values: np.ndarray) -> str:
    return "\n".join(" ".join(f"{v:.2f}" for v in row) for row in values)


def verdict(at: AppTest) -> str:
    """The one success or error alert of the verdict."""
    alerts = [a.value for a in (*at.success, *at.error)]
    assert len(alerts) == 1, alerts
    return alerts[0]


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def answer_drawn(at: AppTest) -> np.ndarray:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id and "answer_chart" in c.proto.id)
    spec = json.loads(chart.proto.spec)
    heatmap = next(t for t in spec["data"] if t["type"] == "heatmap")
    ys, xs = plotly_array(heatmap["y"]), plotly_array(heatmap["x"])
    return plotly_array(heatmap["z"]).reshape(len(ys), len(xs))


def outlined(at: AppTest) -> set[tuple[int, int]]:
    """Cells the answer figure outlines as wrong (centres of the 'wrong' squares)."""
    chart = next(c for c in at.get("plotly_chart") if "answer_chart" in c.proto.id)
    spec = json.loads(chart.proto.spec)
    trace = next(t for t in spec["data"] if t.get("name") == "wrong")
    xs = [np.nan if v is None else v for v in trace["x"]]
    ys = [np.nan if v is None else v for v in trace["y"]]
    xs = plotly_array(xs) if not isinstance(trace["x"], dict) else plotly_array(trace["x"])
    ys = plotly_array(ys) if not isinstance(trace["y"], dict) else plotly_array(trace["y"])
    squares = zip(xs.reshape(-1, 6), ys.reshape(-1, 6), strict=True)
    return {(round(float(np.nanmean(y[:4]))), round(float(np.nanmean(x[:4])))) for x, y in squares}


def test_the_published_exercise_answers_are_right(exercise_2d, exercise_3d):
    *_, published = exercise_2d
    at = paste(open_check(example="seed-2d"), rows(published))
    assert verdict(at).startswith("**Right.**") and "All 9 given values are right" in verdict(at)
    assert "9 of the 9 values you gave match" in captions(at)
    # The 3-D exercise publishes only the start of row 0: a partial answer.
    x, k, first_row = exercise_3d
    at = paste(open_check(example="seed-3d"), " ".join(map(str, first_row)))
    assert verdict(at).startswith("**Right.**")
    assert "your answer is 1 × 4, the output 15 × 15" in captions(at)
    full = reference_conv2d(x, k, stride=2).round(2)
    at = paste(at, rows(full))
    assert "All 225 given values are right" in verdict(at)
    assert not outlined(at)


def test_a_flipped_kernel_answer_is_diagnosed_in_a_sentence(exercise_3d):
    x, k, _ = exercise_3d
    flipped = reference_conv2d(x, k[::-1, ::-1], stride=2).round(2)
    at = paste(open_check(example="seed-3d"), rows(flipped))
    text = verdict(at)
    assert "kernel rotated 180° (true convolution)" in text
    assert "Diagnosis **flipped-kernel**: it reproduces 225 of 225" in captions(at)
    right = np.abs(flipped - reference_conv2d(x, k, stride=2)) <= 0.005 + 1e-9
    assert text.startswith(f"**{int((~right).sum())} of 225 values are wrong.**")
    assert outlined(at) == {tuple(map(int, c)) for c in np.argwhere(~right)}


def test_blanks_and_question_marks_are_cells_not_given(exercise_2d):
    *_, published = exercise_2d
    text = "0.90 ? 4.47\n7.74,,0.74\n-1.60\t\t3.72"
    at = paste(open_check(example="seed-2d"), text)
    assert "All 6 given values are right" in verdict(at)
    drawn = answer_drawn(at)
    assert np.isnan(drawn[:, 1]).all()
    # Heatmaps go to the browser as float32.
    np.testing.assert_allclose(drawn[:, [0, 2]], published[:, [0, 2]], rtol=1e-6)
    # A wrong value among the blanks is the one cell named and outlined.
    at = paste(at, "0.90 ? 4.47\n7.74,,0.75\n?")
    assert verdict(at).startswith("**1 of 4 values is wrong.**")
    assert outlined(at) == {(1, 2)}


def test_an_uploaded_csv_answer_is_checked(exercise_2d):
    *_, published = exercise_2d
    csv = "\n".join(",".join(f"{v:.2f}" for v in row) for row in published).encode()
    at = open_check(example="seed-2d")
    at.file_uploader(key="answer_file").set_value(("mine.csv", csv, "text/csv"))
    next(b for b in at.button if b.label == "Check").click().run()
    assert not at.exception
    assert "All 9 given values are right" in verdict(at)
    assert "Checking **mine.csv**" in captions(at)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0.9 4.15 4.47\n7.74 five 0.74", "answer row 2, column 2: 'five' is not a number"),
        ("1, 2\n3, inf", "answer row 2, column 2: 'inf' is not a finite number"),
        ("? ?\n?", "must hold at least one number"),
    ],
)
def test_a_bad_paste_names_row_and_column_and_checks_nothing(text, words):
    at = paste(open_check(example="seed-2d"), text)
    assert [e.value for e in at.error] == [words] or words in at.error[0].value
    assert not at.success and not any(s.value == "Verdict" for s in at.subheader)


def test_an_absurd_answer_and_a_huge_problem_are_refused_with_their_numbers():
    at = paste(open_check(example="seed-2d"), "\n".join(["1 " * 300] * 300))
    assert "300 rows × 300 columns = 90,000 cells" in at.error[0].value
    assert f"{limits.MAX_ANSWER_CELLS:,}" in at.error[0].value
    at = paste(at, "1 " * 300_000)
    assert "600,000 characters long" in at.error[0].value
    at = open_check(source="generate", shape="120x120", kshape="3x3")
    message = at.warning[0].value
    assert "13,924 cells" in message and f"{limits.MAX_CHECK_CELLS:,}" in message
    assert not at.text_area  # no answer box for a problem that will not be checked
    at = open_check(example="seed-3d", stride="17,2")
    assert "stride 17, 2" in at.warning[0].value
    assert f"strides up to {limits.MAX_CHECK_STRIDE}" in at.warning[0].value


def tokens(values: np.ndarray) -> list[str]:
    return sorted({f"{v:.2f}" for v in values.ravel()} - {"-0.00"})


def leaked(text: str, values: list[str]) -> list[str]:
    """Which of ``values`` appear in ``text`` as whole numbers (not inside longer ones)."""
    return [v for v in values if re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", text)]


def elements(node):
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from elements(child)


def test_a_teacher_link_carries_and_shows_no_output_value():
    at = open_check(example="seed-2d")
    at.text_input(key="t.shape").input("7x7")
    at.text_input(key="t.kshape").input("3x3")
    at.number_input(key="t.stride").set_value(2)
    at.selectbox(key="t.padding").set_value("1")
    at.selectbox(key="t.values").set_value("normal-2")
    at.number_input(key="t.seed").set_value(2024)
    next(b for b in at.button if b.label == "Make the exercise").click().run()
    assert not at.exception
    link = at.code[0].value
    path, query = urlsplit(link).path, dict(parse_qsl(urlsplit(link).query))
    assert path.endswith("check") and query["seed"] == "2024" and query["shape"] == "7x7"
    # The problem, drawn independently of the app: input then filter from one generator.
    rng = np.random.default_rng(2024)
    x = rng.normal(size=(7, 7)).round(2)
    k = rng.normal(size=(3, 3)).round(2)
    out = reference_conv2d(x, k, stride=2, padding=((1, 1), (1, 1)))
    assert out.shape == (4, 4)
    secret = tokens(out)
    assert not leaked(link, secret)

    student = open_check(**query)
    assert student.query_params["seed"] in ("2024", ["2024"])  # the URL written back
    assert not leaked(json.dumps(dict(student.query_params)), secret)
    # Heatmaps go to the browser as float32: compare at that precision.
    allowed = {float(np.float32(v)) for v in (*x.ravel(), *k.ravel(), 0.0)}
    for element in elements(student._tree):
        if element.type == "plotly_chart":
            spec = json.loads(element.proto.spec)
            for trace in spec["data"]:
                if trace["type"] == "heatmap":
                    z = plotly_array(trace["z"])
                    assert set(z[~np.isnan(z)].ravel()) <= allowed  # input and filter only
        else:
            assert not leaked(str(element.proto), secret), element.type
    at = paste(student, rows(out.round(2)))
    assert "All 16 given values are right" in verdict(at)


def test_the_first_wrong_cell_links_to_the_convolve_page_on_that_cell(exercise_2d):
    *_, published = exercise_2d
    slipped = published.copy()
    slipped[1, 2] += 1
    slipped[2, 0] -= 1
    at = paste(open_check(example="seed-2d", stride="1"), rows(slipped))
    line = next(m.value for m in at.markdown if m.value.startswith("Wrong:"))
    assert line.startswith("Wrong: (1, 2), (2, 0).")
    href = re.search(r"\]\((\./\?[^)]*)\)", line).group(1)
    query = dict(parse_qsl(urlsplit(href).query))
    assert urlsplit(href).path == "./" and query["cell"] == "1,2"
    settings, problems = Settings.from_query(query)
    assert not problems and settings.example == "seed-2d" and settings.cell == (1, 2)
    convolve = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        convolve.query_params[key] = value
    convolve.run()
    assert not convolve.exception
    assert any(s.value == "Explain output cell (1, 2)" for s in convolve.subheader)


def test_one_filter_of_a_bank_is_checked_at_a_time():
    at = open_check(example="seed-2d", filter="preset", preset="sobel-x,sobel-y")
    x = np.array(
        [
            [0.15, 0.71, 0.26, -0.11, -2.03],
            [0.13, 0.44, -0.11, -0.23, 0.19],
            [-1.44, 0.51, 0.42, 2.58, -0.88],
            [-1.18, 2.73, 2.35, 0.21, -0.29],
            [-1.64, -0.37, 0.27, 0.57, 1.82],
        ]
    )
    sobel_y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    at.text_area(key="answer_text").input(rows(reference_conv2d(x, sobel_y).round(2)))
    at.number_input(key="answer_f").set_value(1)
    next(b for b in at.button if b.label == "Check").click().run()
    assert "All 9 given values are right" in verdict(at)
    at.number_input(key="answer_f").set_value(0)
    next(b for b in at.button if b.label == "Check").click().run()
    assert verdict(at).startswith("**")
    assert "Right." not in verdict(at)


@pytest.mark.parametrize("walk", range(6))
def test_random_pastes_and_settings_on_the_check_page_never_crash(walk):
    rng = random.Random(1000 + walk)
    at = open_check(**random_link(rng))
    for _ in range(rng.randint(3, 6)):
        if at.text_area and rng.random() < 0.5:
            shape = (rng.randint(1, 6), rng.randint(1, 6))
            cells = [
                rng.choice(["?", "", "x", f"{rng.gauss(0, 3):.{rng.randint(0, 3)}f}"])
                if rng.random() < 0.2
                else f"{rng.gauss(0, 3):.2f}"
                for _ in range(shape[0] * shape[1])
            ]
            sep = rng.choice([" ", ",", "\t"])
            lines = [sep.join(cells[i * shape[1] : (i + 1) * shape[1]]) for i in range(shape[0])]
            paste(at, "\n".join(lines))
        else:
            step(at, rng)
        assert not at.exception, [e.message for e in at.exception]
        if any(s.value == "Verdict" for s in at.subheader):
            text = verdict(at)
            assert text.startswith("**Right.**") or " wrong.**" in text
            assert any("answer_chart" in c.proto.id for c in at.get("plotly_chart"))
