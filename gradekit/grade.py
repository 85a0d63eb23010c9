"""Grade one submission: intake → sanitize → execute (sandbox) → judge → result.

:func:`grade_submission` never raises for anything the submission does;
every outcome is a :class:`~gradekit.model.SubmissionResult` with status
``ok``/``timeout``/``error``/``invalid`` and a short reason.
``python -m gradekit grade-one ...`` (:func:`main`) is what batch workers run.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import signal
import sys
import threading
import time
from pathlib import Path

from gradekit import sandbox
from gradekit.execute import KernelSession, NotebookRun, SessionError, run_cells
from gradekit.intake import read_submission
# gradekit.judge and gradekit.remote import numpy and torch (~2 s): they are
# loaded in a thread while the kernel starts (see load_judge_meanwhile).
from gradekit.model import (
    Limits, QuestionResult, Spec, Status, SubmissionResult, load_spec, write_json_atomic,
)
from gradekit.sanitize import Sanitized, sanitize

REASON_CHARS = 300


def student_of(path: Path) -> str:
    """The student's identity: the file name without its extension."""
    return Path(path).stem


def relative_name(path: Path, root: Path | None) -> str:
    path = Path(path)
    if root is not None:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def grade_submission(spec: Spec, support: dict[str, bytes], submission_path: Path, *,
                     root: Path | None = None, limits: Limits | None = None) -> SubmissionResult:
    started = time.monotonic()
    result = SubmissionResult(
        submission=relative_name(submission_path, root), student=student_of(submission_path),
        assignment=spec.assignment, status=Status.OK,
    )
    try:
        folder = Path(root) if root is not None else Path(submission_path).parent
        grade_into(result, spec, support, Path(submission_path), limits or spec.limits, folder)
    except Exception as exc:  # a grader-side bug must still yield a row
        result.status = Status.ERROR
        result.reason = short(f"internal grading error: {type(exc).__name__}: {exc}")
    finally:
        result.questions = complete_questions(spec, result.questions)
        result.timings["total"] = round(time.monotonic() - started, 3)
    return result


def grade_into(result: SubmissionResult, spec: Spec, support: dict[str, bytes],
               path: Path, limits: Limits, submissions: Path) -> None:
    t = time.monotonic()
    intake = read_submission(path, spec)
    if intake.notebook is None:
        result.status, result.reason = Status.INVALID, short(intake.reason)
        return
    clean = sanitize(intake.notebook, spec)
    result.integrity, result.manual_answers = clean.integrity, clean.manual_answers
    result.timings["intake"] = round(time.monotonic() - t, 3)
    try:
        execute_and_judge(result, spec, support, clean, limits, submissions.resolve())
    except Exception as exc:
        if not is_kernel_failure(exc):
            raise
        result.status = Status.ERROR
        result.reason = short(f"the notebook's kernel could not run: {exc}")


def is_kernel_failure(exc: Exception) -> bool:
    """SessionError, or RemoteError (only raisable once gradekit.remote is loaded)."""
    remote = sys.modules.get("gradekit.remote")
    return isinstance(exc, SessionError) or (remote is not None and isinstance(exc, remote.RemoteError))


def load_judge_meanwhile() -> threading.Thread:
    """Import the judge in a thread: the kernel boots in its own process, so
    the two overlap instead of adding up on every submission."""
    loader = threading.Thread(target=importlib.import_module, args=("gradekit.judge",), daemon=True)
    loader.start()
    return loader


