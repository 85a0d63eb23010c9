import json
import zipfile

import pytest
from conftest import PROJECT_ROOT, case_cell, demo_master_cells, raw, write_master

from gradekit import model
from gradekit.assignfmt import parse_master
from gradekit.build import (BuildError, autograder_requirements, build_assignment, case_points,
                            deterministic_zip)
from gradekit.verify import differing_files


@pytest.fixture
def built(demo_master, tmp_path):
    return build_assignment(parse_master(demo_master), tmp_path / "out", PROJECT_ROOT)


def _cells(build):
    return json.loads(build.student_notebook.read_text())["cells"]


def test_student_notebook_layout(built):
    cells = _cells(built)
    roles = [(c["metadata"]["gradekit"]["role"], c["metadata"]["gradekit"]["question"]) for c in cells]
    assert roles == [("init", None), ("prompt", None), ("provided", None), ("prompt", "q1"),
                     ("answer", "q1"), ("check", "q1"), ("provided", None), ("prompt", "q2"),
                     ("answer", "q2"), ("export", None), ("export", None)]
    assert cells[0]["source"] == 'import otter\ngrader = otter.Notebook("demo.ipynb")'
    assert cells[4]["source"] == "def double(x):\n    ..."
    assert cells[5]["source"] == 'grader.check("q1")'
    assert cells[8]["source"] == "_Explain here._"  # the PROMPT block, not the solution
    assert cells[-1]["source"] == "grader.export(pdf=False, run_tests=False)"
    assert cells[6]["metadata"]["gradekit"]["skip_grading"] is True


def test_locked_cells_are_marked_and_answers_are_not(built):
    for c in _cells(built):
        locked = c["metadata"]["gradekit"]["role"] in model.LOCKED_ROLES
        assert (c["metadata"].get("editable") is False) == locked
        assert (c["metadata"].get("deletable") is False) == locked


def test_cell_ids_derive_from_master_ids(built):
    ids = [c["id"] for c in _cells(built)]
    assert ids == ["c0-init", "c1", "c2", "c4", "c6", "c3-check", "c13", "c15", "c20",
                   "c0-export-md", "c0-export"]


def test_no_outputs_and_standard_metadata(built):
    nb = json.loads(built.student_notebook.read_text())
    assert nb["metadata"]["gradekit"] == {"assignment": "demo"}
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert all(c.get("outputs", []) == [] for c in nb["cells"])


def test_manual_question_without_prompt_gets_placeholder(tmp_path):
    cells = [c for c in demo_master_cells() if c["source"] not in ("# BEGIN PROMPT", "_Explain here._", "# END PROMPT")]
    b = build_assignment(parse_master(write_master(tmp_path, cells)), tmp_path / "out")
    answer = [c for c in _cells(b) if c["metadata"]["gradekit"] == {"role": "answer", "question": "q2"}]
    assert [c["source"] for c in answer] == ["_Type your answer here, replacing this text._"]


def test_public_test_file_holds_public_cases_in_ok_format(built):
    from otter.test_files import OKTestFile

    path = built.student_dir / "tests" / "q1.py"
    text = path.read_text()
    assert "OK_FORMAT = True" in text and "-7.5" not in text  # the hidden case stays out
    env = {}
    exec(compile(text, str(path), "exec"), env)
    assert [c["hidden"] for c in env["test"]["suites"][0]["cases"]] == [False]
    test_file = OKTestFile.from_spec(env["test"], path=str(path))
    test_file.run({"double": lambda x: 2 * x})
    assert test_file.passed_all
    test_file.run({"double": lambda x: x})
    assert not test_file.passed_all


def test_spec_compilation(built):
    spec = built.spec
    q1, q2 = spec.questions
    assert [t.name for t in q1.tests] == ["q1 - 1", "q1 - 2"]
    assert [t.points for t in q1.tests] == [1.0, 1.0] and q1.points == 2.0
    assert [t.hidden for t in q1.tests] == [False, True]
    assert "BEGIN TEST CONFIG" not in q1.tests[1].code
    assert q1.forbid == ("numpy.convolve",)
    assert q2.manual and sum(r.points for r in q2.rubric) == q2.points == 3.0
    assert q2.reference_answer.startswith("Doubling satisfies")
    assert [c.id for c in spec.release_cells] == [c["id"] for c in _cells(built)]
    assert [c.source for c in spec.release_cells] == [c["source"] for c in _cells(built)]
    assert spec.helpers_source.startswith("from gradekit.checks import")
    assert spec.support_files == ("data/table.txt",)
    assert spec.limits == model.Limits(timeout_s=300, cell_timeout_s=60, memory_mb=1000)
    assert spec.hidden_feedback == "hint"


