"""``python -m gradekit mutants``: grade the mutant corpus, print the kill matrix.

The corpus (``tests/mutants/<assignment>/*.py``) holds realistic wrong and
right implementations of single answers (header format: :mod:`gradekit.mutate`).
Each becomes one submission: the solution notebook with that answer
substituted. All are graded in one batch by the real engine
(:func:`gradekit.batch.grade_all`, worker subprocesses, default jobs).

A *wrong* mutant is killed when it scores below the maximum on its
question; a *right* variant must keep full marks on every autograded
question with status ``ok``. Exit code 1 if any mutant survives or any right
variant loses points.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gradekit.model import Spec, Status, SubmissionResult, load_spec
from gradekit.mutate import parse_header, substitute_function

HEADER_KEYS = ("replaces", "expect", "question", "why")
EXPECTATIONS = ("wrong", "right")


@dataclass(frozen=True)
class Mutant:
    name: str  # file stem, unique within an assignment
    assignment: str  # the corpus folder name
    replaces: str
    expect: str  # "wrong" | "right"
    question: str
    why: str
    code: str


def read_mutant(path: Path) -> Mutant:
    """One corpus file; ValueError naming the file if its header is incomplete."""
    code = path.read_text(encoding="utf-8")
    header = parse_header(code)
    missing = [k for k in HEADER_KEYS if not header.get(k)]
    if missing:
        raise ValueError(f"{path}: header lacks {', '.join(missing)}")
    if header["expect"] not in EXPECTATIONS:
        raise ValueError(f"{path}: expect must be wrong or right, not {header['expect']!r}")
    return Mutant(path.stem, path.parent.name, header["replaces"], header["expect"],
                  header["question"], header["why"], code)


def load_corpus(corpus_dir: Path, assignment: str) -> list[Mutant]:
    """Every mutant of one assignment, sorted by file name."""
    return [read_mutant(p) for p in sorted((Path(corpus_dir) / assignment).glob("*.py"))]


def write_submissions(mutants: list[Mutant], solution: dict, folder: Path) -> None:
    """``<folder>/<mutant>.ipynb`` for each mutant: the solution with its answer swapped."""
    folder.mkdir(parents=True, exist_ok=True)
    for mutant in mutants:
        notebook = substitute_function(solution, mutant.code)
        (folder / f"{mutant.name}.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")


# ------------------------------------------------------------------ verdicts


def question_scores(result: SubmissionResult) -> dict[str, tuple[float, float]]:
    return {q.name: (q.score, q.max_score) for q in result.questions if not q.manual}


def problems(mutant: Mutant, spec: Spec, result: SubmissionResult) -> list[str]:
    """Why this mutant's grading is a grading bug (empty list: it is not)."""
    names = {q.name for q in spec.autograded}
    if mutant.question not in names:
        return [f"{mutant.name}: question {mutant.question!r} is not an autograded question"]
    scores = question_scores(result)
    if mutant.expect == "wrong":
        score, top = scores.get(mutant.question, (0.0, 1.0))
        return [f"{mutant.name}: SURVIVED with {score:g}/{top:g} on {mutant.question} "
                f"({mutant.why})"] if score >= top else []
    found = []
    if result.status is not Status.OK:
        found.append(f"{mutant.name}: right variant has status {result.status.value}: {result.reason}")
    for q in spec.autograded:
        score, top = scores.get(q.name, (0.0, q.points))
        if score < top:
            found.append(f"{mutant.name}: right variant lost points on {q.name}: {score:g}/{top:g}")
    return found


def cell_text(mutant: Mutant, question: str, scores: dict[str, tuple[float, float]]) -> str:
    """``score/max``, flagged ``!`` when the cell shows a grading bug."""
    if question not in scores:
        return "-"
    score, top = scores[question]
    bad = (mutant.expect == "wrong" and question == mutant.question and score >= top) or \
          (mutant.expect == "right" and score < top)
    return f"{score:g}/{top:g}" + ("!" if bad else "")


