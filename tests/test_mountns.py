"""gradekit.mountns: what a root-run kernel can still see of the grader's files."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from gradekit import mountns, sandbox
from gradekit.execute import KernelSession
from gradekit.model import Limits


@pytest.fixture
def world_readable_dir():
    """A folder any uid can enter (pytest's tmp_path is 0700 under root, which
    would hide files from the kernel's uid even without a mount namespace)."""
    folder = Path(tempfile.mkdtemp(prefix="gradekit-mountns-test-", dir="/tmp"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_outermost_keeps_existing_folders_not_inside_another(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "c").mkdir()
    found = mountns.outermost([str(tmp_path / "a" / "b"), str(tmp_path / "a"),
                               str(tmp_path / "c"), str(tmp_path / "missing")])
    assert found == [(tmp_path / "a").resolve(), (tmp_path / "c").resolve()]


def test_nothing_to_hide_touches_nothing():
    assert mountns.hide([], ["/usr"]) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="the mount namespace is only used when grading as root")
def test_kernel_sees_neither_hidden_folders_nor_other_processes(world_readable_dir):
    secret = world_readable_dir / "course"
    secret.mkdir(mode=0o755)
    (secret / "hidden_tests.py").write_text("assert answer == 42\n")
    os.chmod(secret / "hidden_tests.py", 0o644)  # world-readable, as in a TA checkout
    plan = sandbox.plan((str(secret),))
    if plan.uid is None:
        pytest.skip("no unprivileged interpreter on this machine")
    probe = (f"import os\nprint(os.path.exists({str(secret / 'hidden_tests.py')!r}), "
             "sorted(p for p in os.listdir('/proc') if p.isdigit()) == [str(os.getpid())])\n"
             "import numpy\nprint('imports ok')")
    with KernelSession({}, Limits(timeout_s=120, cell_timeout_s=60), plan=plan) as session:
        run = session.run_cell(probe, 60)
    assert run.error is None, run
    assert run.output.split() == ["False", "True", "imports", "ok"]
    assert Path(secret / "hidden_tests.py").exists()  # hidden from the kernel only
