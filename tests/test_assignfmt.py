import json

from conftest import demo_master_cells, md, notebook, raw, code, config_cell, write_master

from gradekit.assignfmt import (REGION_SOLUTION, REGION_TESTS, load_yaml_mapping, parse_master,
                                solution_source, split_test_source, student_source)


def _parse(tmp_path, cells):
    p = tmp_path / "demo.ipynb"
    p.write_text(json.dumps(notebook(cells)))
    return parse_master(p)


def test_demo_master_parses_into_questions_and_regions(demo_master):
    m = parse_master(demo_master)
    assert m.problems == ()
    assert m.name == "demo" and m.config["grading"]["helpers"] == "grading.py"
    q1, q2 = m.questions
    assert (q1.name, q1.manual, q2.name, q2.manual) == ("q1", False, "q2", True)
    assert [t.hidden for t in q1.tests] == [False, True]
    assert not q1.tests[1].code.startswith('"""')  # config header removed
    assert [c.source for c in q2.prompt] == ["_Explain here._"]
    regions = {p.cell.index: p.region for p in m.cells}
    assert regions[6] == REGION_SOLUTION and regions[9] == REGION_TESTS


def test_split_test_source_removes_only_the_header():
    header, body = split_test_source('""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\nassert x')
    assert header == "hidden: true" and body == "assert x\n"
    assert split_test_source("assert y") == ("", "assert y")


def test_duplicated_yaml_keys_are_problems(tmp_path):
    m = _parse(tmp_path, [raw("# ASSIGNMENT CONFIG\nname: demo\nname: other")])
    assert any("duplicated key 'name'" in p for p in m.problems)
    assert load_yaml_mapping("a: 1") == {"a": 1}


def test_misnested_blocks_are_reported_with_location(tmp_path):
    m = _parse(tmp_path, [
        config_cell(),
        raw("# END SOLUTION"),
        raw("# BEGIN QUESTION\nname: q1\npoints: 1"),
        raw("# BEGIN SOLUTION"),
        raw("# BEGIN TESTS"),
        raw("# BEGIN QUESTION\nname: q2\npoints: 1"),
        raw("# BEGIN QUESTIONS"),
    ])
    text = "\n".join(m.problems)
    assert "cell 1 (id c1): END SOLUTION outside a question" in text
    assert "question q1: BEGIN TESTS inside an open SOLUTION block" in text
    assert "BEGIN QUESTION inside an open question" in text
    assert "unknown delimiter '# BEGIN QUESTIONS'" in text
    assert "notebook ends inside a question" in text


def test_missing_config_is_a_problem(tmp_path):
    m = _parse(tmp_path, [md("hello")])
    assert any("no ASSIGNMENT CONFIG" in p for p in m.problems)


def test_student_source_uses_otter_stripping():
    src = ("x = 1  # SOLUTION\nprint(x) # SOLUTION\nseed = 3 # SEED\n"
           "def f():\n    # BEGIN SOLUTION\n    return 42\n    # END SOLUTION")
    assert student_source(src) == "x = ...\n...\ndef f():\n    ..."


def test_solution_source_keeps_solution_and_removes_markers_and_prompts():
    src = ('""" # BEGIN PROMPT\ny = ...\n""" # END PROMPT\ny = 2 # SOLUTION\nseed = 3 # SEED\n'
           "def f():\n    # BEGIN SOLUTION\n    return 42\n    # END SOLUTION")
    assert solution_source(src) == "y = 2\nseed = 3\ndef f():\n    return 42"