def kill_matrix(spec: Spec, mutants: list[Mutant], results: dict[str, SubmissionResult]) -> str:
    """The matrix as text: one row per mutant, one column per autograded question.

    The target question of a wrong mutant is bracketed; ``!`` marks a wrong
    mutant that survived or a right variant that lost points.
    """
    questions = [q.name for q in spec.autograded]
    rows = [["mutant", "expect", *questions, "status"]]
    for mutant in mutants:
        result = results[mutant.name]
        scores = question_scores(result)
        cells = []
        for q in questions:
            text = cell_text(mutant, q, scores)
            cells.append(f"[{text}]" if mutant.expect == "wrong" and q == mutant.question else text)
        rows.append([mutant.name, mutant.expect, *cells, result.status.value])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def totals(spec: Spec, mutants: list[Mutant], results: dict[str, SubmissionResult]) -> str:
    wrong = [m for m in mutants if m.expect == "wrong"]
    right = [m for m in mutants if m.expect == "right"]
    killed = sum(not problems(m, spec, results[m.name]) for m in wrong)
    full = sum(not problems(m, spec, results[m.name]) for m in right)
    return (f"{spec.assignment}: killed {killed}/{len(wrong)} wrong mutants; "
            f"{full}/{len(right)} right variants kept full marks")


# ------------------------------------------------------------------ running


def grade_mutants(zip_path: Path, solution_path: Path, mutants: list[Mutant],
                  work_dir: Path, jobs: int) -> tuple[Spec, dict[str, SubmissionResult]]:
    """Grade every mutant as a submission in one batch; results keyed by mutant name."""
    from gradekit import batch  # the engine; imported late so `--help` stays light

    spec, _ = load_spec(zip_path)
    solution = json.loads(Path(solution_path).read_text(encoding="utf-8"))
    subs_dir = work_dir / "submissions"
    write_submissions(mutants, solution, subs_dir)
    settings = batch.Settings(Path(zip_path), subs_dir, work_dir / "out", jobs, force=True)
    subs = batch.find_submissions(subs_dir)
    by_rel = batch.grade_all(settings, spec, subs)
    return spec, {Path(rel).stem: result for rel, result in by_rel.items()}


def run_assignment(project: Path, name: str, corpus: Path, jobs: int, work_dir: Path) -> list[str]:
    """Print one assignment's matrix and totals; return the grading bugs found."""
    mutants = load_corpus(corpus, name)
    zip_path = project / "autograder" / name / f"{name}-autograder.zip"
    solution = project / "solutions" / name / f"{name}.ipynb"
    for needed in (zip_path, solution):
        if not needed.exists():
            raise SystemExit(f"error: {needed} not found: run `make release` first")
    spec, results = grade_mutants(zip_path, solution, mutants, work_dir / name, jobs)
    print(kill_matrix(spec, mutants, results))
    print(totals(spec, mutants, results))
    return [p for m in mutants for p in problems(m, spec, results[m.name])]


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m gradekit mutants", description=__doc__.split("\n")[0])
    p.add_argument("--assignment", action="append",
                   help="assignment to run (repeatable; default: every corpus folder)")
    p.add_argument("--project", type=Path, default=Path("."),
                   help="release root holding autograder/ and solutions/ (default: .)")
    p.add_argument("--corpus", type=Path, help="corpus folder (default: PROJECT/tests/mutants)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--out", type=Path, help="keep submissions and results here (default: a temp dir)")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    corpus = args.corpus or args.project / "tests" / "mutants"
    names = args.assignment or sorted(d.name for d in corpus.iterdir() if d.is_dir())
    with tempfile.TemporaryDirectory(prefix="gradekit-mutants-") as tmp:
        work_dir = args.out or Path(tmp)
        found = [p for n in names
                 for p in run_assignment(args.project, n, corpus, max(1, args.jobs), work_dir)]
    for line in found:
        print(line, file=sys.stderr)
    print(f"{len(found)} grading bug(s) found" if found else "every mutant killed, every right variant full marks",
          file=sys.stderr)
    return 1 if found else 0
