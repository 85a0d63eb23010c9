"""Launcher of the student's kernel: limits, privilege drop, then ipykernel.

Run as ``python -m gradekit.sandbox [--uid N --gid N] -f <connection_file>``
with cwd = the submission's fresh working directory. It imports only the
standard library, sets resource limits, drops root privileges when asked
(so student code cannot read grader files such as the spec), then *replaces
itself* with ipykernel (``os.execve``): the kernel keeps this process id, so
the grader's process-group kill reaches it.

:func:`kernel_env` builds the scrubbed environment the grader passes in;
:func:`launch_command` is the argv the grader starts.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import signal
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from gradekit import mountns

NOBODY = 65534
PRIVATE_UID_BASE = 1_500_000_000  # far above any system or login account
PRIVATE_UID_SPAN = 4_000_000  # > pid_max (2**22), so live workers never share one
MAX_PROCESSES = 512  # threads count too: torch/OpenMP pools spawn many
MAX_FILE_BYTES = 200 * 1024 * 1024
ADDRESS_SPACE_HEADROOM_MB = 4096
PR_SET_PDEATHSIG = 1
# Variables the kernel may inherit; everything else (JUPYTER_*, PYTHONPATH,
# tokens, CI secrets) is dropped.
KEPT_VARIABLES = ("PATH", "LANG", "LC_ALL", "TZ")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def kernel_env(workdir: Path) -> dict[str, str]:
    """The scrubbed environment of a kernel whose home is ``workdir``."""
    env = {k: os.environ[k] for k in KEPT_VARIABLES if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    tmp = workdir / ".tmp"
    env.update(
        HOME=str(workdir),
        TMPDIR=str(tmp),
        MPLCONFIGDIR=str(tmp / "mpl"),
        IPYTHONDIR=str(tmp / "ipython"),
        MPLBACKEND="Agg",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@dataclass(frozen=True)
class Plan:
    """How kernels are started on this machine."""

    uid: int | None = None  # drop to this uid (None: run as the grader's user)
    python: str = sys.executable  # interpreter of the kernel
    pythonpath: str | None = None  # site-packages it needs when not its own
    hidden: tuple[str, ...] = ()  # folders laid over with tmpfs (gradekit.mountns)


def launch_command(connection_file: Path, plan: Plan, memory_mb: int | None = None) -> list[str]:
    """argv starting this launcher (and then the kernel) for one session."""
    cmd = [sys.executable, "-m", "gradekit.sandbox", "-f", str(connection_file),
           "--python", plan.python, "--parent-pid", str(os.getpid())]
    if memory_mb is not None:
        cmd += ["--address-space-mb", str(address_space_mb(memory_mb))]
    if plan.uid is not None:
        cmd += ["--uid", str(plan.uid), "--gid", str(plan.uid)]
    for folder in plan.hidden:
        cmd += ["--hide", folder]
    return cmd


def launcher_env(workdir: Path, plan: Plan) -> dict[str, str]:
    """kernel_env + just enough for ``-m gradekit.sandbox`` to import; the
    launcher puts ``KERNEL_PYTHONPATH`` in place of ``PYTHONPATH``."""
    env = {**kernel_env(workdir), "PYTHONPATH": str(PROJECT_ROOT)}
    if plan.pythonpath:
        env["KERNEL_PYTHONPATH"] = plan.pythonpath
    return env


def plan(hidden: tuple[str, ...] = ()) -> Plan:
    """When we are root: the uid to drop to and an interpreter it can run.

    ``hidden``: folders the kernel must not see besides the project itself
    (e.g. the submissions folder); only used when privileges are dropped.

    The uid is private to this grader process (one per batch worker), so
    parallel kernels cannot signal, ptrace or read one another; ``nobody``
    is the fallback where such uids cannot be used (e.g. a user namespace
    mapping few uids). The interpreter is ours, or else a system Python of
    the same version given our site-packages (ours may live under a 0700 /root).
    """
    if os.geteuid() != 0:
        return Plan()
    site = os.pathsep.join(dict.fromkeys(
        sysconfig.get_paths()[k] for k in ("purelib", "platlib")))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    pythons = [(sys.executable, None)] + [
        (c, site) for c in (f"/usr/bin/{version}", f"/usr/local/bin/{version}")
        if os.path.exists(c)]
    for uid in (private_uid(), NOBODY):
        for python, path in pythons:
            if usable_by(uid, python, path):
                return Plan(uid, python, path, (str(PROJECT_ROOT), *hidden))
    return Plan()  # no drop possible: a documented limitation


def private_uid() -> int:
    """A uid no account uses, derived from our pid (unique among live workers)."""
    return PRIVATE_UID_BASE + os.getpid() % PRIVATE_UID_SPAN


def usable_by(uid: int, python: str, pythonpath: str | None) -> bool:
    """Whether ``uid`` can start ``python`` and import a compiled dependency."""
    env = {"PATH": "/usr/bin:/bin", "HOME": "/"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    probe = f"import sys, zmq; assert sys.version_info[:2] == {tuple(sys.version_info[:2])}"
    try:
        done = subprocess.run(
            [python, "-s", "-c", probe], user=uid, group=uid, extra_groups=[], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=30, cwd="/",
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def address_space_mb(memory_mb: int) -> int:
    """A virtual-memory cap far above the RSS limit. torch alone maps ~1.4 GB
    (VmPeak measured after `import torch` + a matmul, OMP_NUM_THREADS=1), so
    the cap only stops huge single allocations early (as a MemoryError);
    the grader's RSS watchdog enforces the real limit."""
    return memory_mb + ADDRESS_SPACE_HEADROOM_MB


