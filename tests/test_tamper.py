"""The tamper battery (issue 6 §3) on the real conv notebook.

Each attack in ``tests/tamper/`` is injected into the real solution notebook
(an answer replaced, ``# replaces: <function>``, or a cell added after one,
``# after: <function>``), plus a crafted export zip carrying pickles. All are
graded in ONE batch by the real engine with short limits. For each attack:
the batch completes with one result per file, the wrong or forbidden answer
earns nothing, a limit hit says so in status/reason, the other questions
keep full marks where that is knowable, no hidden test reaches the student,
and no kernel process or temporary directory outlives the batch.
"""

from __future__ import annotations

import ast
import json
import os
import pickle
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from gradekit.model import Spec, Status, SubmissionResult, load_spec
from gradekit.mutate import defined_names, insert_cell_after, parse_cell, parse_header, \
    substitute_function

ATTACKS = Path(__file__).parent / "tamper"
WRONG_FORWARD = Path(__file__).parent / "mutants" / "conv" / "forward_missing_bias.py"
ASSIGNMENT = "conv"
LIMITS = {"timeout_s": 150.0, "cell_timeout_s": 10.0, "memory_mb": 1500}


@dataclass(frozen=True)
class Expect:
    zero: tuple[str, ...] = ()  # functions whose question must earn nothing
    statuses: tuple[Status, ...] = (Status.OK,)
    reason_mentions: tuple[str, ...] = ()  # any of these words (lowercase) in the reason
    feedback_mentions: str = ""  # the zeroed question's student feedback says why


FUNCTIONS_ONLY_FORWARD = ("conv2d_forward",)
LIMIT_HIT = (Status.TIMEOUT, Status.ERROR)
FORBID_WORD = "implement"  # "... which this exercise asks you to implement yourself"
CASES: dict[str, Expect] = {
    "patch_comparisons": Expect(FUNCTIONS_ONLY_FORWARD),
    "lying_objects": Expect(("conv2d_forward", "conv2d_backward")),
    "read_hidden_tests": Expect(FUNCTIONS_ONLY_FORWARD),
    "exception_with_hidden_line": Expect(FUNCTIONS_ONLY_FORWARD),
    "exit_in_cell": Expect((), (Status.OK, Status.ERROR)),
    "os_exit_in_call": Expect(FUNCTIONS_ONLY_FORWARD, (Status.OK, Status.ERROR),
                              ("died", "exit", "kernel")),
    "kill_kernel_in_cell": Expect((), (Status.OK, Status.ERROR), ("died", "kill", "kernel")),
    "kill_parent": Expect(FUNCTIONS_ONLY_FORWARD),
    "loop_python": Expect(FUNCTIONS_ONLY_FORWARD, LIMIT_HIT, ("time",)),
    "loop_c": Expect(FUNCTIONS_ONLY_FORWARD, LIMIT_HIT, ("time",)),
    "memory_bomb": Expect((), LIMIT_HIT, ("memory",)),
    "big_output": Expect(()),
    "write_outside": Expect(FUNCTIONS_ONLY_FORWARD),
    "forbidden_conv2d": Expect(FUNCTIONS_ONLY_FORWARD, feedback_mentions=FORBID_WORD),
    "forbidden_conv2d_hidden": Expect(FUNCTIONS_ONLY_FORWARD, feedback_mentions=FORBID_WORD),
    "forbidden_torch_conv2d": Expect(FUNCTIONS_ONLY_FORWARD, feedback_mentions=FORBID_WORD),
    "forbidden_conv_module": Expect(FUNCTIONS_ONLY_FORWARD, feedback_mentions=FORBID_WORD),
    "forbidden_default_arg": Expect(FUNCTIONS_ONLY_FORWARD, feedback_mentions=FORBID_WORD),
    "forbidden_aten_convolution": Expect(FUNCTIONS_ONLY_FORWARD, feedback_mentions=FORBID_WORD),
    "forbidden_forged_report": Expect(FUNCTIONS_ONLY_FORWARD, feedback_mentions=FORBID_WORD),
    "export_zip_pickles": Expect(FUNCTIONS_ONLY_FORWARD),
}


# ------------------------------------------------------------------ building

def question_of(spec: Spec, function: str) -> str:
    """The question whose answer cell defines ``function`` in the student notebook."""
    for cell in spec.release_cells:
        tree = parse_cell(cell.source) if cell.cell_type == "code" else None
        if cell.question and tree and any(function in defined_names(n) for n in tree.body):
            return cell.question
    raise LookupError(f"no answer cell defines {function}")


def uses_name(source: str, name: str) -> bool:
    tree = parse_cell(source)
    return bool(tree) and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(tree))


