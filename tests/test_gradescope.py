"""Gradescope entry point: layout handling and results.json, then (slow) the same
scores as ``make grade`` for the real example submissions."""

import csv
import json
import os
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pytest

from gradekit import batch, examples, gradescope
from gradekit.model import (Question, QuestionResult, Spec, Status, SubmissionResult,
                            TestResult as Outcome, spec_json)
from gradekit.model import TestCase as Case

PROJECT = Path(__file__).resolve().parents[1]


def toy_spec() -> Spec:
    tests = (Case("q1 - 1", "", 1.0, False), Case("q1 - 2", "", 2.0, True))
    return Spec("toy", "toy.ipynb", (Question("q1", 3.0, tests=tests),
                                     Question("w1", 5.0, manual=True)), ())


def toy_result(status=Status.OK, reason="") -> SubmissionResult:
    tests = [Outcome("q1 - 1", False, 1.0, 1.0, True, "", "staff: input 7"),
             Outcome("q1 - 2", True, 0.0, 2.0, False, "off by a factor 2", "staff: hidden x=[3,1]")]
    return SubmissionResult("toy.ipynb", "toy", "toy", status, reason,
                            questions=[QuestionResult("q1", 1.0, 3.0, tests=tests),
                                       QuestionResult("w1", 0.0, 5.0, manual=True)])


@pytest.fixture
def layout(tmp_path):
    (tmp_path / "source" / "spec").mkdir(parents=True)
    (tmp_path / "source" / "spec" / "spec.json").write_text(spec_json(toy_spec()))
    (tmp_path / "submission").mkdir()
    return tmp_path


def fake_engine(monkeypatch, grade):
    module = types.ModuleType("gradekit.grade")
    module.grade_submission = grade
    monkeypatch.setitem(sys.modules, "gradekit.grade", module)


def test_results_json_format_and_visibility(layout, monkeypatch):
    (layout / "submission" / "sub").mkdir()
    (layout / "submission" / "sub" / "toy.ipynb").write_text("{}")
    seen = {}

    def grade(spec, support, path, *, root=None, limits=None):
        seen["path"] = path
        return toy_result()

    fake_engine(monkeypatch, grade)
    assert gradescope.main(["--root", str(layout)]) == 0
    out = json.loads((layout / "results" / "results.json").read_text())
    assert seen["path"].name == "toy.ipynb"
    assert out["score"] == 1.0 and out["stdout_visibility"] == "hidden"
    assert [(t["name"], t["visibility"], t["score"], t["max_score"]) for t in out["tests"]] == [
        ("q1 - 1", "visible", 1.0, 1.0), ("q1 - 2", "after_published", 0.0, 2.0)]
    assert out["tests"][1]["output"] == "off by a factor 2"
    text = json.dumps(out)
    assert "staff" not in text and "w1" not in text  # no details, no manual question


def test_question_total_differing_from_tests_gets_an_adjustment():
    result = toy_result()
    result.questions[0].score = 0.0  # e.g. a forbidden call zeroes the question
    entries = gradescope.gradescope_tests(toy_spec(), result)
    assert sum(e["score"] for e in entries) == 0.0
    assert sum(e["max_score"] for e in entries) == 3.0


def test_ungraded_submission_still_lists_every_question(layout, monkeypatch):
    (layout / "submission" / "toy.ipynb").write_text("not json")
    fake_engine(monkeypatch, lambda *a, **k: SubmissionResult(
        "toy.ipynb", "toy", "toy", Status.INVALID, "not valid JSON"))
    gradescope.main(["--root", str(layout)])
    out = json.loads((layout / "results" / "results.json").read_text())
    assert out["score"] == 0.0 and "not valid JSON" in out["output"]
    assert [(t["name"], t["max_score"]) for t in out["tests"]] == [("q1: not graded", 3.0)]


def test_no_upload_and_engine_crash_still_write_results(layout, monkeypatch):
    gradescope.main(["--root", str(layout)])
    out = json.loads((layout / "results" / "results.json").read_text())
    assert "no .ipynb or .zip" in out["output"] and out["score"] == 0.0

    def crash(*a, **k):
        raise RuntimeError("engine bug with secret detail")

    (layout / "submission" / "x.zip").write_bytes(b"PK")
    fake_engine(monkeypatch, crash)
    gradescope.main(["--root", str(layout)])
    out = json.loads((layout / "results" / "results.json").read_text())
    assert "autograder failed" in out["output"] and "secret" not in json.dumps(out)


def test_find_submission_prefers_the_released_name(tmp_path):
    for rel in ["a.zip", "other.ipynb", "deep/toy.ipynb", ".ipynb_checkpoints/toy-checkpoint.ipynb"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert gradescope.find_submission(tmp_path, "toy.ipynb") == tmp_path / "deep" / "toy.ipynb"
    assert gradescope.find_submission(tmp_path, "nope.ipynb") == tmp_path / "other.ipynb"


# ------------------------------------------------------------------ end to end


def gradescope_question_scores(spec: Spec, results: dict) -> dict[str, float]:
    """Per-question totals from results.json (tests grouped by the spec's test names)."""
    scores = {}
    for q in spec.autograded:
        names = {t.name for t in q.tests} | {f"{q.name}: question total", f"{q.name}: not graded"}
        scores[q.name] = sum(t["score"] for t in results["tests"] if t["name"] in names)
    return scores


def run_zip_entry_point(zip_path: Path, submission: Path, root: Path) -> dict:
    """The zip's vendored engine in a simulated platform layout under ``root``."""
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir(parents=True)
    (root / "submission" / submission.name).write_bytes(submission.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(root / "source")}  # the vendored gradekit
    subprocess.run([sys.executable, "-m", "gradekit", "gradescope", "--root", str(root)],
                   stdin=subprocess.DEVNULL, env=env, check=True, timeout=1800)
    return json.loads((root / "results" / "results.json").read_text())


@pytest.mark.slow
def test_zip_gives_the_same_scores_as_make_grade(release_build, tmp_path):
    for name in release_build.assignments:
        subs = examples.write_examples(name, PROJECT, release=release_build.out,
                                       out=tmp_path / "examples" / name)
        out = tmp_path / "grades" / name
        settings = batch.Settings(release_build.zip(name), tmp_path / "examples" / name, out, jobs=2)
        assert batch.grade_folder(settings) == 0
        with open(out / "grades.csv", encoding="utf-8", newline="") as f:
            rows = {r["student"]: r for r in csv.DictReader(f)}
        spec = batch.load_spec(release_build.zip(name))[0]
        for kind, path in subs.items():
            got = run_zip_entry_point(release_build.zip(name), path, tmp_path / "gs" / name / kind)
            ours = {q.name: float(rows[kind][q.name] or 0) for q in spec.autograded}
            assert gradescope_question_scores(spec, got) == pytest.approx(ours), (name, kind)
        assert rows["correct"]["auto_total"] == rows["correct"]["auto_max"]
        assert rows["broken"]["status"] == "invalid"
        assert float(rows["partial"]["auto_total"]) < float(rows["partial"]["auto_max"])
