"""Hide grader files from a kernel with a private mount namespace.

Dropping the kernel to another uid stops it reading the grader's private
files, but not world-readable ones: a TA's checkout (master notebooks with
hidden tests, the autograder zip, other students' submissions), whose path
the kernel can learn from any process's ``/proc/<pid>/cmdline``. When we are
root (Gradescope, CI, a root-run DataHub grader), the launcher therefore
unshares its mount namespace before the drop, lays an empty tmpfs over each
hidden folder, puts back only what the kernel needs to run (its Python
environment), and remounts ``/proc`` with ``hidepid=2`` so other processes
are invisible. Standard library only: it runs in the launcher.

Best effort by design: where the platform forbids mounts (an unprivileged
container), :func:`hide` says so and the uid drop remains the barrier.
"""

from __future__ import annotations

import ctypes
import os
import tempfile
from pathlib import Path

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x2, 0x4, 0x8
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 0x1000, 0x2000, 0x4000, 0x40000

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    encode = (lambda s: s.encode() if s is not None else None)
    if _libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def outermost(paths: list[str]) -> list[Path]:
    """Existing folders among ``paths``, resolved, without those inside another."""
    folders = sorted({Path(p).resolve() for p in paths if Path(p).is_dir()})
    return [f for f in folders if not any(g != f and _within(f, g) for g in folders)]


def hide(hidden: list[str], keep: list[str]) -> str | None:
    """Hide ``hidden`` folders except the ``keep`` folders inside them.

    Must run as root in the launcher, before the privilege drop. Returns None
    on success, else why nothing (or not everything) could be hidden.
    """
    hidden_dirs = outermost(hidden)
    if not hidden_dirs:
        return None
    if _libc.unshare(CLONE_NEWNS) != 0:
        return f"no private mount namespace: {os.strerror(ctypes.get_errno())}"
    try:
        _mount(None, "/", None, MS_REC | MS_PRIVATE, None)  # nothing propagates back
        kept = [k for k in outermost(keep) if any(_within(k, h) for h in hidden_dirs)]
        staged = [(k, _stage(k)) for k in kept]
        for folder in hidden_dirs:
            _mount("tmpfs", str(folder), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
        for original, stage in staged:
            original.mkdir(parents=True, exist_ok=True)  # on the new tmpfs
            _mount(stage, str(original), None, MS_MOVE, None)
            os.rmdir(stage)
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    except OSError as exc:
        return f"could not hide grader files: {exc}"
    return None


def _stage(folder: Path) -> str:
    """Bind ``folder`` to a fresh mount point outside every hidden folder."""
    stage = tempfile.mkdtemp(prefix="gradekit-keep-", dir="/dev/shm" if os.path.isdir("/dev/shm") else "/tmp")
    _mount(str(folder), stage, None, MS_BIND | MS_REC, None)
    return stage
