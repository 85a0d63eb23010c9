"""Run code in one submission's sandboxed kernel, within time/memory/output limits.

:class:`KernelSession` owns a kernel process (started through
:mod:`gradekit.sandbox`, in its own session/process group, stdin closed), a
temporary directory (``work/`` = the kernel's cwd holding only the support
files) and a memory watchdog thread. ``run_cell`` never raises for anything
the code does: it returns a :class:`CellRun`. :func:`run_cells` runs a whole
notebook and, when a cell kills the kernel or overruns, restarts a fresh one
and replays the cells that worked, so later questions keep knowable scores.
"""

from __future__ import annotations

import ctypes
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from gradekit import sandbox
from gradekit.model import Limits

POLL_S = 0.05  # watchdog period and message-wait granularity
INTERRUPT_GRACE_S = 3.0  # a kernel that ignores SIGINT this long is killed
STARTUP_TIMEOUT_S = 60.0
ERROR_TEXT_CHARS = 2000
TRUNCATED = "\n[output truncated]"
PR_SET_CHILD_SUBREAPER = 36
TMP_PREFIX = "gradekit-kernel-"


@dataclass
class CellRun:
    """What happened to one piece of code run in the kernel."""

    output: str = ""
    error: tuple[str, str] | None = None  # (ename, evalue)
    timed_out: bool = False
    died: bool = False  # the kernel is gone (crashed, exited or killed)
    reason: str = ""  # why it timed out or died
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and not self.timed_out and not self.died


class SessionError(RuntimeError):
    """The kernel could not be started (a grader-side problem or no time left)."""


class MemoryWatchdog(threading.Thread):
    """Polls the kernel's process tree RSS; kills the tree above the limit."""

    def __init__(self, pid: int, limit_mb: float, kill):
        super().__init__(daemon=True, name=f"gradekit-watchdog-{pid}")
        self.pid, self.limit_mb, self.kill = pid, limit_mb, kill
        self.peak_mb = 0.0
        self.tripped = False
        # Every process seen in the tree: a daemon that double-forks away is
        # still killed at the end (psutil.Process guards against pid reuse).
        self.seen: dict[int, psutil.Process] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            self.watch()
        except Exception:  # pragma: no cover - never take the grader down
            self.tripped = False

    def watch(self) -> None:
        while not self.stopped.wait(POLL_S):
            procs = process_tree(self.pid)
            if not procs:
                return
            self.seen.update((p.pid, p) for p in procs)
            rss = total_rss_mb(procs)
            self.peak_mb = max(self.peak_mb, rss)
            if rss > self.limit_mb:
                self.tripped = True
                self.kill()
                return


def well_formed(msg) -> bool:
    return isinstance(msg, dict) and isinstance(msg.get("parent_header"), dict) \
        and isinstance(msg.get("content"), dict) and isinstance(msg.get("msg_type"), str)


