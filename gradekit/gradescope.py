"""Platform entry point: grade the one submission of a Gradescope-style layout.

The autograder zip's ``run_autograder`` calls ``python -m gradekit gradescope
--root /autograder``. The layout under the root is::

    source/       the unzipped autograder zip (spec read with gradekit.model.load_spec)
    submission/   the student's upload: an .ipynb or export .zip, maybe in sub-folders
    results/      we write results.json here

The submission is graded by the same engine as ``make grade``
(:func:`gradekit.grade.grade_submission`), so scores agree. One Gradescope
test per test case: public tests are ``visible``, hidden ones
``after_published``; outputs carry only student-safe feedback. Written
(manually graded) questions are left out: they are graded on the platform.
"""

from __future__ import annotations

import argparse
import os
import traceback
from pathlib import Path

from gradekit.model import Spec, Status, SubmissionResult, load_spec, write_json_atomic
from gradekit.report_csv import number

SUFFIXES = (".ipynb", ".zip")


def find_submission(folder: Path, notebook: str) -> Path | None:
    """The upload to grade: the notebook by its released name, else any .ipynb,
    else a .zip; shallower files first (uploads of a whole folder nest it)."""
    files = sorted((p for p in Path(folder).rglob("*")
                    if p.is_file() and p.suffix.lower() in SUFFIXES
                    and not any(part.startswith(".") or part == "__MACOSX"
                                for part in p.relative_to(folder).parts)),
                   key=lambda p: (len(p.relative_to(folder).parts), str(p)))
    for choose in (lambda p: p.name == notebook, lambda p: p.suffix.lower() == ".ipynb",
                   lambda p: True):
        found = [p for p in files if choose(p)]
        if found:
            return found[0]
    return None


def gradescope_tests(spec: Spec, result: SubmissionResult) -> list[dict]:
    """Gradescope ``tests``: one per test case, plus an entry where a question's
    score differs from the sum of its tests (all-or-nothing, forbidden calls)
    or where the question was not graded at all."""
    entries = []
    by_name = {q.name: q for q in result.questions}
    for q in spec.autograded:
        qr = by_name.get(q.name)
        if qr is None:
            entries.append({"name": f"{q.name}: not graded", "score": 0.0, "max_score": q.points,
                            "visibility": "visible",
                            "output": f"Not graded: {result.status.value}. {result.reason}".strip()})
            continue
        for t in qr.tests:
            entries.append({
                "name": t.name, "score": t.points, "max_score": t.max_points,
                "visibility": "after_published" if t.hidden else "visible",
                "output": "passed" if t.passed else (t.feedback or "failed"),
            })
        adjustment = qr.score - sum(t.points for t in qr.tests)
        if abs(adjustment) > 1e-9:
            entries.append({"name": f"{q.name}: question total", "score": adjustment,
                            "max_score": 0.0, "visibility": "visible",
                            "output": f"{q.name} scores {number(qr.score)} in total "
                                      "(all-or-nothing or a forbidden call)."})
    return entries


def results_json(spec: Spec, result: SubmissionResult) -> dict:
    output = f"Autograded score: {number(result.score)} / " \
             f"{number(sum(q.points for q in spec.autograded))}."
    if result.status is not Status.OK:
        output += f" Grading status: {result.status.value}: {result.reason}"
    if result.integrity:
        output += " Locked cells were edited or deleted; staff will review this submission."
    return {"score": result.score, "output": output, "tests": gradescope_tests(spec, result),
            "stdout_visibility": "hidden"}


def failure_json(spec: Spec, message: str) -> dict:
    """results.json when there is nothing to grade or the engine itself failed."""
    failed = SubmissionResult("", "", spec.assignment, Status.ERROR, message)
    return results_json(spec, failed)


def protect_source(source: Path) -> None:
    """Close the unzipped autograder (spec, hidden tests) to other users.

    Gradescope runs us as root; the student's kernel runs under another uid
    (gradekit.sandbox), which then cannot read anything under ``source``.
    """
    if os.geteuid() == 0:
        os.chmod(source, 0o700)


def grade_layout(root: Path) -> dict:
    protect_source(root / "source")
    spec, support = load_spec(root / "source")
    upload = find_submission(root / "submission", spec.notebook)
    if upload is None:
        return failure_json(spec, f"no .ipynb or .zip found in your submission "
                                  f"(expected {spec.notebook})")
    from gradekit.grade import grade_submission  # the engine; heavy imports

    try:
        result = grade_submission(spec, support, upload, root=root / "submission")
    except Exception:  # noqa: BLE001 - the student must still get a results.json
        traceback.print_exc()  # stdout is hidden from students; staff see it
        return failure_json(spec, "the autograder failed on this submission; staff have the details")
    return results_json(spec, result)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m gradekit gradescope", description=__doc__.split("\n")[0])
    p.add_argument("--root", type=Path, default=Path("/autograder"))
    args = p.parse_args(argv)
    write_json_atomic(args.root / "results" / "results.json", grade_layout(args.root))
    return 0
