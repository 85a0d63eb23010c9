"""grade_submission end to end on a tiny spec: the engine-level tamper battery.

Every case: the grade completes, wrong answers earn nothing, the status and
reason say why. Each test grades in a real sandboxed kernel (a few seconds).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import psutil
import pytest

from factories import (
    HIDDEN_ADD, code_cell, notebook, solved, support, tiny_spec,
    write_notebook,
)
from gradekit import sandbox
from gradekit.grade import grade_submission, main
from gradekit.judge import REDACTED
from gradekit.model import Limits, Spec, Status, SubmissionResult, spec_json

pytestmark = pytest.mark.slow
# Generous per-cell time: `import torch` takes seconds on a loaded machine.
LIMITS = Limits(timeout_s=120, cell_timeout_s=30, memory_mb=1000, output_bytes=20_000)
SHORT = Limits(timeout_s=60, cell_timeout_s=4, memory_mb=1000, output_bytes=20_000)
DROPS_PRIVILEGES = sandbox.plan().uid is not None


def grade(tmp_path: Path, answers: dict, *, added: list[tuple[str, str]] = (),
          spec: Spec | None = None, name: str = "alice.ipynb") -> SubmissionResult:
    """Grade a tiny notebook; ``added`` = (answer id to insert after, code) cells."""
    spec = spec or tiny_spec(limits=LIMITS)
    nb = notebook(spec, answers)
    for after, code in added:
        at = next(i for i, c in enumerate(nb["cells"]) if c.get("id") == after)
        nb["cells"].insert(at + 1, code_cell(code))
    path = write_notebook(tmp_path / "subs" / name, nb)
    return grade_submission(spec, support(), path, root=tmp_path / "subs")


def scores(result: SubmissionResult) -> dict[str, float]:
    return {q.name: q.score for q in result.questions}


def feedback(result: SubmissionResult, question: str) -> str:
    q = next(q for q in result.questions if q.name == question)
    return "\n".join(t.feedback for t in q.tests)


def test_correct_submission_gets_full_marks(tmp_path):
    result = grade(tmp_path, solved(), name="alice.ipynb")
    assert result.status == Status.OK and result.reason == ""
    assert scores(result) == {"q_add": 2.0, "q_corr": 3.0, "q_why": 0.0}
    assert (result.score, result.max_score) == (5.0, 5.0)
    assert result.questions[-1].manual and result.questions[-1].max_score == 2.0
    assert result.manual_answers == {"q_why": solved()["q-why-answer"]}
    assert result.student == "alice" and result.submission == "alice.ipynb"
    assert result.peak_rss_mb > 50 and result.timings["total"] > 0
    assert result.integrity == []


def test_comparison_patching_and_lying_objects_earn_nothing(tmp_path):
    add = ("import numpy, torch\n"
           "numpy.allclose = lambda *a, **k: True\nnumpy.array_equal = lambda *a, **k: True\n"
           "numpy.testing.assert_allclose = lambda *a, **k: None\n"
           "torch.allclose = lambda *a, **k: True\n"
           "class Liar:\n    def __eq__(self, other): return True\n"
           "def add(a, b):\n    return Liar()\n")
    corr = ("class Sub(np.ndarray):\n    def __eq__(self, other): return True\n"
            "def corr(x, w):\n    return np.zeros((2, 2)).view(Sub)\n")
    result = grade(tmp_path, solved(**{"q-add-answer": add, "q-corr-answer": corr}))
    # q_corr's public test checks the shape only, which the zeros have; the hidden one fails.
    assert scores(result) == {"q_add": 0.0, "q_corr": 1.0, "q_why": 0.0}
    assert "unsupported type Liar" in feedback(result, "q_add")
    assert result.status == Status.OK


def test_hard_coded_public_output_fails_hidden_tests(tmp_path):
    result = grade(tmp_path, solved(**{"q-add-answer": "def add(a, b):\n    return 3\n"}))
    assert scores(result)["q_add"] == 1.0
    spec = tiny_spec(limits=LIMITS)
    strict = Spec(**{**spec.__dict__, "questions": (
        spec.questions[0].__class__(**{**spec.questions[0].__dict__, "all_or_nothing": True}),
        *spec.questions[1:])})
    result = grade(tmp_path, solved(**{"q-add-answer": "def add(a, b):\n    return 3\n"}),
                   spec=strict, name="bob.ipynb")
    assert scores(result)["q_add"] == 0.0


def test_forbidden_conv2d_scores_zero_statically_and_at_run_time(tmp_path):
    static = "def corr(x, w):\n    return F.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0]\n"
    sneaky = ("_op = getattr(torch, 'conv' + '2d')\n"
              "def corr(x, w):\n    return _op(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0]\n")
    for name, corr in (("s.ipynb", static), ("r.ipynb", sneaky)):
        result = grade(tmp_path, solved(**{"q-corr-answer": corr}), name=name)
        assert scores(result)["q_corr"] == 0.0, name
        assert "uses torch.nn.functional.conv2d, which this exercise asks you to implement" \
            in feedback(result, "q_corr")
        assert scores(result)["q_add"] == 2.0


def test_exception_messages_cannot_publish_hidden_tests(tmp_path):
    add = f"def add(a, b):\n    raise ValueError({HIDDEN_ADD!r})\n"
    result = grade(tmp_path, solved(**{"q-add-answer": add}))
    assert scores(result)["q_add"] == 0.0
    hidden = next(t for t in result.questions[0].tests if t.hidden)
    assert hidden.feedback == REDACTED
    assert "secret matrices" not in json.dumps([t.feedback for q in result.questions for t in q.tests])


def test_exits_are_survived_and_named(tmp_path):
    added = [("intro", "import sys\nsys.exit()"), ("q-add-answer", "import os\nos._exit(0)")]
    result = grade(tmp_path, solved(), added=added)
    assert scores(result) == {"q_add": 2.0, "q_corr": 3.0, "q_why": 0.0}
    assert result.status == Status.ERROR
    assert "added cell after q_add" in result.reason and "kernel died" in result.reason


def test_killing_the_kernel_inside_a_graded_call(tmp_path):
    add = ("import os\ndef add(a, b):\n    if np.shape(a) == (2, 3):\n"
           "        os.kill(os.getpid(), 9)\n    return np.asarray(a) + np.asarray(b)\n")
    result = grade(tmp_path, solved(**{"q-add-answer": add}))
    assert scores(result) == {"q_add": 1.0, "q_corr": 3.0, "q_why": 0.0}
    assert result.status == Status.ERROR and "add()" in result.reason


def test_infinite_loops_in_python_and_c_time_out(tmp_path):
    added = [("q-add-answer", "while True:\n    pass"), ("q-corr-answer", "sum(range(10**15))")]
    result = grade(tmp_path, solved(), added=added, spec=tiny_spec(limits=SHORT, light=True))
    assert scores(result) == {"q_add": 2.0, "q_corr": 3.0, "q_why": 0.0}
    assert result.status == Status.TIMEOUT and "time limit" in result.reason
    assert "(+1 more)" in result.reason


def test_memory_bomb_and_flood_of_output(tmp_path):
    added = [("q-add-answer", "for _ in range(50):\n    print('y' * 10**6)"),
             ("q-corr-answer", "import numpy as np\nhog = [np.ones(10**7) for _ in range(1000)]")]
    result = grade(tmp_path, solved(), added=added)
    assert scores(result) == {"q_add": 2.0, "q_corr": 3.0, "q_why": 0.0}
    assert result.status == Status.ERROR and "memory limit of 1000 MB" in result.reason
    assert len(json.dumps(result.to_dict())) < 20_000


@pytest.mark.skipif(not DROPS_PRIVILEGES, reason="needs root and an interpreter nobody can run")
def test_kernel_cannot_read_grader_files_or_write_outside_its_workdir(tmp_path):
    secret = tmp_path / "spec" / "spec.json"
    secret.parent.mkdir()
    secret.write_text(spec_json(tiny_spec()))
    out = tmp_path / "grades"
    out.mkdir(mode=0o755)
    snoop = (f"def add(a, b):\n    found = ''\n"
             f"    for path in ({str(secret)!r}, {str(Path(__file__))!r}):\n"
             f"        try:\n            found += open(path).read()\n"
             f"        except OSError as e:\n            found += type(e).__name__\n"
             f"    for target in ({str(out / 'alice.json')!r}, {str(Path(__file__).parent / 'pwned')!r}):\n"
             f"        try:\n            open(target, 'w').write('0')\n"
             f"        except OSError:\n            pass\n"
             f"    raise ValueError(found[:3000])\n")
    result = grade(tmp_path, solved(**{"q-add-answer": snoop}))
    assert scores(result)["q_add"] == 0.0
    assert "PermissionError" in feedback(result, "q_add")
    assert not (out / "alice.json").exists() and not (Path(__file__).parent / "pwned").exists()
    assert "secret matrices" not in json.dumps(result.to_dict())


def test_locked_cell_edits_are_flagged_and_do_not_change_scores(tmp_path):
    spec = tiny_spec(limits=LIMITS)
    nb = notebook(spec, solved())
    nb["cells"] = [c for c in nb["cells"] if c["id"] != "q-add-check"]
    imports = next(c for c in nb["cells"] if c["id"] == "imports")
    imports["source"] += "\nnp.allclose = lambda *a, **k: True"
    path = write_notebook(tmp_path / "carol.ipynb", nb)
    result = grade_submission(spec, support(), path)
    assert scores(result) == {"q_add": 2.0, "q_corr": 3.0, "q_why": 0.0}
    assert result.integrity == ["locked cell 'imports' edited", "check cell for q_add deleted"]


def test_invalid_and_zipped_submissions(tmp_path):
    spec = tiny_spec(limits=LIMITS)
    bad = tmp_path / "sub" / "dave.ipynb"
    bad.parent.mkdir()
    bad.write_text("{oops")
    result = grade_submission(spec, support(), bad, root=tmp_path)
    assert result.status == Status.INVALID and "not valid JSON" in result.reason
    assert result.submission == "sub/dave.ipynb" and result.student == "dave"
    assert [q.name for q in result.questions] == ["q_add", "q_corr", "q_why"]
    pwned = tmp_path / "pwned"
    evil = b"cos\nsystem\n(S'touch " + str(pwned).encode() + b"'\ntR."
    export = tmp_path / "erin.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("tiny.ipynb", json.dumps(notebook(spec, solved())))
        zf.writestr(".OTTER_LOG", evil)
        zf.writestr("results.pkl", evil)
    result = grade_submission(spec, support(), export)
    assert result.status == Status.OK and result.score == 5.0 and result.student == "erin"
    assert not pwned.exists()


def test_grade_one_cli_writes_the_result(tmp_path):
    spec = tiny_spec(limits=LIMITS)
    spec_dir = tmp_path / "ag" / "spec"
    (spec_dir / "support" / "data").mkdir(parents=True)
    (spec_dir / "spec.json").write_text(spec_json(spec))
    (spec_dir / "support" / "data" / "numbers.txt").write_bytes(support()["data/numbers.txt"])
    sub = write_notebook(tmp_path / "subs" / "x" / "frank.ipynb", notebook(spec, solved()))
    out = tmp_path / "out" / "frank.json"
    code = main(["--spec", str(tmp_path / "ag"), "--submission", str(sub), "--out", str(out),
                 "--root", str(tmp_path / "subs"), "--cell-timeout", "40"])
    assert code == 0
    result = SubmissionResult.from_dict(json.loads(out.read_text()))
    assert result.submission == "x/frank.ipynb" and result.score == 5.0
    assert main(["--spec", str(tmp_path / "nope"), "--submission", str(sub), "--out", str(out)]) == 0
    assert json.loads(out.read_text())["status"] == "error"


def test_sigterm_to_a_grade_one_worker_cleans_up(tmp_path):
    spec = tiny_spec(limits=SHORT, light=True)
    spec_dir = tmp_path / "ag" / "spec"
    (spec_dir / "support" / "data").mkdir(parents=True)
    (spec_dir / "spec.json").write_text(spec_json(spec))
    (spec_dir / "support" / "data" / "numbers.txt").write_bytes(b"1")
    nb = notebook(spec, solved(**{"q-add-answer": "import time\ntime.sleep(300)"}))
    sub = write_notebook(tmp_path / "gina.ipynb", nb)
    # A temp root the kernel (maybe `nobody`) can traverse; pytest's is private.
    tmp = Path(tempfile.mkdtemp(prefix="gradekit-test-tmp-", dir="/tmp"))
    tmp.chmod(0o755)
    try:
        sigterm_worker(tmp_path, tmp, sub)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def sigterm_worker(tmp_path, tmp, sub):
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(sandbox.PROJECT_ROOT)}
    worker = subprocess.Popen([sys.executable, "-m", "gradekit", "grade-one", "--spec",
                               str(tmp_path / "ag"), "--submission", str(sub), "--out",
                               str(tmp_path / "gina.json"), "--cell-timeout", "300"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp.glob("gradekit-kernel-*/work/.tmp")):
        time.sleep(0.2)
    assert list(tmp.glob("gradekit-kernel-*")), "the worker never started its kernel"
    kernels = [p for p in psutil.Process(worker.pid).children(recursive=True)]
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(tmp.iterdir()) == []
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in kernels)
