"""Grade table, feedback files, item statistics and report.html, from in-memory results."""

import math

import numpy as np
import pandas as pd
import pytest

from gradekit import report, report_csv
from gradekit.model import (Question, QuestionResult, Spec, Status, SubmissionResult,
                            TestResult as Outcome)
from gradekit.model import TestCase as Case


def toy_spec() -> Spec:
    q1 = Question("q1", 2.0, tests=(Case("q1 - 1", "", 1.0, False), Case("q1 - 2", "", 1.0, True)))
    q2 = Question("q2", 1.0, tests=(Case("q2 - 1", "", 1.0, True),))
    return Spec("toy", "toy.ipynb", (q1, q2, Question("w1", 3.0, manual=True)), ())


def result(student: str, passes: tuple[bool, bool, bool], status=Status.OK, reason="") -> SubmissionResult:
    t = [Outcome(n, h, float(p), 1.0, p, "" if p else "hint: flipped kernel", "SECRET detail")
         for (n, h), p in zip([("q1 - 1", False), ("q1 - 2", True), ("q2 - 1", True)], passes)]
    return SubmissionResult(
        submission=f"{student}.ipynb", student=student, assignment="toy", status=status,
        reason=reason,
        questions=[QuestionResult("q1", t[0].points + t[1].points, 2.0, tests=t[:2]),
                   QuestionResult("q2", t[2].points, 1.0, tests=t[2:]),
                   QuestionResult("w1", 0.0, 3.0, manual=True)],
        timings={"batch_wall_s": 1.0 + sum(passes)},
    )


def sample() -> list[SubmissionResult]:
    return [result("alice", (True, True, True)), result("bob", (True, False, False)),
            result("=cmd|'/c calc'!A1", (True, True, False)),
            SubmissionResult("broken.ipynb", "broken", "toy", Status.INVALID, "not valid JSON")]


def test_point_biserial_equals_pearson_correlation():
    rng = np.random.default_rng(0)
    passed = list(rng.random(30) < 0.5)
    scores = list(rng.normal(size=30) + np.array(passed))
    expected = np.corrcoef(np.array(passed, float), scores)[0, 1]
    assert math.isclose(report.point_biserial(passed, scores), expected, rel_tol=1e-12)
    assert report.point_biserial([True, True], [1.0, 2.0]) is None  # no variance in the item


def test_grades_csv_opens_in_pandas_with_defused_formulas(tmp_path):
    spec = toy_spec()
    path = tmp_path / "grades.csv"
    report_csv.write_grades_csv(path, spec, sample(), {"alice.ipynb": {"w1": 2.5}})
    df = pd.read_csv(path, dtype={"student": str})
    assert list(df["student"]) == ["alice", "bob", "'=cmd|'/c calc'!A1", "broken"]
    alice = df.iloc[0]
    assert (alice["q1"], alice["q2"], alice["w1"]) == (2.0, 1.0, 2.5)
    assert (alice["auto_total"], alice["total"], alice["max"]) == (3.0, 5.5, 6.0)
    assert math.isnan(df.iloc[1]["w1"])  # not marked by hand yet
    assert math.isnan(df.iloc[3]["q1"])  # never graded: unknown, not zero
    assert df.iloc[3]["status"] == "invalid" and df.iloc[3]["reason"] == "not valid JSON"


def test_feedback_shows_hints_never_details():
    text = report_csv.feedback_markdown(toy_spec(), result("bob", (True, False, False)), {})
    assert "hint: flipped kernel" in text and "SECRET" not in text
    assert "## q1: 1 / 2" in text and "w1: to be graded by hand" in text


def test_feedback_fences_student_text_with_backticks():
    block = report_csv.fenced("x ``` y")
    assert block.startswith("````text\n") and block.endswith("\n````")


def test_item_statistics():
    spec, results = toy_spec(), sample()
    qs = {s.name: s for s in report.question_stats(spec, results, {})}
    assert qs["q1"].n == 3 and qs["q1"].mean == pytest.approx((1 + 0.5 + 1) / 3)
    assert qs["q1"].full_marks_rate == pytest.approx(2 / 3)
    assert qs["w1"].n == 0 and qs["w1"].mean is None
    ts = {s.name: s for s in report.test_stats(spec, results)}
    assert ts["q1 - 1"].pass_rate == 1.0 and ts["q1 - 1"].discrimination is None
    assert ts["q1 - 2"].pass_rate == pytest.approx(2 / 3) and ts["q1 - 2"].discrimination > 0


def test_report_html_is_self_contained_and_escaped(tmp_path):
    report.write_outputs(tmp_path, toy_spec(), sample(), {})
    page = (tmp_path / "report.html").read_text()
    assert "data:image/png;base64,iVBOR" in page  # the embedded histogram
    assert "<td>not valid JSON</td>" in page  # failed submissions listed with reason
    assert "=cmd|&#x27;/c calc&#x27;!A1" in page
    assert page.index("alice") < page.index("Submissions not graded")  # slowest table
    assert (tmp_path / "feedback" / "bob.md").exists()
    assert (tmp_path / "grades.csv").exists()