def test_per_test_points_and_even_split(tmp_path):
    cells = demo_master_cells()
    cells[9] = case_cell("assert double(2) == 4", points=0.5)
    cells.insert(10, case_cell("assert double(3) == 6", hidden=True))
    m = parse_master(write_master(tmp_path, cells))
    assert case_points(m.questions[0]) == [0.5, 0.75, 0.75]


def test_zip_is_readable_by_load_spec_and_well_formed(built):
    spec, support = model.load_spec(built.zip_path)
    assert spec == built.spec and support == {"data/table.txt": b"1 2 3\n"}
    with zipfile.ZipFile(built.zip_path) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {"run_autograder", "setup.sh", "requirements.txt", "constraints.txt",
                "gradekit/__init__.py", "gradekit/model.py", "spec/spec.json"} <= set(names)
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in infos}
        assert modes["run_autograder"] == modes["setup.sh"] == 0o755
        assert modes["spec/spec.json"] == 0o644
        run = zf.read("run_autograder").decode()
        assert "-m gradekit gradescope --root /autograder" in run
        assert "python3.11 -m venv /autograder/venv" in zf.read("setup.sh").decode()


def test_autograder_requirements_derive_from_project_pins():
    text = autograder_requirements("# c\ntorch==2.13.0\nnumpy==2.4.6  # why\npytest==9.2.0\n")
    assert text.splitlines()[1:] == ["--extra-index-url https://download.pytorch.org/whl/cpu",
                                     "torch==2.13.0+cpu", "numpy==2.4.6"]
    real = autograder_requirements((PROJECT_ROOT / "requirements.txt").read_text())
    for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith(("numpy==", "otter-grader==", "ipykernel==", "jupyter_client==",
                            "nbformat==", "psutil==", "PyYAML==")):
            assert line in real.splitlines()
    assert "torch==2.13.0+cpu" in real.splitlines()


def test_deterministic_zip_ignores_insertion_order():
    a = deterministic_zip({"b": (b"2", 0o644), "a": (b"1", 0o755)})
    b = deterministic_zip({"a": (b"1", 0o755), "b": (b"2", 0o644)})
    assert a == b


def test_two_builds_are_byte_identical(demo_master, tmp_path):
    m = parse_master(demo_master)
    build_assignment(m, tmp_path / "one", PROJECT_ROOT)
    build_assignment(parse_master(demo_master), tmp_path / "two", PROJECT_ROOT)
    assert (tmp_path / "one" / "autograder" / "demo" / "demo-autograder.zip").exists()
    assert differing_files(tmp_path / "one", tmp_path / "two") == []


def test_rebuild_removes_stale_files(built, demo_master, tmp_path):
    stale = built.student_dir / "old_solution.py"
    stale.write_text("x")
    build_assignment(parse_master(demo_master), tmp_path / "out", PROJECT_ROOT)
    assert not stale.exists()


def test_master_with_problems_is_refused(tmp_path):
    cells = demo_master_cells()
    cells[1] = raw("# END QUESTION")
    with pytest.raises(BuildError, match="cell 1 .*END QUESTION outside a question"):
        build_assignment(parse_master(write_master(tmp_path, cells)), tmp_path / "out")


def test_master_id_clashing_with_a_generated_id_is_refused(tmp_path):
    cells = demo_master_cells()
    cells[1]["id"] = "c3-check"  # the id the check cell of q1 (BEGIN QUESTION c3) gets
    with pytest.raises(BuildError, match="clash"):
        build_assignment(parse_master(write_master(tmp_path, cells)), tmp_path / "out")


def test_zip_scripts_are_valid_bash(built, tmp_path):
    import subprocess

    with zipfile.ZipFile(built.zip_path) as zf:
        for name in ("run_autograder", "setup.sh"):
            script = tmp_path / name
            script.write_bytes(zf.read(name))
            assert zf.read(name).startswith(b"#!/usr/bin/env bash\n")
            assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