def execute_and_judge(result: SubmissionResult, spec: Spec, support: dict[str, bytes],
                      clean: Sanitized, limits: Limits, submissions: Path) -> None:
    t = time.monotonic()
    loader = load_judge_meanwhile()
    # Other students' files are as private as the grader's own.
    with KernelSession(support, limits, plan=sandbox.plan((str(submissions),))) as session:
        loader.join()
        from gradekit.judge import judge_submission
        from gradekit.remote import install_harness

        result.timings["kernel_start"] = round(time.monotonic() - t, 3)
        t = time.monotonic()
        # The harness goes in before any student code, so it holds the real
        # library functions whatever the notebook rebinds later.
        install_harness(session)
        run = run_cells(session, clean.code, clean.labels)
        result.timings["execute"] = round(time.monotonic() - t, 3)
        t = time.monotonic()
        # The judge keeps only the code each question's tested functions reach.
        editable = {q.name: clean.all_editable_cells() for q in spec.autograded}
        result.questions = judge_submission(spec, session, editable)
        result.timings["judge"] = round(time.monotonic() - t, 3)
        session.stop_kernel()  # folds the watchdog's peak into the session's
        result.peak_rss_mb = round(session.peak_rss_mb, 1)
        result.timings["restarts"] = float(session.restarts)
        set_status(result, run, session.incidents)


def set_status(result: SubmissionResult, run: NotebookRun, incidents: list[str]) -> None:
    """timeout/error with the first problem as the reason; ok otherwise."""
    problems = run.timeouts + run.crashes + incidents
    if not problems:
        return
    timed_out = bool(run.timeouts) or any("time limit" in p for p in incidents)
    result.status = Status.TIMEOUT if timed_out else Status.ERROR
    extra = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    result.reason = short(problems[0] + extra)


def complete_questions(spec: Spec, judged: list[QuestionResult]) -> list[QuestionResult]:
    """One result per spec question, in spec order (unjudged ones score 0)."""
    by_name = {q.name: q for q in judged}
    return [
        by_name.get(q.name) or QuestionResult(q.name, 0.0, q.points, manual=q.manual)
        for q in spec.questions
    ]


def short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


# ------------------------------------------------------------------ CLI
def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m gradekit grade-one",
                                description="Grade one submission into a results JSON.")
    p.add_argument("--spec", required=True, type=Path, help="autograder zip or folder with spec/")
    p.add_argument("--submission", required=True, type=Path, help=".ipynb or export .zip")
    p.add_argument("--out", required=True, type=Path, help="where to write the result JSON")
    p.add_argument("--root", type=Path, help="submissions folder (result paths are relative)")
    p.add_argument("--timeout", type=float, help="seconds for the whole submission")
    p.add_argument("--cell-timeout", type=float, help="seconds per cell or grading call")
    p.add_argument("--memory-mb", type=int, help="memory limit of the kernel process tree")
    return p.parse_args(argv)


def limits_from(args: argparse.Namespace, spec: Spec) -> Limits:
    overrides = {k: v for k, v in (("timeout_s", args.timeout),
                                   ("cell_timeout_s", args.cell_timeout),
                                   ("memory_mb", args.memory_mb)) if v is not None}
    return dataclasses.replace(spec.limits, **overrides)


def warn_if_world_readable(spec_path: Path) -> None:
    """The kernel can read our argv (/proc) and so find the spec: it must not
    be readable by others (the dropped kernel's uid)."""
    try:
        mode = spec_path.stat().st_mode
    except OSError:
        return
    if mode & 0o004:
        print(f"gradekit: warning: {spec_path} is world-readable; student code running as "
              "another user can read the hidden tests in it (chmod o-r)", file=sys.stderr)


def exit_on_sigterm(signum, frame) -> None:
    """A batch stopping this worker gets the kernel and temp dir cleaned up."""
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    warn_if_world_readable(args.spec)
    try:
        spec, support = load_spec(args.spec)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        result = SubmissionResult(relative_name(args.submission, args.root),
                                  student_of(args.submission), "", Status.ERROR,
                                  reason=short(f"could not load the grading spec: {exc}"))
    else:
        result = grade_submission(spec, support, args.submission, root=args.root,
                                  limits=limits_from(args, spec))
    write_json_atomic(args.out, result.to_dict())
    return 0
