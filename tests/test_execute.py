"""Kernel sessions: limits, restarts and cleanup (each test starts real kernels)."""

import glob
import os
import tempfile

import psutil
import pytest

from gradekit import sandbox
from gradekit import execute
from gradekit.execute import TRUNCATED, KernelSession, run_cells
from gradekit.model import Limits

pytestmark = pytest.mark.slow
LIMITS = Limits(timeout_s=60, cell_timeout_s=3, memory_mb=600, output_bytes=10_000)


def live_children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)
            if p.status() != psutil.STATUS_ZOMBIE}


@pytest.fixture
def no_leaks(monkeypatch):
    """Fail the test if it leaves a process or a temp dir behind."""
    # A prefix of our own: other people's sessions may run on this machine.
    prefix = f"gradekit-kernel-test{os.getpid()}-"
    monkeypatch.setattr(execute, "TMP_PREFIX", prefix)
    before_procs = live_children()
    yield
    assert live_children() <= before_procs
    assert glob.glob(os.path.join(tempfile.gettempdir(), prefix + "*")) == []


@pytest.fixture
def session(no_leaks):
    with KernelSession({"data/x.txt": b"42"}, LIMITS, plan=sandbox.plan()) as s:
        yield s


def test_runs_code_in_a_workdir_with_only_support_files(session):
    run = session.run_cell("import os\nprint(sorted(os.listdir('.')), open('data/x.txt').read())\n"
                           "print('PYTHONPATH' in os.environ and 'gradekit' in os.environ['PYTHONPATH'])")
    assert run.ok and run.output == "['.tmp', 'data'] 42\nFalse\n"
    assert session.run_cell("1/0").error == ("ZeroDivisionError", "division by zero")
    assert session.run_cell("x = 5\nx").output == "5\n"


def test_python_loop_is_interrupted_and_the_kernel_survives(session):
    run = session.run_cell("while True: pass", timeout=1)
    assert run.timed_out and not run.died and "time limit" in run.reason
    assert session.run_cell("print(1)").output == "1\n"


@pytest.mark.parametrize("code", [
    "sum(range(10**15))",  # a loop in C that never checks for signals
    "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass",
])
def test_unresponsive_kernel_is_killed(session, code):
    run = session.run_cell(code, timeout=1)
    assert run.timed_out and run.died and not session.alive()


def test_memory_bomb_is_killed_and_peak_recorded(session):
    # Page faults are slow on a loaded machine: allow time to reach the limit.
    run = session.run_cell("import numpy as np\nx = [np.ones(10**7) for _ in range(1000)]",
                           timeout=60)
    assert run.died and "memory limit of 600 MB" in run.reason
    session.stop_kernel()
    assert session.peak_rss_mb > 500


def test_huge_allocation_fails_fast_under_the_address_space_cap(session):
    run = session.run_cell("import numpy as np\nx = np.empty(10**11)")  # 800 GB
    assert run.error[0] == "MemoryError" and session.alive()
    assert session.run_cell("import torch\nprint(torch.ones(2).sum().item())").output == "2.0\n"


def test_process_exit_is_a_death_and_sys_exit_is_not(session):
    assert session.run_cell("import sys; sys.exit(3)").error[0] == "SystemExit"
    assert session.alive()
    run = session.run_cell("import os; os.kill(os.getpid(), 9)")
    assert run.died and "kernel died" in run.reason


def test_output_is_capped_without_holding_it_all(session):
    grader = psutil.Process()
    before = grader.memory_info().rss
    run = session.run_cell("for _ in range(50):\n    print('x' * 10**6)", timeout=30)
    assert run.ok and len(run.output) == LIMITS.output_bytes + len(TRUNCATED)
    assert run.output.endswith(TRUNCATED)
    assert grader.memory_info().rss - before < 100 * 2**20
    assert session.run_cell("print('more')").output == ""  # budget is per submission


def test_run_cells_replays_good_cells_after_a_crash(no_leaks):
    cells = ["a = 1", "import os; os._exit(1)", "b = a + 1", "while True: pass", "print(a + b)"]
    labels = ["c1", "c2", "c3", "c4", "c5"]
    with KernelSession({}, LIMITS) as s:
        run = run_cells(s, cells, labels)
        assert s.restarts == 1
    assert run.crashes == ["c2: the kernel died (the code exited or crashed the process)"]
    assert run.timeouts and run.timeouts[0].startswith("c4:")
    assert run.cells[-1].output == "3\n"


def test_submission_deadline_stops_the_run(no_leaks):
    with KernelSession({}, Limits(timeout_s=4, cell_timeout_s=3)) as s:
        run = run_cells(s, ["import time; time.sleep(2.5)"] * 3, ["c1", "c2", "c3"])
    assert any("ran out" in t or "time limit" in t for t in run.timeouts)


def test_cleanup_after_exceptions_and_keyboard_interrupt(no_leaks):
    for exc in (RuntimeError, KeyboardInterrupt):
        with pytest.raises(exc):
            with KernelSession({}, LIMITS) as s:
                s.run_cell("import subprocess\np = subprocess.Popen(['sleep', '300'], start_new_session=True)")
                raise exc()


def test_escaped_daemon_is_killed(no_leaks):
    code = ("import os, time\n"
            "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(300)\n"
            "    os._exit(0)\ntime.sleep(0.3)")
    with KernelSession({}, LIMITS) as s:
        assert s.run_cell(code).ok


def test_kernel_dies_with_its_grader():
    """A grader killed outright (SIGKILL) takes its kernel with it."""
    import shutil
    import signal
    import subprocess
    import sys
    import time
    script = ("import sys, time\nsys.path.insert(0, %r)\n"
              "from gradekit.execute import KernelSession\nfrom gradekit.model import Limits\n"
              "from gradekit import sandbox\n"
              "s = KernelSession({}, Limits(), plan=sandbox.plan()).__enter__()\n"
              "print(s.proc.pid, s.tmp, flush=True)\ntime.sleep(300)\n") % str(sandbox.PROJECT_ROOT)
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pid, tmp = grader.stdout.readline().split()
    kernel = psutil.Process(int(pid))
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    try:
        kernel.wait(timeout=10)
    except psutil.TimeoutExpired:
        pytest.fail("the kernel outlived its grader")
    assert os.path.isdir(tmp)  # a SIGKILLed grader cannot clean up ...
    with KernelSession({}, LIMITS, plan=sandbox.plan()):
        assert not os.path.exists(tmp)  # ... the next session sweeps it