def process_tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def total_rss_mb(procs: list[psutil.Process]) -> float:
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def sweep_stale_dirs(root: Path) -> None:
    """Remove session dirs whose grader died without cleaning up (a worker
    killed with SIGKILL cannot run its `finally`)."""
    for path in root.glob(f"{TMP_PREFIX}*"):
        owner = path.name[len(TMP_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not psutil.pid_exists(int(owner)):
            shutil.rmtree(path, ignore_errors=True)


def become_subreaper() -> None:
    """Orphans of the kernel (double-forked daemons) get re-parented to us,
    so the cleanup below can still find and kill them."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - non-Linux
        pass


class KernelSession:
    """One sandboxed kernel for one submission; use as a context manager."""

    def __init__(self, support: dict[str, bytes], limits: Limits, *,
                 plan: sandbox.Plan | None = None):
        self.support = support
        self.limits = limits
        self.plan = plan or sandbox.Plan()
        self.uid = self.plan.uid
        self.deadline = time.monotonic() + limits.timeout_s
        self.output_left = limits.output_bytes
        self.replay_log: list[str] = []  # code that ran without killing the kernel
        self.peak_rss_mb = 0.0
        self.restarts = 0
        self.harness: str | None = None  # name of gradekit.remote's harness, once installed
        self.incidents: list[str] = []  # kernel deaths/timeouts during grading calls
        self.failed_calls: dict[str, str] = {}  # notebook function -> why it is not called again
        self.tmp: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.client: BlockingKernelClient | None = None
        self.watchdog: MemoryWatchdog | None = None

    # ---------------------------------------------------------- lifecycle
    def __enter__(self) -> "KernelSession":
        become_subreaper()
        root = self.tmp_root()
        sweep_stale_dirs(Path(root))
        # Our pid in the name: a sweep can tell when the owner is gone.
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=root))
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def tmp_root(self) -> str:
        """The system temp dir, unless a kernel with its own uid could not
        reach a workdir there (a private TMPDIR such as pytest's): then /tmp."""
        root = tempfile.gettempdir()
        if self.uid is None:
            return root
        path = Path(root).resolve()
        if all(os.stat(p).st_mode & 0o001 for p in (path, *path.parents)):
            return root
        return "/tmp"

    @property
    def workdir(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "work"

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def start(self) -> None:
        """Fresh workdir with the support files, then a fresh kernel."""
        if self.remaining() <= 0:
            raise SessionError(f"the submission's time limit ({self.limits.timeout_s:.0f} s) ran out")
        self.prepare_workdir()
        conn = self.tmp / f"kernel-{os.urandom(6).hex()}.json"
        write_connection_file(str(conn), ip="127.0.0.1", key=os.urandom(32).hex().encode())
        self.give_to_kernel(conn)
        with open(self.tmp / "kernel.log", "ab") as log:  # staff diagnostics only
            self.proc = subprocess.Popen(
                sandbox.launch_command(conn, self.plan, self.limits.memory_mb), cwd=self.workdir,
                env=sandbox.launcher_env(self.workdir, self.plan), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
            )
        self.watchdog = MemoryWatchdog(self.proc.pid, self.limits.memory_mb, self.kill)
        self.watchdog.start()
        self.client = BlockingKernelClient(connection_file=str(conn))
        self.client.load_connection_file()
        self.client.start_channels()
        self.wait_until_ready()

    def prepare_workdir(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(mode=0o700)
        os.chmod(self.tmp, 0o711)  # the kernel may traverse, not list, the parent
        for rel, data in self.support.items():
            target = (self.workdir / rel).resolve()
            if not target.is_relative_to(self.workdir.resolve()):
                raise SessionError(f"support file escapes the workdir: {rel}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        self.give_to_kernel(self.workdir)

    def give_to_kernel(self, path: Path) -> None:
        """chown to the kernel's uid (when it has its own) everything it must use."""
        if self.uid is None:
            return
        paths = [path] if path.is_file() else [path, *path.rglob("*")]
        for p in paths:
            os.chown(p, self.uid, self.uid, follow_symlinks=False)

    def wait_until_ready(self) -> None:
        limit = time.monotonic() + min(STARTUP_TIMEOUT_S, max(self.remaining(), 0.0))
        while time.monotonic() < limit:
            if self.proc.poll() is not None:
                raise SessionError(f"kernel exited at startup: {self.log_tail()}")
            try:
                self.client.wait_for_ready(timeout=1.0)
                return
            except RuntimeError:
                continue
        self.kill()
        raise SessionError("kernel did not start in time")

    def log_tail(self, chars: int = 500) -> str:
        try:
            return (self.tmp / "kernel.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the kernel, its process group and every descendant we can find."""
        proc = self.proc  # the watchdog thread may call this while we stop
        if proc is None:
            return
        family = {p.pid: p for p in process_tree(proc.pid)}
        if self.watchdog is not None:
            family.update(self.watchdog.seen)
        family.update((p.pid, p) for p in self.adopted_orphans(proc.pid))
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for p in family.values():
            try:
                p.kill()
            except psutil.Error:
                pass
        try:
            proc.wait(timeout=5)  # reaped: alive() is False from now on
        except subprocess.TimeoutExpired:  # pragma: no cover - unkillable (D state)
            pass
        for p in family.values():  # reap zombies re-parented to us
            if p.pid != proc.pid:
                try:
                    p.wait(timeout=0.5)
                except psutil.Error:
                    pass

    def adopted_orphans(self, kernel_pid: int) -> list[psutil.Process]:
        """Our children that escaped this kernel's tree (double-forked daemons
        re-parented to us, the subreaper), recognised by the session's home
        or working directory, so other children of ours (other sessions'
        kernels included) are left alone."""
        found = []
        if self.tmp is None:
            return found
        for child in psutil.Process().children():
            if child.pid == kernel_pid:
                continue
            try:
                ours = child.environ().get("HOME") == str(self.workdir) \
                    or child.cwd().startswith(str(self.tmp))
            except psutil.Error:
                continue
            if ours:
                found.append(child)
        return found

    def stop_kernel(self) -> None:
        if self.watchdog is not None:
            self.watchdog.stopped.set()
            self.peak_rss_mb = max(self.peak_rss_mb, self.watchdog.peak_mb)
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.proc is not None:
            self.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - unkillable
                pass
            self.proc = None

    def close(self) -> None:
        try:
            self.stop_kernel()
        finally:
            if self.tmp is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
                self.tmp = None

    def revive(self) -> None:
        """Fresh kernel + workdir, then replay what ran before (outputs dropped)."""
        self.stop_kernel()
        self.restarts += 1
        self.start()
        for source in self.replay_log:
            run = self.run_cell(source, capture=False)
            if run.died or run.timed_out:
                self.stop_kernel()
                raise SessionError(f"replay failed: {run.reason}")

    def death_reason(self) -> str:
        if self.watchdog is not None and self.watchdog.tripped:
            return f"memory limit of {self.limits.memory_mb} MB exceeded"
        return "the kernel died (the code exited or crashed the process)"

    # ------------------------------------------------------------ running
    def run_cell(self, source: str, timeout: float | None = None, *,
                 capture: bool = True) -> CellRun:
        """Run ``source``; never raises for what the code does."""
        started = time.monotonic()
        budget = min(timeout or self.limits.cell_timeout_s, self.remaining())
        run = CellRun()
        if not self.alive() or budget <= 0:
            run.died = not self.alive()
            run.timed_out = budget <= 0
            run.reason = (f"the submission's time limit ({self.limits.timeout_s:.0f} s) ran out"
                          if budget <= 0 else self.death_reason())
            return run
        msg_id = self.client.execute(source, store_history=False, allow_stdin=False,
                                     stop_on_error=False)
        if not self.wait_idle(msg_id, started + budget, run, capture):
            self.interrupt(msg_id, run, capture)
            run.timed_out = True
            run.reason = run.reason or f"exceeded the time limit of {budget:.0f} s"
        self.drain_shell()
        run.seconds = time.monotonic() - started
        return run

    def wait_idle(self, msg_id: str, until: float, run: CellRun, capture: bool) -> bool:
        """Collect messages of ``msg_id`` until the kernel is idle (True),
        it dies (True, run.died set) or ``until`` passes (False)."""
        while time.monotonic() < until:
            if not self.alive():
                run.died, run.reason = True, self.death_reason()
                return True
            try:
                msg = self.client.get_iopub_msg(timeout=POLL_S)
            except queue.Empty:
                continue
            except Exception:  # garbled by the kernel (student code can patch its json)
                continue
            if not well_formed(msg) or msg["parent_header"].get("msg_id") != msg_id:
                continue
            if self.absorb(msg, run, capture):
                return True
        return False

    def absorb(self, msg: dict, run: CellRun, capture: bool) -> bool:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status":
            return content.get("execution_state") == "idle"
        if kind == "error":
            run.error = (str(content.get("ename", ""))[:200],
                         str(content.get("evalue", ""))[:ERROR_TEXT_CHARS])
        elif capture and kind == "stream":
            self.keep_output(run, content.get("text", ""))
        elif capture and kind in ("execute_result", "display_data"):
            self.keep_output(run, str(content.get("data", {}).get("text/plain", "")) + "\n")
        return False

    def keep_output(self, run: CellRun, text: str) -> None:
        """Keep output up to the per-submission cap; mark the cut once."""
        if self.output_left <= 0:
            return
        piece = text[: self.output_left]
        self.output_left -= len(piece)
        run.output += piece
        if self.output_left <= 0:
            run.output += TRUNCATED

    def interrupt(self, msg_id: str, run: CellRun, capture: bool) -> None:
        """SIGINT; if the kernel does not come back (C loop, ignored signal), kill it."""
        try:
            os.kill(self.proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        if self.wait_idle(msg_id, time.monotonic() + INTERRUPT_GRACE_S, run, capture) \
                and not run.died:
            return
        self.kill()
        run.died = True

    def drain_shell(self) -> None:
        while True:
            try:
                self.client.get_shell_msg(timeout=0)
            except queue.Empty:
                return
            except Exception:  # a garbled reply: dropped like the rest
                continue


@dataclass
class NotebookRun:
    """Outcome of running a sanitized notebook's cells in order."""

    cells: list[CellRun] = field(default_factory=list)
    timeouts: list[str] = field(default_factory=list)  # "<label>: <reason>"
    crashes: list[str] = field(default_factory=list)  # kernel deaths (memory, exit, crash)
    output: str = ""  # captured output, capped

    @property
    def problems(self) -> list[str]:
        return self.timeouts + self.crashes


def run_cells(session: KernelSession, sources: list[str], labels: list[str]) -> NotebookRun:
    """Run cells in order. A cell that kills the kernel is dropped and a
    fresh kernel replays the others; an interrupted cell is not replayed."""
    result = NotebookRun()
    for source, label in zip(sources, labels):
        if session.remaining() <= 0:
            result.timeouts.append(f"{label}: the submission's time limit "
                                   f"({session.limits.timeout_s:.0f} s) ran out")
            break
        run = session.run_cell(source)
        result.cells.append(run)
        result.output += run.output
        if run.died:
            target = result.timeouts if run.timed_out else result.crashes
            target.append(f"{label}: {run.reason}")
            if not restart_for_next(session, result, label):
                break
        elif run.timed_out:
            result.timeouts.append(f"{label}: {run.reason}")
        else:
            session.replay_log.append(source)
    return result


def restart_for_next(session: KernelSession, result: NotebookRun, label: str) -> bool:
    try:
        session.revive()
        return True
    except SessionError as exc:
        result.crashes.append(f"after {label}: could not restart the kernel ({exc})")
        return False
