"""The leak check must find planted leaks wherever they hide, and stay quiet on a clean build."""

import json

import pytest
from conftest import PROJECT_ROOT

from gradekit.assignfmt import parse_master
from gradekit.build import build_assignment
from gradekit.verify import (differing_files, find_leaks, secrets, tree_digests,
                             verify_student_release)


@pytest.fixture
def built(demo_master, tmp_path):
    return build_assignment(parse_master(demo_master), tmp_path / "out", PROJECT_ROOT)


def _verify(b):
    return verify_student_release(b.master, b.student_dir, b.public_tests)


def _edit_notebook(b, edit):
    nb = json.loads(b.student_notebook.read_text())
    edit(nb)
    b.student_notebook.write_text(json.dumps(nb, indent=1))


def test_clean_build_has_no_leaks(built):
    assert _verify(built) == []


def test_secrets_cover_solutions_hidden_tests_and_rubric_but_not_stubs(demo_master):
    found = {s.text: s.what for s in secrets(parse_master(demo_master))}
    assert found["result = 2 * x  # the secret doubling"] == "solution line of q1"
    assert found["result = 2 * x"] == "solution line of q1"  # comment-free form too
    assert found["assert double(-7.5) == -15.0"] == "hidden test q1 - 2"
    assert found["Mentions the zero input maps to zero output"] == "rubric of q2"
    assert any(w == "written solution of q2" for w in found.values())
    # legitimately in the student version: the stub, provided imports, public test lines
    assert "def double(x):" not in found
    assert "import numpy as np" not in found
    assert "assert double(2) == 4, 'double(2) should be 4'" not in found


def test_leak_in_cell_metadata_is_found(built):
    def plant(nb):
        nb["cells"][4]["metadata"]["note"] = "result = 2 * x"
    _edit_notebook(built, plant)
    problems = _verify(built)
    assert problems == [f"{built.student_notebook}: leaks solution line of q1: 'result = 2 * x'"]


def test_leak_in_outputs_is_found(built):
    def plant(nb):
        nb["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                      "text": "Doubling satisfies double(a x + b y) = a double(x) + b double(y) exactly.\n"}]
    _edit_notebook(built, plant)
    assert any("leaks written solution of q2" in p for p in _verify(built))


def test_leak_in_notebook_metadata_with_json_escaping_is_found(built):
    def plant(nb):
        nb["metadata"]["x"] = {"rubric": ["States that doubling is linear in its argument"],
                               "src": "assert double(-7.5) == -15.0  # hidden check of negatives"}
    _edit_notebook(built, plant)
    text = "\n".join(_verify(built))
    assert "leaks rubric of q2" in text and "leaks hidden test q1 - 2" in text


def test_planted_hidden_test_file_is_found_and_unexpected(built):
    hidden = built.student_dir / "tests" / "q1_hidden.py"
    hidden.write_text("test = {'code': '>>> assert double(-7.5) == -15.0'}\n")
    problems = _verify(built)
    assert f"{hidden}: leaks hidden test q1 - 2: 'assert double(-7.5) == -15.0'" in problems
    assert f"{hidden}: unexpected file in the student release" in problems


def test_leak_inside_a_support_file_is_found(built):
    (built.student_dir / "data" / "table.txt").write_bytes(b"1 2 3\nresult = 2 * x\n")
    assert any("data/table.txt: leaks solution line of q1" in p for p in _verify(built))


def test_missing_file_is_reported(built):
    (built.student_dir / "tests" / "q1.py").unlink()
    assert _verify(built) == [f"{built.student_dir / 'tests' / 'q1.py'}: missing from the student release"]


def test_find_leaks_on_arbitrary_bytes(tmp_path, demo_master):
    (tmp_path / "scan").mkdir()
    (tmp_path / "scan" / "blob.bin").write_bytes(b"\x00\xffresult = 2 * x\x00")
    assert len(find_leaks(tmp_path / "scan", secrets(parse_master(demo_master)))) == 1


def test_tree_digests_and_differing_files(tmp_path):
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "same").write_text("x")
    (tmp_path / "a" / "diff").write_text("1")
    (tmp_path / "b" / "diff").write_text("2")
    (tmp_path / "a" / "only").write_text("3")
    assert set(tree_digests(tmp_path / "a")) == {"same", "diff", "only"}
    assert differing_files(tmp_path / "a", tmp_path / "b") == ["diff", "only"]


def test_shipping_the_helpers_as_a_support_file_is_a_leak(tmp_path):
    from conftest import demo_master_cells, write_master

    cells = [dict(c, source=c["source"].replace("files: [data/table.txt]",
                                                "files: [data/table.txt, grading.py]"))
             for c in demo_master_cells()]
    m = parse_master(write_master(tmp_path, cells))
    b = build_assignment(m, tmp_path / "out", PROJECT_ROOT)  # the linter would refuse; the check must too
    problems = _verify(b)
    assert f"{b.student_dir / 'grading.py'}: leaks grader helper line (grading.py): 'def oracle_double(x):'" in problems


def test_release_root_rejects_stale_folders_and_cross_assignment_leaks(built):
    from gradekit.verify import verify_release_root

    root = built.student_dir.parent
    m = built.master
    assert verify_release_root(root, [m]) == []
    (root / "old").mkdir()
    (root / "old" / "notes.txt").write_text("assert double(-7.5) == -15.0\n")
    problems = verify_release_root(root, [m])
    assert problems[0] == f"{root / 'old'}: not the release folder of a known assignment"
    assert f"{root / 'old' / 'notes.txt'}: leaks hidden test q1 - 2: 'assert double(-7.5) == -15.0'" in problems


def test_one_assignments_legit_lines_are_not_anothers_leak(tmp_path):
    from conftest import demo_master_cells, write_master
    from gradekit.verify import verify_release_root

    demo = parse_master(write_master(tmp_path, demo_master_cells("demo"), "demo"))
    other_path = write_master(tmp_path, demo_master_cells("other"), "other")
    # `other`'s grader helpers happen to contain a line demo ships to students
    (other_path.parent / "grading.py").write_text("TABLE = open('data/table.txt').read().split()\n")
    other = parse_master(other_path)
    build_assignment(demo, tmp_path / "out", PROJECT_ROOT)
    build_assignment(other, tmp_path / "out", PROJECT_ROOT)
    root = tmp_path / "out" / "student_release"
    assert verify_release_root(root, [demo, other]) == []
    (root / "demo" / "data" / "table.txt").write_text("result = 2 * x\n")  # but a real leak still shows
    assert verify_release_root(root, [demo, other])
