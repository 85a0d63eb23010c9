"""The grade table (``grades.csv``) and per-student feedback (``feedback/<student>.md``).

``grades.csv`` is UTF-8 with every field quoted, so pandas and spreadsheets
read it the same way; text cells that a spreadsheet would take for a formula
(``= + - @``, tab, carriage return) get a leading apostrophe.

Feedback is student-facing: scores, status, and each test's ``feedback``
text (already student-safe per ``Spec.hidden_feedback``), never ``detail``.
Student-derived text is fenced as code so it cannot format the page.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from gradekit.model import QuestionResult, Spec, Status, SubmissionResult

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FIXED_BEFORE = ["student", "submission", "status", "reason"]
FIXED_AFTER = ["auto_total", "auto_max", "manual_total", "manual_max", "total", "max", "integrity"]


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would evaluate as a formula, defused with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unsafe_cell(value: str) -> str:
    """Inverse of :func:`safe_cell` for text read back from a sheet we wrote."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def number(x: float | None) -> str:
    return "" if x is None else f"{x:.6g}"


def grade_columns(spec: Spec) -> list[str]:
    return FIXED_BEFORE + [q.name for q in spec.questions] + FIXED_AFTER


def question_scores(spec: Spec, result: SubmissionResult,
                    manual_points: dict[str, float]) -> dict[str, float | None]:
    """Score per question; None where unknown (not graded, or not yet marked by hand)."""
    by_name: dict[str, QuestionResult] = {q.name: q for q in result.questions}
    scores: dict[str, float | None] = {}
    for q in spec.questions:
        if q.manual:
            scores[q.name] = manual_points.get(q.name)
        else:
            scores[q.name] = by_name[q.name].score if q.name in by_name else None
    return scores


def grade_row(spec: Spec, result: SubmissionResult, manual_points: dict[str, float]) -> dict:
    scores = question_scores(spec, result, manual_points)
    auto = sum(s or 0.0 for q, s in scores.items() if not spec.question(q).manual)
    marked = [s for q, s in scores.items() if spec.question(q).manual and s is not None]
    manual_total = sum(marked) if marked else None
    auto_max = sum(q.points for q in spec.autograded)
    manual_max = sum(q.points for q in spec.manual)
    row = {
        "student": result.student,
        "submission": result.submission,
        "status": result.status.value,
        "reason": result.reason,
        **{q: number(s) for q, s in scores.items()},
        "auto_total": number(auto),
        "auto_max": number(auto_max),
        "manual_total": number(manual_total),
        "manual_max": number(manual_max),
        "total": number(auto + (manual_total or 0.0)),
        "max": number(auto_max + manual_max),
        "integrity": "; ".join(result.integrity),
    }
    return {k: safe_cell(v) for k, v in row.items()}


def write_grades_csv(path: Path, spec: Spec, results: list[SubmissionResult],
                     manual_points: dict[str, dict[str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=grade_columns(spec), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        for r in results:
            writer.writerow(grade_row(spec, r, manual_points.get(r.submission, {})))
    tmp.replace(path)


def fenced(text: str) -> str:
    """``text`` as a Markdown code block that no backticks inside can close."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def _test_line(t) -> str:
    kind = "hidden" if t.hidden else "public"
    mark = "passed" if t.passed else "failed"
    head = f"- {t.name} ({kind}): {mark}, {number(t.points)} / {number(t.max_points)}"
    if t.passed or not t.feedback:
        return head
    return head + "\n\n" + "\n".join("  " + line for line in fenced(t.feedback).splitlines())


def feedback_markdown(spec: Spec, result: SubmissionResult, manual_points: dict[str, float]) -> str:
    scores = question_scores(spec, result, manual_points)
    by_name = {q.name: q for q in result.questions}
    auto_max = sum(q.points for q in spec.autograded)
    lines = [f"# {spec.assignment}: feedback for {result.student}", "",
             f"Submission: `{result.submission}`  ",
             f"Autograded score: {number(result.score)} / {number(auto_max)}"]
    if result.status is not Status.OK:
        lines += ["", f"**Status: {result.status.value}.**", "", fenced(result.reason)]
    for q in spec.questions:
        score = scores[q.name]
        if q.manual:
            shown = "to be graded by hand" if score is None else f"{number(score)} / {number(q.points)} (graded by hand)"
            lines += ["", f"## {q.name}: {shown}"]
            continue
        lines += ["", f"## {q.name}: {number(score or 0.0)} / {number(q.points)}"]
        if q.name not in by_name:
            lines.append("Not graded (see the status above).")
        lines += [_test_line(t) for t in by_name[q.name].tests] if q.name in by_name else []
    return "\n".join(lines) + "\n"


def feedback_path(out_dir: Path, result: SubmissionResult) -> Path:
    return out_dir / "feedback" / f"{result.student}.md"


def write_feedback(out_dir: Path, spec: Spec, results: list[SubmissionResult],
                   manual_points: dict[str, dict[str, float]]) -> None:
    for r in results:
        path = feedback_path(out_dir, r)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feedback_markdown(spec, r, manual_points.get(r.submission, {})),
                        encoding="utf-8")
