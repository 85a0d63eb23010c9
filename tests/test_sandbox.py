import os
import resource

import pytest

from gradekit import sandbox


def test_kernel_env_is_scrubbed_and_homed_in_the_workdir(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_TOKEN", "secret")
    monkeypatch.setenv("PYTHONPATH", "/grader/private")
    monkeypatch.setenv("GITHUB_TOKEN", "secret")
    env = sandbox.kernel_env(tmp_path)
    assert not any(k.startswith("JUPYTER") or k in ("PYTHONPATH", "GITHUB_TOKEN") for k in env)
    assert env["HOME"] == str(tmp_path)
    for key in ("TMPDIR", "MPLCONFIGDIR", "IPYTHONDIR"):
        assert env[key].startswith(str(tmp_path))
    assert env["MPLBACKEND"] == "Agg" and env["OMP_NUM_THREADS"] == "1"
    assert env["PYTHONHASHSEED"] == "0"


def test_launcher_gets_the_project_path_and_kernel_path_separately(tmp_path):
    plan = sandbox.Plan(65534, "/usr/bin/python3", "/site")
    env = sandbox.launcher_env(tmp_path, plan)
    assert env["PYTHONPATH"] == str(sandbox.PROJECT_ROOT)
    assert env["KERNEL_PYTHONPATH"] == "/site"
    cmd = sandbox.launch_command(tmp_path / "k.json", plan)
    assert cmd[1:3] == ["-m", "gradekit.sandbox"]
    assert cmd[cmd.index("--uid") + 1] == "65534" and cmd[cmd.index("--python") + 1] == "/usr/bin/python3"
    assert "--uid" not in sandbox.launch_command(tmp_path / "k.json", sandbox.Plan())


def test_no_privilege_drop_when_not_root(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert sandbox.plan() == sandbox.Plan()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_plan_as_root_drops_to_a_usable_interpreter():
    plan = sandbox.plan()
    assert plan.uid in (sandbox.private_uid(), sandbox.NOBODY), "no usable interpreter"
    assert sandbox.usable_by(plan.uid, plan.python, plan.pythonpath)


def test_private_uids_differ_between_workers_and_from_accounts():
    import pwd
    uid = sandbox.private_uid()
    assert uid not in {p.pw_uid for p in pwd.getpwall()}
    child = os.fork()
    if child == 0:
        os._exit(0 if sandbox.private_uid() != uid else 1)
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0


def run_in_child(fn) -> int:
    """fn() in a forked child; its exit status."""
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(fn())
        except BaseException:
            os._exit(99)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_limits_cannot_be_raised_again():
    def child():
        sandbox.set_limits(8000)
        assert resource.getrlimit(resource.RLIMIT_AS)[0] == 8000 * 2**20
        assert resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
        assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] == sandbox.MAX_FILE_BYTES
        try:
            resource.setrlimit(resource.RLIMIT_CORE, (1, 1))
        except (ValueError, OSError):
            return 0
        return 1 if os.geteuid() != 0 else 0  # root may raise hard limits; the drop stops that
    assert run_in_child(child) == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_dropped_kernel_cannot_read_or_write_grader_files(tmp_path):
    secret = tmp_path / "spec.json"
    secret.write_text("hidden tests")
    secret.chmod(0o600)

    def child():
        sandbox.set_limits()
        sandbox.drop_privileges(sandbox.NOBODY, sandbox.NOBODY)
        if os.getuid() != sandbox.NOBODY or os.getgroups():
            return 2
        for mode in ("r", "a"):
            try:
                open(secret, mode)
                return 3
            except PermissionError:
                pass
        try:
            os.setuid(0)
            return 4
        except PermissionError:
            return 0
    assert run_in_child(child) == 0