def questions_using(spec: Spec, solution: dict, function: str) -> set[str]:
    """Questions whose solution answer calls ``function``: a wrong ``function``
    may cost points there too, so their scores are not knowable."""
    answers = {c.id: c.question for c in spec.release_cells if c.role == "answer" and c.question}
    found = set()
    for cell in solution["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell.get("id") in answers and cell["cell_type"] == "code" and uses_name(source, function):
            found.add(answers[cell["id"]])
    return found


def hidden_lines(spec: Spec) -> list[str]:
    """Distinctive lines of hidden test code (what must never reach a student)."""
    lines = {line.strip() for q in spec.autograded for t in q.tests if t.hidden
             for line in t.code.splitlines()}
    return sorted(line for line in lines if len(line) >= 25 and not line.startswith(("import", "from")))


def attack_notebook(solution: dict, code: str, spec: Spec) -> dict:
    header = parse_header(code)
    if "HIDDEN_LINE" in code:  # the student "has" a hidden line; feedback must not echo it
        code = code.replace("HIDDEN_LINE", repr(hidden_lines(spec)[0]))
    if "after" in header:
        return insert_cell_after(solution, header["after"], code)
    return substitute_function(solution, code)


class Payload:
    """Unpickling this creates ``path`` (proof that the grader unpickled it)."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def export_zip(path: Path, notebook: dict, marker: Path) -> None:
    """An export zip as otter writes it, plus a pickled .OTTER_LOG, a pickle and a zip-slip member."""
    bomb = pickle.dumps(Payload(str(marker)))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{ASSIGNMENT}.ipynb", json.dumps(notebook))
        zf.writestr(".OTTER_LOG", bomb)
        zf.writestr("results.pkl", bomb)
        zf.writestr("../../escaped.txt", "zip slip")


def write_battery(spec: Spec, solution: dict, folder: Path, marker: Path) -> None:
    folder.mkdir(parents=True)
    for name in CASES:
        if name == "export_zip_pickles":
            wrong = substitute_function(solution, WRONG_FORWARD.read_text())
            export_zip(folder / f"{name}.zip", wrong, marker)
            continue
        nb = attack_notebook(solution, (ATTACKS / f"{name}.py").read_text(), spec)
        (folder / f"{name}.ipynb").write_text(json.dumps(nb))


# ------------------------------------------------------------------ running

def kernel_processes(tmpdir: Path) -> list[psutil.Process]:
    """Live processes whose command line points into our private TMPDIR (kernels, launchers)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(str(tmpdir) in arg for arg in proc.info["cmdline"] or []):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def checkout_copy(zip_path: Path, parent: Path) -> Path:
    """A copy of the zip under ``parent``/<new dir>/autograder/, modes as in a git checkout."""
    top = Path(tempfile.mkdtemp(prefix="gradekit-tamper-checkout-", dir=parent))
    os.chmod(top, 0o755)
    target = top / "autograder" / zip_path.name
    target.parent.mkdir(mode=0o755)
    shutil.copyfile(zip_path, target)
    os.chmod(target, 0o644)
    return target


@dataclass
class Battery:
    spec: Spec
    solution: dict
    results: dict[str, SubmissionResult]
    out: Path
    subs: Path
    marker: Path
    leftover_dirs: list[str]
    leftover_procs: list[str]
    spec_bytes_before: bytes
    spec_bytes_after: bytes
    wall_s: float


def run_battery(zip_path: Path, solution_path: Path, root: Path, jobs: int = 2) -> Battery:
    """Write every attack under ``root``, grade them in one batch, collect the evidence."""
    from gradekit import batch

    spec, _ = load_spec(zip_path)
    solution = json.loads(Path(solution_path).read_text())
    marker = root / "UNPICKLED"
    write_battery(spec, solution, root / "subs", marker)
    # Kernels' temp dirs go to a private TMPDIR so leftovers are ours alone;
    # world-traversable, as /tmp is, for a kernel that runs as nobody.
    kernel_tmp = Path(tempfile.mkdtemp(prefix="gradekit-tamper-tmp-"))
    os.chmod(kernel_tmp, 0o711)
    # The autograder zip where a TA keeps it: a world-readable checkout
    # (pytest's own temp dirs are private, which would hide a real leak).
    zip_path = checkout_copy(zip_path, kernel_tmp.parent)
    before = zip_path.read_bytes()
    settings = batch.Settings(zip_path, root / "subs", root / "out", jobs=jobs, force=True,
                              timeout_s=LIMITS["timeout_s"], cell_timeout_s=LIMITS["cell_timeout_s"],
                              memory_mb=LIMITS["memory_mb"])
    t0 = time.monotonic()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TMPDIR", str(kernel_tmp))
        by_rel = batch.grade_all(settings, spec, batch.find_submissions(root / "subs"))
    wall = time.monotonic() - t0
    time.sleep(1.0)  # let killed process trees finish exiting
    procs = [" ".join(p.cmdline()[:4]) for p in kernel_processes(kernel_tmp)]
    dirs = sorted(p.name for p in kernel_tmp.iterdir())
    for proc in kernel_processes(kernel_tmp):  # never leave our own mess behind
        proc.kill()
    shutil.rmtree(kernel_tmp, ignore_errors=True)
    after = zip_path.read_bytes()
    shutil.rmtree(zip_path.parent.parent, ignore_errors=True)
    results = {Path(rel).stem: r for rel, r in by_rel.items()}
    return Battery(spec, solution, results, root / "out", root / "subs", marker, dirs, procs,
                   before, after, wall)


@pytest.fixture(scope="module")
def battery(release_build, tmp_path_factory) -> Battery:
    if ASSIGNMENT not in release_build.assignments:
        pytest.skip(f"no {ASSIGNMENT} notebook in the release yet")
    return run_battery(release_build.zip(ASSIGNMENT), release_build.solution(ASSIGNMENT),
                       tmp_path_factory.mktemp("tamper"))


# ------------------------------------------------------------------ checks

def scores(result: SubmissionResult) -> dict[str, tuple[float, float]]:
    return {q.name: (q.score, q.max_score) for q in result.questions if not q.manual}


def student_texts(result: SubmissionResult) -> list[str]:
    return [t.feedback for q in result.questions for t in q.tests] + [result.reason]


def all_texts(result: SubmissionResult) -> list[str]:
    return student_texts(result) + [t.detail for q in result.questions for t in q.tests]


pytestmark = pytest.mark.slow


def test_every_submission_has_one_result(battery):
    assert sorted(battery.results) == sorted(CASES)


@pytest.mark.parametrize("attack", sorted(CASES))
def test_attack_earns_nothing_and_spares_the_rest(battery, attack):
    expect = CASES[attack]
    result = battery.results[attack]
    got = scores(result)
    zero = {question_of(battery.spec, fn) for fn in expect.zero}
    unknowable = {q for fn in expect.zero for q in questions_using(battery.spec, battery.solution, fn)}
    summary = f"{attack}: status {result.status.value} ({result.reason}); scores {got}"
    assert result.status in expect.statuses, summary
    if expect.reason_mentions and result.status is not Status.OK:
        assert any(w in result.reason.lower() for w in expect.reason_mentions), summary
    for q in battery.spec.autograded:
        score, top = got.get(q.name, (0.0, q.points))
        if q.name in zero:
            assert score == 0.0, summary
            feedback = " ".join(t.feedback for qr in result.questions if qr.name == q.name for t in qr.tests)
            assert expect.feedback_mentions in feedback, f"{summary}; feedback: {feedback[:300]}"
        elif q.name not in unknowable:
            assert score == top, summary


@pytest.mark.parametrize("attack", sorted(CASES))
def test_no_hidden_test_reaches_the_student(battery, attack):
    lines = hidden_lines(battery.spec)
    result = battery.results[attack]
    for text in student_texts(result):
        leaked = [line for line in lines if line in text]
        assert not leaked, f"{attack}: feedback shows hidden test lines {leaked[:2]}"


def test_the_kernel_cannot_find_hidden_tests(battery):
    """The hunting attack reports LEAKED <hex> if any hidden test was readable from the kernel."""
    texts = all_texts(battery.results["read_hidden_tests"])
    leaks = [t[:200] for t in texts if "LEAKED" in t]
    assert not leaks, f"the kernel read hidden tests: {leaks[0]}"


def test_pickles_in_an_export_zip_are_never_loaded(battery):
    assert not battery.marker.exists()
    assert not (battery.subs.parent.parent / "escaped.txt").exists()
    assert not (battery.subs.parent / "escaped.txt").exists()


def test_no_kernel_or_temp_dir_outlives_the_batch(battery):
    assert battery.leftover_procs == []
    assert battery.leftover_dirs == []


def test_grading_files_are_not_writable_from_the_kernel(battery):
    assert battery.spec_bytes_after == battery.spec_bytes_before
    tampered = [str(p) for p in battery.out.rglob("TAMPERED")] + \
        [str(p) for p in battery.subs.rglob("TAMPERED")]
    assert not tampered


def test_big_output_is_capped_in_the_result(battery):
    path = battery.out / "results" / "big_output.ipynb.json"
    assert path.stat().st_size < 1_000_000


def test_battery_runs_within_budget(battery):
    print(f"tamper battery: {len(CASES)} submissions in {battery.wall_s:.0f} s")
    assert battery.wall_s < 600
