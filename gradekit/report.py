"""Everything a batch run writes besides the result JSONs, and the item statistics.

:func:`write_outputs` rebuilds ``grades.csv``, ``feedback/`` and
``report.html`` from the results (so a resumed or re-merged run always
agrees with the JSONs on disk). The statistics here are plain functions over
results; :mod:`gradekit.report_html` only lays them out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from gradekit import report_csv, report_html
from gradekit.model import Spec, Status, SubmissionResult


@dataclass(frozen=True)
class QuestionStat:
    name: str
    max_points: float
    manual: bool
    n: int  # submissions with a known score for this question
    mean: float | None  # mean score as a fraction of max_points
    full_marks_rate: float | None


@dataclass(frozen=True)
class TestStat:
    name: str
    question: str
    hidden: bool
    n: int
    pass_rate: float
    discrimination: float | None  # point-biserial vs. the rest of the autograded score


def point_biserial(passed: list[bool], scores: list[float]) -> float | None:
    """Correlation of a 0/1 item with a score; None when either does not vary."""
    n = len(scores)
    if n < 2 or len(passed) != n:
        return None
    mean = sum(scores) / n
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / n)
    p = sum(passed) / n
    if sd == 0.0 or p in (0.0, 1.0):
        return None
    m1 = sum(s for s, ok in zip(scores, passed) if ok) / sum(passed)
    m0 = sum(s for s, ok in zip(scores, passed) if not ok) / (n - sum(passed))
    return (m1 - m0) / sd * math.sqrt(p * (1 - p))


def question_stats(spec: Spec, results: list[SubmissionResult],
                   manual_points: dict[str, dict[str, float]]) -> list[QuestionStat]:
    stats = []
    for q in spec.questions:
        known = [s for r in results
                 if (s := report_csv.question_scores(spec, r, manual_points.get(r.submission, {}))[q.name])
                 is not None]
        frac = [s / q.points for s in known] if q.points else []
        stats.append(QuestionStat(
            q.name, q.points, q.manual, len(known),
            sum(frac) / len(frac) if frac else None,
            sum(f >= 1.0 - 1e-9 for f in frac) / len(frac) if frac else None,
        ))
    return stats


def test_stats(spec: Spec, results: list[SubmissionResult]) -> list[TestStat]:
    """Pass rate and discrimination of each test, over submissions that ran it.

    Discrimination correlates passing the test with the autograded score
    *without* that test's points (the corrected item-total correlation), so a
    test does not look discriminating merely because it counts in the total.
    """
    stats = []
    for q in spec.autograded:
        for case in q.tests:
            passed, rest = [], []
            for r in results:
                t = next((t for qr in r.questions if qr.name == q.name
                          for t in qr.tests if t.name == case.name), None)
                if t is not None:
                    passed.append(t.passed)
                    rest.append(r.score - t.points)
            if passed:
                stats.append(TestStat(case.name, q.name, case.hidden, len(passed),
                                      sum(passed) / len(passed), point_biserial(passed, rest)))
    return stats


def wall_time(r: SubmissionResult) -> float:
    return r.timings.get("batch_wall_s", r.timings.get("total", 0.0))


def slowest(results: list[SubmissionResult], k: int = 10) -> list[SubmissionResult]:
    return sorted(results, key=wall_time, reverse=True)[:k]


def failed(results: list[SubmissionResult]) -> list[SubmissionResult]:
    return [r for r in results if r.status is not Status.OK]


def write_outputs(out_dir: Path, spec: Spec, results: list[SubmissionResult],
                  manual_points: dict[str, dict[str, float]]) -> None:
    """Write grades.csv, feedback/<student>.md and report.html under ``out_dir``."""
    out_dir = Path(out_dir)
    report_csv.write_grades_csv(out_dir / "grades.csv", spec, results, manual_points)
    report_csv.write_feedback(out_dir, spec, results, manual_points)
    page = report_html.render_report(
        spec, results, manual_points,
        question_stats(spec, results, manual_points), test_stats(spec, results),
        slowest(results), failed(results),
    )
    (out_dir / "report.html").write_text(page, encoding="utf-8")
