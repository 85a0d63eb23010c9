"""A bounded pool of worker subprocesses, each killed as a group if it overruns.

The batch grader (:mod:`gradekit.batch`) hands this module one command per
submission. Each runs in its own session (``start_new_session``) with
``stdin=DEVNULL`` and its output sent to a log file, so a worker can neither
read our terminal nor survive us: on overrun we signal its whole process
group *and* every descendant found with psutil (Jupyter kernels start their
own sessions, so the process group alone would orphan them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import psutil

KILL_GRACE_S = 3.0  # between SIGTERM and SIGKILL
POLL_S = 0.05


@dataclass(frozen=True)
class Job:
    key: str  # the caller's handle for this job (a submission's relative path)
    command: list[str]
    log_path: Path  # receives the worker's stdout and stderr
    deadline_s: float  # wall-clock seconds before the worker is killed


@dataclass(frozen=True)
class JobEnd:
    key: str
    returncode: int | None  # None when the job was killed for overrunning
    overran: bool
    wall_s: float


def start_job(job: Job) -> subprocess.Popen:
    job.log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(job.log_path, "wb") as log:
        # The child holds its own copy of the descriptor; ours can close now.
        return subprocess.Popen(
            job.command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _signal_all(pgid: int, procs: list[psutil.Process], sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
    for p in procs:
        try:
            p.send_signal(sig)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass


def kill_tree(proc: subprocess.Popen, grace_s: float = KILL_GRACE_S) -> None:
    """Stop a worker, its process group and all its descendants; reap the worker."""
    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    _signal_all(proc.pid, descendants, signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    _, alive = psutil.wait_procs(descendants, timeout=0.2)
    _signal_all(proc.pid, alive, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    psutil.wait_procs(alive, timeout=1.0)


def run_jobs(
    jobs: Iterable[Job],
    max_workers: int,
    on_end: Callable[[JobEnd], None],
    poll_s: float = POLL_S,
) -> None:
    """Run ``jobs`` at most ``max_workers`` at a time; call ``on_end`` as each ends.

    On KeyboardInterrupt (or any exception from ``on_end``) every running
    worker is killed before the exception propagates, so nothing is orphaned.
    """
    pending = list(jobs)
    pending.reverse()  # pop() from the end keeps the caller's order
    running: dict[subprocess.Popen, tuple[Job, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, max_workers):
                job = pending.pop()
                running[start_job(job)] = (job, time.monotonic())
            for proc, (job, t0) in list(running.items()):
                elapsed = time.monotonic() - t0
                code = proc.poll()
                if code is None and elapsed <= job.deadline_s:
                    continue
                if code is None:
                    kill_tree(proc)
                del running[proc]
                on_end(JobEnd(job.key, code, code is None, time.monotonic() - t0))
            time.sleep(poll_s)
    finally:
        for proc in running:
            kill_tree(proc, grace_s=0.5)