def set_limits(address_space: int | None = None) -> None:
    """Limits the kernel cannot raise again (hard = soft)."""
    limits = [
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, MAX_PROCESSES),
        (resource.RLIMIT_FSIZE, MAX_FILE_BYTES),
    ]
    if address_space is not None:
        limits.append((resource.RLIMIT_AS, address_space * 2**20))
    for limit, value in limits:
        resource.setrlimit(limit, (value, value))


def drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.geteuid() != uid or os.getuid() != uid:  # pragma: no cover - defensive
        raise SystemExit("sandbox: could not drop privileges")


def die_with_parent(parent_pid: int | None) -> None:
    """SIGKILL the kernel if the grader dies (e.g. a worker killed by the
    batch): it runs in its own session, out of reach of a group kill. Set
    after the privilege drop, which would clear it; kept across execve."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - non-Linux
        return
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the grader died before we got here


def kernel_argv(python: str, connection_file: str) -> list[str]:
    return [
        python, "-s", "-m", "ipykernel_launcher", "-f", connection_file,
        "--HistoryManager.enabled=False",  # no sqlite history in the workdir
        "--IPKernelApp.quiet=True",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gradekit.sandbox")
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--uid", type=int)
    parser.add_argument("--gid", type=int)
    parser.add_argument("--address-space-mb", type=int)
    parser.add_argument("--parent-pid", type=int)
    parser.add_argument("--hide", action="append", default=[])
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERNEL_PYTHONPATH")}
    if os.environ.get("KERNEL_PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["KERNEL_PYTHONPATH"]
    if args.hide:
        keep = [sys.prefix, os.path.dirname(args.python), *env.get("PYTHONPATH", "").split(os.pathsep)]
        problem = mountns.hide(args.hide, [k for k in keep if k])
        if problem:  # the uid drop still protects files others cannot read
            print(f"gradekit.sandbox: {problem}", file=sys.stderr)
    set_limits(args.address_space_mb)
    if args.uid is not None:
        drop_privileges(args.uid, args.gid if args.gid is not None else args.uid)
    die_with_parent(args.parent_pid)
    for key in ("TMPDIR", "MPLCONFIGDIR", "IPYTHONDIR"):  # after the drop: owned by the kernel
        if key in env:
            os.makedirs(env[key], exist_ok=True)
    os.execve(args.python, kernel_argv(args.python, args.connection_file), env)


if __name__ == "__main__":
    main()
