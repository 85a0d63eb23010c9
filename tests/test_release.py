import json
import shutil
import sys
import types
import zipfile

import pytest
from conftest import PROJECT_ROOT, code, demo_master_cells, write_master

from gradekit import model, release
from gradekit.assignfmt import parse_master
from gradekit.build import build_assignment
from gradekit.verify import differing_files, verify_student_release


def demo_project(root, cells=None):
    """A project root with the demo master and the real pinned requirements."""
    write_master(root, cells or demo_master_cells())
    for name in ("requirements.txt", "constraints.txt"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    return root


def test_nbgitpuller_link():
    link = release.nbgitpuller_link("https://github.com/org/course-student.git", "conv",
                                    hub="https://hub.example.edu/", branch="main")
    assert link == ("https://hub.example.edu/hub/user-redirect/git-pull?"
                    "repo=https%3A%2F%2Fgithub.com%2Forg%2Fcourse-student.git&branch=main"
                    "&urlpath=lab/tree/course-student/conv/conv.ipynb")


def test_find_masters_needs_name_matching_folder(tmp_path):
    write_master(tmp_path, demo_master_cells())
    (tmp_path / "assignment" / "empty").mkdir()
    assert release.find_masters(tmp_path / "assignment") == [
        tmp_path / "assignment" / "demo" / "demo.ipynb"]
    assert release.find_masters(tmp_path / "nowhere") == []


def test_lint_failure_stops_the_release(tmp_path, capsys):
    cells = demo_master_cells()
    del cells[10]  # q1's hidden test
    root = demo_project(tmp_path, cells)
    assert release.main(["--root", str(root)]) == 1
    assert "demo.ipynb: cell 3 (id c3): question q1: autograded question without a hidden test" \
        in capsys.readouterr().err
    assert not (root / "student_release").exists()


def test_release_without_execution_writes_student_release_and_zip(tmp_path, capsys):
    root = demo_project(tmp_path / "src")
    out = tmp_path / "out"
    assert release.main(["--root", str(root), "--out", str(out), "--no-execute",
                         "--repo", "https://github.com/org/students"]) == 0
    assert (out / "student_release" / "demo" / "demo.ipynb").exists()
    assert (out / "autograder" / "demo" / "demo-autograder.zip").exists()
    assert "demo: https://datahub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg%2Fstudents" \
        in capsys.readouterr().out


def _fake_engine(monkeypatch, earned):
    def grade_submission(spec, support, submission_path, *, root=None, limits=None):
        tests = [model.TestResult(t.name, t.hidden, earned if t.hidden else t.points, t.points,
                                  earned == t.points, detail="expected 4") for t in spec.question("q1").tests]
        q = model.QuestionResult("q1", sum(t.points for t in tests), 2.0, tests=tests)
        return model.SubmissionResult("demo.ipynb", "demo", "demo", model.Status.OK, questions=[q])
    monkeypatch.setitem(sys.modules, "gradekit.grade",
                        types.SimpleNamespace(grade_submission=grade_submission))


@pytest.fixture
def demo_build(demo_master, tmp_path):
    return build_assignment(parse_master(demo_master), tmp_path / "out", PROJECT_ROOT)


def test_solution_short_of_full_marks_fails_naming_question_and_test(monkeypatch, demo_build, tmp_path):
    _fake_engine(monkeypatch, earned=0.0)
    with pytest.raises(release.ReleaseError, match=r"question q1: test q1 - 2: 0/1 expected 4"):
        release.grade_solution(demo_build, tmp_path / "demo.ipynb")


def test_solution_with_full_marks_passes(monkeypatch, demo_build, tmp_path, capsys):
    _fake_engine(monkeypatch, earned=1.0)
    release.grade_solution(demo_build, tmp_path / "demo.ipynb")
    assert "solution earns 2/2" in capsys.readouterr().err


def test_missing_engine_is_a_loud_warning(monkeypatch, demo_build, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "gradekit.grade", None)  # import raises ImportError
    release.grade_solution(demo_build, tmp_path / "demo.ipynb")
    assert "NOT graded" in capsys.readouterr().err


# ---------------------------------------------------------------- slow: real kernels

@pytest.mark.slow
def test_full_release_executes_solutions_and_is_reproducible(tmp_path):
    root = demo_project(tmp_path / "src")
    one, two = tmp_path / "one", tmp_path / "two"
    assert release.main(["--root", str(root), "--out", str(one)]) == 0
    solution = json.loads((one / "solutions" / "demo" / "demo.ipynb").read_text())
    check = [c for c in solution["cells"] if c["metadata"]["gradekit"]["role"] == "check"][0]
    assert "All test cases passed!" in json.dumps(check["outputs"])
    assert [c["id"] for c in solution["cells"]] == [
        c["id"] for c in json.loads((one / "student_release" / "demo" / "demo.ipynb").read_text())["cells"]]
    assert (one / "solutions" / "demo" / "demo.html").stat().st_size > 1000
    assert release.main(["--root", str(root), "--out", str(two), "--no-execute"]) == 0
    for part in ("student_release", "autograder"):
        assert differing_files(one / part, two / part) == []


@pytest.mark.slow
def test_solution_that_raises_fails_naming_cell_and_question(tmp_path, capsys):
    cells = demo_master_cells()
    cells[6] = code("def double(x):\n    return 2 * x  # SOLUTION\nraise ValueError('boom')")
    root = demo_project(tmp_path, cells)
    assert release.main(["--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "demo.ipynb: cell 4 (id c6, question q1): raised ValueError: boom" in err


@pytest.mark.slow
def test_wrong_solution_fails_its_check_cell(tmp_path, capsys):
    cells = demo_master_cells()
    cells[6] = code("def double(x):\n    return 3 * x  # SOLUTION")
    root = demo_project(tmp_path, cells)
    assert release.main(["--root", str(root)]) == 1
    assert "cell 5 (id c3-check, question q1): check cell did not pass" in capsys.readouterr().err


@pytest.mark.slow
def test_student_notebook_runs_top_to_bottom_and_exports_a_valid_zip(demo_build, tmp_path):
    """DataHub-ready: no pandoc/LaTeX here, yet the export cell must give a zip with the notebook."""
    import nbformat
    from nbclient import NotebookClient

    work = tmp_path / "hub"
    shutil.copytree(demo_build.student_dir, work)
    nb = nbformat.read(work / "demo.ipynb", as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(work)}}).execute()
    check = [c for c in nb.cells if c.metadata["gradekit"]["role"] == "check"][0]
    assert "q1 results" in json.dumps(check.outputs)  # the unanswered stub fails, visibly
    zips = list(work.glob("demo_*.zip"))
    assert len(zips) == 1
    with zipfile.ZipFile(zips[0]) as zf:
        assert zf.testzip() is None and "demo.ipynb" in zf.namelist()


@pytest.mark.slow
def test_real_release_is_leak_free_and_reproducible(release_build, tmp_path):
    again = tmp_path / "again"
    assert release.main(["--root", str(PROJECT_ROOT), "--out", str(again), "--no-execute"]) == 0
    for name in release_build.assignments:
        assert release_build.solution(name).exists()
        assert release_build.solution(name).with_suffix(".html").exists()
        m = parse_master(PROJECT_ROOT / "assignment" / name / f"{name}.ipynb")
        tests = {p.stem for p in (release_build.student(name).parent / "tests").glob("*.py")}
        assert verify_student_release(m, release_build.student(name).parent, tests) == []
        assert release_build.zip(name).read_bytes() == (again / "autograder" / name / f"{name}-autograder.zip").read_bytes()
        assert release_build.student(name).read_bytes() == (again / "student_release" / name / f"{name}.ipynb").read_bytes()


@pytest.mark.slow
def test_solution_cell_over_the_time_limit_fails_naming_the_limit(tmp_path, capsys):
    cells = [dict(c, source=c["source"].replace("cell_timeout: 60", "cell_timeout: 2"))
             for c in demo_master_cells()]
    cells[2] = code("import time\ntime.sleep(30)")
    root = demo_project(tmp_path, cells)
    assert release.main(["--root", str(root)]) == 1
    assert "demo.ipynb: cell 2 (id c2): timed out after 2s" in capsys.readouterr().err
