"""``python -m gradekit grade``: grade a folder of submissions in parallel.

One worker subprocess per submission (``python -m gradekit grade-one``), at
most ``--jobs`` at a time (:mod:`gradekit.batch_pool`). Each worker writes
``OUT/results/<relative path>.json``; when a worker dies or overruns without
writing one, this module writes an ``error`` result in its place, so every
file handed in gets exactly one row. The grade table, feedback, report and
manual-grading sheets are then rebuilt from those JSONs
(:mod:`gradekit.report`, :mod:`gradekit.manual`).

Student identity is the file name without its extension (``alice.ipynb`` →
``alice``). When two files share that name in different sub-folders (or as
``.ipynb`` and ``.zip``), the relative path tells them apart
(``sec1/alice``, then ``sec1/alice.zip``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, TextIO

from gradekit import batch_pool, manual, report
from gradekit.model import Spec, Status, SubmissionResult, load_spec, write_json_atomic

SUBMISSION_SUFFIXES = (".ipynb", ".zip")
IGNORED_DIRS = ("__MACOSX",)  # macOS zip debris, never a submission


class UsageError(ValueError):
    """Bad command line or missing inputs; the message says what to do."""


@dataclass(frozen=True)
class Submission:
    path: Path  # the file as found
    rel: str  # POSIX path relative to the submissions folder (unique key)
    student: str  # identity shown in the grade table


@dataclass(frozen=True)
class Settings:
    spec_path: Path
    submissions_dir: Path
    out_dir: Path
    jobs: int
    timeout_s: float | None = None  # None: the spec's limit
    cell_timeout_s: float | None = None
    memory_mb: int | None = None
    force: bool = False
    overrun_margin_s: float | None = None  # None: see overrun_deadline


def _is_ignored(rel_parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p in IGNORED_DIRS for p in rel_parts)


def student_names(rels: list[str]) -> dict[str, str]:
    """Map each relative path to a unique identity (see the module docstring)."""
    def stem(rel: str) -> str:
        return Path(rel).stem

    def no_suffix(rel: str) -> str:
        return str(Path(rel).with_suffix("").as_posix())

    names: dict[str, str] = {}
    for rel in rels:
        for candidate in (stem, no_suffix, str):
            name = candidate(rel)
            if sum(candidate(other) == name for other in rels) == 1:
                names[rel] = name
                break
    return names


def find_submissions(folder: Path, exclude: Path | None = None) -> list[Submission]:
    """Every regular file under ``folder``, except hidden files and folders and
    anything under ``exclude`` (our own output folder, if it sits inside)."""
    folder = Path(folder)
    skip = Path(exclude).resolve() if exclude is not None else None
    rels = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not _is_ignored(p.relative_to(folder).parts)
        and not (skip is not None and p.resolve().is_relative_to(skip))
    )
    names = student_names(rels)
    return [Submission(folder / rel, rel, names[rel]) for rel in rels]


def result_path(out_dir: Path, sub: Submission) -> Path:
    return out_dir / "results" / f"{sub.rel}.json"


def log_path(out_dir: Path, sub: Submission) -> Path:
    return out_dir / "logs" / f"{sub.rel}.log"


def read_result(path: Path) -> SubmissionResult | None:
    """The result JSON at ``path``, or None if it is missing or unreadable."""
    try:
        return SubmissionResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except Exception:  # noqa: BLE001 - any defect means "not graded"
        return None


def spec_mtime(spec_path: Path) -> float:
    """When the spec last changed: the zip, or spec.json inside a spec folder."""
    spec_path = Path(spec_path)
    if spec_path.is_dir():
        candidates = [spec_path / "spec" / "spec.json", spec_path / "spec.json"]
        spec_path = next((c for c in candidates if c.exists()), spec_path)
    return spec_path.stat().st_mtime


def is_fresh(result_json: Path, sub: Submission, spec_path: Path) -> bool:
    """True if the result is newer than both the submission and the spec."""
    if not result_json.exists() or read_result(result_json) is None:
        return False
    mtime = result_json.stat().st_mtime
    return mtime > sub.path.stat().st_mtime and mtime > spec_mtime(spec_path)


def failed_result(spec: Spec, sub: Submission, status: Status, reason: str) -> SubmissionResult:
    return SubmissionResult(
        submission=sub.rel, student=sub.student, assignment=spec.assignment,
        status=status, reason=reason,
    )


def worker_command(settings: Settings, sub: Submission, out_json: Path) -> list[str]:
    """The real worker: ``python -m gradekit grade-one`` for one submission."""
    cmd = [
        sys.executable, "-m", "gradekit", "grade-one",
        "--spec", str(settings.spec_path), "--submission", str(sub.path),
        "--out", str(out_json), "--root", str(settings.submissions_dir),
    ]
    for flag, value in (("--timeout", settings.timeout_s),
                        ("--cell-timeout", settings.cell_timeout_s),
                        ("--memory-mb", settings.memory_mb)):
        if value is not None:
            cmd += [flag, str(value)]
    return cmd


def overrun_deadline(settings: Settings, spec: Spec) -> float:
    """Seconds after which a worker is killed: its own limit plus start-up and judging slack."""
    limit = settings.timeout_s if settings.timeout_s is not None else spec.limits.timeout_s
    margin = settings.overrun_margin_s
    if margin is None:
        margin = max(60.0, 0.25 * limit)
    return limit + margin


def finish_result(spec: Spec, sub: Submission, out_json: Path, end: batch_pool.JobEnd) -> SubmissionResult:
    """The worker's result with our identity and wall time, or an error result."""
    result = None if end.overran else read_result(out_json)
    if result is None:
        if end.overran:
            why = f"grading overran its time limit and was stopped after {end.wall_s:.0f} s"
        elif out_json.exists():
            why = f"grading worker wrote an unreadable result (exit code {end.returncode})"
        else:
            why = f"grading worker exited with code {end.returncode} without a result"
        result = failed_result(spec, sub, Status.ERROR, why)
    result = replace(result, submission=sub.rel, student=sub.student,
                     timings={**result.timings, "batch_wall_s": round(end.wall_s, 3)})
    write_json_atomic(out_json, result.to_dict())
    return result


