"""Batch grading front end, with a fake worker standing in for ``grade-one``.

The fake worker reads the submission and acts out what its text says
(crash, hang, write garbage), so every failure path of the pool runs for real
in subprocesses; only the grading itself is faked.
"""

import csv
import json
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gradekit import batch
from gradekit.model import Question, Spec, spec_json
from gradekit.model import TestCase as Case

REPO = Path(__file__).resolve().parents[1]
FAKE_WORKER = textwrap.dedent('''
    import argparse, json, os, sys, time
    sys.path.insert(0, REPO_PATH)
    from gradekit.model import (QuestionResult, SubmissionResult, Status, TestResult,
                                write_json_atomic)
    p = argparse.ArgumentParser()
    for flag in ("--spec", "--submission", "--out", "--root", "--timeout",
                 "--cell-timeout", "--memory-mb"):
        p.add_argument(flag)
    a = p.parse_args()
    text = open(a.submission, encoding="utf-8", errors="replace").read()
    if "CRASH" in text:
        sys.exit(3)
    if "HANG" in text:
        time.sleep(600)
    if "GARBAGE" in text:
        open(a.out, "w").write("{not json")
        sys.exit(0)
    score = float(text.count("right"))
    tests = [TestResult("q1 - 1", False, min(score, 1.0), 1.0, score >= 1, "", "staff"),
             TestResult("q1 - 2", True, 1.0 if score >= 2 else 0.0, 1.0, score >= 2, "hint", "staff")]
    r = SubmissionResult(submission=os.path.basename(a.submission), student="x",
                         assignment="toy", status=Status.OK,
                         questions=[QuestionResult("q1", sum(t.points for t in tests), 2.0, tests=tests),
                                    QuestionResult("w1", 0.0, 3.0, manual=True)],
                         manual_answers={"w1": "my proof $x^2$"})
    write_json_atomic(a.out, r.to_dict())
''').replace("REPO_PATH", repr(str(REPO)))


def toy_spec() -> Spec:
    tests = (Case("q1 - 1", "pass", 1.0, False), Case("q1 - 2", "pass", 1.0, True))
    return Spec(assignment="toy", notebook="toy.ipynb",
                questions=(Question("q1", 2.0, tests=tests), Question("w1", 3.0, manual=True)),
                release_cells=())


@pytest.fixture
def setup(tmp_path):
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "spec.json").write_text(spec_json(toy_spec()))
    worker = tmp_path / "fake_worker.py"
    worker.write_text(FAKE_WORKER)
    subs = tmp_path / "subs"
    subs.mkdir()
    old = time.time() - 100  # submissions and spec older than any result
    os.utime(spec_dir / "spec.json", (old, old))

    def command(settings, sub, out_json):
        return [sys.executable, str(worker)] + batch.worker_command(settings, sub, out_json)[4:]

    def settings(**kw):
        base = dict(spec_path=spec_dir, submissions_dir=subs,
                    out_dir=tmp_path / "out", jobs=2, timeout_s=1.0, overrun_margin_s=1.0)
        return batch.Settings(**{**base, **kw})

    def add(rel, text):
        path = subs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (old, old))
        return path

    return command, settings, add


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_student_names_disambiguate_by_relative_path():
    names = batch.student_names(["a/alice.ipynb", "b/alice.ipynb", "bob.zip", "c/x.ipynb", "c/x.zip"])
    assert names == {"a/alice.ipynb": "a/alice", "b/alice.ipynb": "b/alice", "bob.zip": "bob",
                     "c/x.ipynb": "c/x.ipynb", "c/x.zip": "c/x.zip"}