CommandFn = Callable[[Settings, Submission, Path], list[str]]


def _clock(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


class Progress:
    """One status line on stderr: done/total, ok/failed, elapsed and ETA."""

    def __init__(self, total: int, stream: TextIO):
        self.total, self.stream = total, stream
        self.ok = self.failed = 0
        self.t0 = time.monotonic()
        self.tty = stream.isatty()

    def start(self, skipped: int, jobs: int) -> None:
        note = f" ({skipped} already graded)" if skipped else ""
        print(f"grading {self.total} submissions with {jobs} workers{note}", file=self.stream)

    def line(self) -> str:
        done = self.ok + self.failed
        elapsed = time.monotonic() - self.t0
        eta = elapsed / done * (self.total - done) if done else float("nan")
        eta_text = _clock(eta) if done else "?"
        return (f"[{done}/{self.total}] ok {self.ok}, failed {self.failed}, "
                f"elapsed {_clock(elapsed)}, ETA {eta_text}")

    def update(self, ok: bool) -> None:
        self.ok += ok
        self.failed += not ok
        end = "" if self.tty else "\n"
        print(("\r" if self.tty else "") + self.line(), end=end, file=self.stream, flush=True)

    def finish(self) -> None:
        if self.tty:
            print(file=self.stream)


def grade_all(settings: Settings, spec: Spec, subs: list[Submission],
              command: CommandFn = worker_command) -> dict[str, SubmissionResult]:
    """Grade what is not fresh yet; return every submission's result by relative path."""
    results: dict[str, SubmissionResult] = {}
    todo: list[batch_pool.Job] = []
    by_key = {s.rel: s for s in subs}
    for sub in subs:
        out_json = result_path(settings.out_dir, sub)
        if sub.path.suffix.lower() not in SUBMISSION_SUFFIXES:
            kinds = " or ".join(SUBMISSION_SUFFIXES)
            results[sub.rel] = failed_result(
                spec, sub, Status.INVALID, f"not a submission: expected {kinds}, got {sub.path.name}")
            write_json_atomic(out_json, results[sub.rel].to_dict())
        elif not settings.force and is_fresh(out_json, sub, settings.spec_path):
            results[sub.rel] = read_result(out_json)
        else:
            out_json.unlink(missing_ok=True)  # a stale result must not pass for a new one
            todo.append(batch_pool.Job(sub.rel, command(settings, sub, out_json),
                                       log_path(settings.out_dir, sub),
                                       overrun_deadline(settings, spec)))
    progress = Progress(total=len(todo), stream=sys.stderr)

    def on_end(end: batch_pool.JobEnd) -> None:
        sub = by_key[end.key]
        results[sub.rel] = finish_result(spec, sub, result_path(settings.out_dir, sub), end)
        progress.update(results[sub.rel].status is Status.OK)

    if todo:
        progress.start(skipped=len(subs) - len(todo), jobs=settings.jobs)
        batch_pool.run_jobs(todo, settings.jobs, on_end)
        progress.finish()
    return {s.rel: results[s.rel] for s in subs}


def summary_line(spec: Spec, results: list[SubmissionResult], csv_path: Path) -> str:
    """E.g. "graded 24: 20 ok, 3 error, 1 invalid; mean 71.3%; wrote grades/conv/grades.csv"."""
    counts = {s: sum(r.status is s for r in results) for s in Status}
    parts = [f"{n} {s.value}" for s, n in counts.items() if n]
    auto_max = sum(q.points for q in spec.autograded)
    # Over every row: a submission that failed to grade counts with what it earned.
    fractions = [r.score / auto_max for r in results] if auto_max else []
    mean = f"mean {100 * sum(fractions) / len(fractions):.1f}%" if fractions else "mean n/a"
    return f"graded {len(results)}: {', '.join(parts) or 'nothing'}; {mean}; wrote {csv_path}"


@contextmanager
def private_spec(spec_path: Path):
    """A copy of the spec in a folder only this user can enter.

    Kernels run under another uid when we are root, and can read any
    world-readable file, including a path they find in a worker's command
    line (/proc/*/cmdline). Workers therefore get a path under a 0700
    folder; mtimes are kept so resuming still compares against the spec.
    """
    with tempfile.TemporaryDirectory(prefix="gradekit-spec-") as folder:
        copy = Path(folder) / spec_path.name
        if spec_path.is_dir():
            shutil.copytree(spec_path, copy)
        else:
            shutil.copy2(spec_path, copy)
        yield copy


def grade_folder(settings: Settings, command: CommandFn = worker_command) -> int:
    """Grade one folder and write every output; returns a process exit code."""
    spec, _ = load_spec(settings.spec_path)
    subs = find_submissions(settings.submissions_dir, exclude=settings.out_dir)
    with private_spec(settings.spec_path) as spec_copy:
        results = grade_all(replace(settings, spec_path=spec_copy), spec, subs, command)
    ordered = [results[s.rel] for s in subs]
    try:
        points = manual.prepare_sheet(settings.out_dir, spec, ordered)
    except manual.ManualSheetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report.write_outputs(settings.out_dir, spec, ordered, points)
    print(summary_line(spec, ordered, settings.out_dir / "grades.csv"), file=sys.stderr)
    return 0


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def otter_grade_command(settings: Settings, subs: list[Submission]) -> list[str]:
    """``otter grade`` in Docker containers: the zip's run_autograder runs our engine inside."""
    cmd = ["otter", "grade", "-a", str(settings.spec_path), "-o", str(settings.out_dir),
           "--containers", str(settings.jobs)]
    if settings.timeout_s is not None:
        cmd += ["--timeout", str(int(settings.timeout_s))]
    return cmd + [str(s.path) for s in subs]


def hand_off_to_docker(settings: Settings) -> int:
    if not docker_available():
        print("error: --docker needs a running Docker engine (`docker info` failed); "
              "grade without --docker: no container is needed", file=sys.stderr)
        return 2
    subs = [s for s in find_submissions(settings.submissions_dir, exclude=settings.out_dir)
            if s.path.suffix.lower() in SUBMISSION_SUFFIXES]
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.run(otter_grade_command(settings, subs), stdin=subprocess.DEVNULL).returncode


# --------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m gradekit grade", description=__doc__.split("\n")[0])
    p.add_argument("--assignment", help="assignment name; default: the examples of every assignment")
    p.add_argument("--spec", type=Path, help="autograder zip or spec folder "
                   "(default: autograder/NAME/NAME-autograder.zip)")
    p.add_argument("--submissions", type=Path, help="folder of .ipynb/.zip files (default: examples/NAME)")
    p.add_argument("--out", type=Path, help="output folder (default: grades/NAME)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--timeout", type=float, help="seconds per submission (default: the spec's)")
    p.add_argument("--cell-timeout", type=float, help="seconds per cell (default: the spec's)")
    p.add_argument("--memory-mb", type=int, help="memory per submission (default: the spec's)")
    p.add_argument("--force", action="store_true", help="regrade even when a fresh result exists")
    p.add_argument("--docker", action="store_true", help="hand off to `otter grade` (needs Docker)")
    p.add_argument("--project", type=Path, default=Path("."), help="project root (default: .)")
    return p.parse_args(argv)


def assignment_names(project: Path) -> list[str]:
    root = project / "assignment"
    return sorted(d.name for d in root.iterdir() if (d / f"{d.name}.ipynb").exists()) \
        if root.is_dir() else []


def settings_for(args: argparse.Namespace, name: str | None, several: bool) -> Settings:
    project = args.project
    if args.spec is None and name is None:
        raise UsageError("give --assignment NAME or --spec PATH")
    spec_path = args.spec or project / "autograder" / name / f"{name}-autograder.zip"
    if not spec_path.exists():
        raise UsageError(f"{spec_path} not found: run `make release` first")
    label = name or load_spec(spec_path)[0].assignment
    if args.submissions is None:
        submissions = project / "examples" / label
        if not submissions.exists():
            from gradekit import examples  # only needed on first use

            try:
                examples.write_examples(label, project)
            except (FileNotFoundError, ValueError) as exc:
                raise UsageError(str(exc)) from None
    else:
        submissions = args.submissions
    if not submissions.is_dir():
        raise UsageError(f"{submissions} is not a folder of submissions")
    out = args.out or project / "grades" / label
    if several and args.out is not None:
        out = args.out / label
    return Settings(spec_path, submissions, out, max(1, args.jobs), args.timeout,
                    args.cell_timeout, args.memory_mb, args.force)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.assignment or args.spec or args.submissions:
        names = [args.assignment]
    else:
        names = assignment_names(args.project)
        if not names:
            print(f"error: no assignment/<name>/<name>.ipynb under {args.project}", file=sys.stderr)
            return 2
    code = 0
    for name in names:  # one assignment failing to start does not stop the others
        try:
            settings = settings_for(args, name, several=len(names) > 1)
        except UsageError as exc:
            print(f"error: {exc}", file=sys.stderr)
            code = 2
            continue
        run = hand_off_to_docker if args.docker else grade_folder
        try:
            code = max(code, run(settings))
        except KeyboardInterrupt:
            print(f"\ninterrupted: finished results are kept in {settings.out_dir / 'results'}; "
                  "run the same command again to resume", file=sys.stderr)
            return 130
    return code