def test_find_submissions_skips_hidden_and_checkpoints(tmp_path):
    for rel in ["a.ipynb", ".ipynb_checkpoints/a-checkpoint.ipynb", ".hidden.ipynb",
                "sec/b.zip", "__MACOSX/sec/._b.zip", "notes.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert [s.rel for s in batch.find_submissions(tmp_path)] == ["a.ipynb", "notes.txt", "sec/b.zip"]
    assert [s.rel for s in batch.find_submissions(tmp_path, exclude=tmp_path / "sec")] == [
        "a.ipynb", "notes.txt"]  # an output folder inside the submissions is not graded


def test_every_file_gets_one_row_whatever_the_worker_does(setup, tmp_path):
    command, settings, add = setup
    add("good.ipynb", "right right")
    add("half.ipynb", "right")
    add("crash.ipynb", "CRASH")
    add("hang.ipynb", "HANG")
    add("garbage.ipynb", "GARBAGE")
    add("sec1/dup.ipynb", "right")
    add("sec2/dup.ipynb", "right right")
    add("=evil.ipynb", "right")
    add("readme.txt", "not a notebook")
    t0 = time.monotonic()
    assert batch.grade_folder(settings(), command) == 0
    assert time.monotonic() - t0 < 30  # the hung worker was killed, not waited for
    rows = {r["submission"]: r for r in read_csv(tmp_path / "out" / "grades.csv")}
    assert len(rows) == 9
    assert rows["good.ipynb"]["status"] == "ok" and rows["good.ipynb"]["q1"] == "2"
    assert rows["half.ipynb"]["q1"] == "1"
    assert rows["crash.ipynb"]["status"] == "error" and "code 3" in rows["crash.ipynb"]["reason"]
    assert rows["hang.ipynb"]["status"] == "error" and "time limit" in rows["hang.ipynb"]["reason"]
    assert rows["garbage.ipynb"]["status"] == "error" and "unreadable" in rows["garbage.ipynb"]["reason"]
    assert rows["readme.txt"]["status"] == "invalid"
    assert rows["sec1/dup.ipynb"]["student"] == "sec1/dup" and rows["sec2/dup.ipynb"]["q1"] == "2"
    assert rows["'=evil.ipynb"]["student"] == "'=evil"  # defused for spreadsheets
    assert rows["good.ipynb"]["w1"] == ""  # manual column empty until merged
    for rel in ["crash.ipynb", "hang.ipynb", "sec1/dup.ipynb"]:
        assert (tmp_path / "out" / "results" / f"{rel}.json").exists()


def test_hung_worker_leaves_no_process(setup, tmp_path):
    import psutil

    command, settings, add = setup
    add("hang.ipynb", "HANG")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    batch.grade_folder(settings(jobs=1), command)
    after = {p.pid for p in psutil.Process().children(recursive=True)}
    assert after <= before


def test_resume_skips_fresh_results_and_force_regrades(setup, tmp_path):
    command, settings, add = setup
    add("a.ipynb", "right")
    batch.grade_folder(settings(), command)
    result = tmp_path / "out" / "results" / "a.ipynb.json"
    first = result.stat().st_mtime_ns
    batch.grade_folder(settings(), command)
    assert result.stat().st_mtime_ns == first  # fresh: not regraded
    add("a.ipynb", "right right")
    os.utime(tmp_path / "subs" / "a.ipynb")  # edited after grading: stale
    batch.grade_folder(settings(), command)
    assert json.loads(result.read_text())["score"] == 2.0
    second = result.stat().st_mtime_ns
    batch.grade_folder(settings(force=True), command)
    assert result.stat().st_mtime_ns > second


def test_summary_line_counts_statuses(setup, tmp_path, capsys):
    command, settings, add = setup
    add("a.ipynb", "right right")
    add("b.ipynb", "CRASH")
    batch.grade_folder(settings(), command)
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("graded 2: 1 ok, 1 error; mean 50.0%; wrote ")
    assert last.endswith("grades.csv")


def test_worker_command_is_the_real_grade_one(tmp_path):
    s = batch.Settings(Path("spec.zip"), Path("subs"), Path("out"), 2, timeout_s=5.0, memory_mb=900)
    sub = batch.Submission(Path("subs/a.ipynb"), "a.ipynb", "a")
    cmd = batch.worker_command(s, sub, Path("out/results/a.ipynb.json"))
    assert cmd[1:4] == ["-m", "gradekit", "grade-one"]
    assert cmd[cmd.index("--timeout") + 1] == "5.0" and "--cell-timeout" not in cmd
    assert cmd[cmd.index("--memory-mb") + 1] == "900"


def test_docker_flag_without_engine_is_a_clear_error(setup, monkeypatch, capsys):
    _, settings, _ = setup
    monkeypatch.setattr(batch, "docker_available", lambda: False)
    assert batch.hand_off_to_docker(settings()) == 2
    assert "Docker engine" in capsys.readouterr().err


def test_missing_release_names_make_release(tmp_path, capsys):
    assert batch.main(["--assignment", "nope", "--project", str(tmp_path)]) == 2
    assert "run `make release` first" in capsys.readouterr().err


def test_default_mode_grades_the_examples_of_every_assignment(setup, tmp_path, monkeypatch):
    command, _, _ = setup
    project = tmp_path / "project"
    for name in ("one", "two"):
        (project / "assignment" / name).mkdir(parents=True)
        (project / "assignment" / name / f"{name}.ipynb").write_text("{}")
        (project / "examples" / name).mkdir(parents=True)
        (project / "examples" / name / "correct.ipynb").write_text("right right")
    (project / "autograder" / "one").mkdir(parents=True)
    (project / "autograder" / "one" / "one-autograder.zip").write_text("")
    graded = []
    monkeypatch.setattr(batch, "grade_folder", lambda s: graded.append(s) or 0)
    assert batch.main(["--project", str(project)]) == 2  # "two" has no release
    assert [(s.submissions_dir.name, s.out_dir) for s in graded] == [
        ("one", project / "grades" / "one")]
