"""One test per lint rule: each builds a master with exactly that mistake."""

import pytest
from conftest import (autograded_question, case_cell, code, config_cell, demo_master_cells, md,
                      raw, write_master)

from gradekit.lint import lint_master, lint_requirements, main


def _lint(tmp_path, cells):
    return lint_master(write_master(tmp_path, cells))


def _replace(cells, old, new):
    """Cells with every source containing ``old`` rewritten."""
    return [dict(c, source=c["source"].replace(old, new)) for c in cells]


def _only(problems, needle):
    matching = [p for p in problems if needle in p]
    assert matching, f"no problem mentions {needle!r}: {problems}"
    return matching


def test_the_demo_master_is_clean(demo_master):
    assert lint_master(demo_master) == []


def test_delimiter_in_markdown_cell(tmp_path):
    cells = demo_master_cells()
    cells[5] = md("# BEGIN SOLUTION")  # should be raw
    problems = _lint(tmp_path, cells)
    msg = _only(problems, "delimiter in a markdown cell")[0]
    assert msg.startswith("demo.ipynb: cell 5 (id c5): question q1")


def test_delimiter_in_code_cell(tmp_path):
    cells = demo_master_cells()
    cells[8] = code("# BEGIN TESTS")
    _only(_lint(tmp_path, cells), "delimiter in a code cell")


def test_inline_solution_markers_in_code_are_not_delimiters(demo_master):
    assert not [p for p in lint_master(demo_master) if "delimiter" in p]


def test_unknown_assignment_key(tmp_path):
    cells = demo_master_cells()
    cells[0] = config_cell(extra="solutions_pdf: true\n")
    _only(_lint(tmp_path, cells), "unknown assignment config key 'solutions_pdf'")


def test_unknown_question_key(tmp_path):
    cells = _replace(demo_master_cells(), "points: 2\n", "points: 2\npoint: 3\n")
    _only(_lint(tmp_path, cells), "unknown question key 'point'")


def test_unknown_test_config_key(tmp_path):
    cells = _replace(demo_master_cells(), "hidden: true", "hidden: true\nhiden: true")
    _only(_lint(tmp_path, cells), "unknown test config key 'hiden'")


def test_unknown_grading_key(tmp_path):
    cells = _replace(demo_master_cells(), "cell_timeout:", "cell_timout:")
    _only(_lint(tmp_path, cells), "unknown grading key 'cell_timout'")


def test_duplicated_yaml_key(tmp_path):
    cells = _replace(demo_master_cells(), "points: 2\n", "points: 2\npoints: 4\n")
    _only(_lint(tmp_path, cells), "duplicated key 'points'")


def test_misnested_blocks(tmp_path):
    cells = demo_master_cells()
    del cells[7]  # the END SOLUTION of q1
    _only(_lint(tmp_path, cells), "BEGIN TESTS inside an open SOLUTION block")


def test_autograded_question_without_public_test(tmp_path):
    cells = demo_master_cells()
    del cells[9]
    _only(_lint(tmp_path, cells), "question q1: autograded question without a public test")


def test_autograded_question_without_hidden_test(tmp_path):
    cells = demo_master_cells()
    del cells[10]
    _only(_lint(tmp_path, cells), "question q1: autograded question without a hidden test")


def test_missing_points(tmp_path):
    cells = _replace(demo_master_cells(), "points: 2\n", "")
    _only(_lint(tmp_path, cells), "question q1: missing or invalid points")


def test_per_test_points_not_summing_to_question_points(tmp_path):
    cells = demo_master_cells()
    cells[9] = case_cell("assert double(2) == 4", hidden=False, points=1)
    cells[10] = case_cell("assert double(3) == 6", hidden=True, points=2)
    _only(_lint(tmp_path, cells), "test points sum to 3, question has 2")


def test_per_test_points_that_sum_are_fine(tmp_path):
    cells = demo_master_cells()
    cells[9] = case_cell("assert double(2) == 4", hidden=False, points=0.5)
    cells[10] = case_cell("assert double(3) == 6", hidden=True, points=1.5)
    assert _lint(tmp_path, cells) == []


def test_public_test_with_hidden_in_first_line_comment(tmp_path):
    cells = demo_master_cells()
    cells[9] = case_cell("# not hidden: checks the doubling\nassert double(2) == 4")
    msg = _only(_lint(tmp_path, cells), "first-line comment says 'hidden'")[0]
    assert "cell 9 (id c9): question q1" in msg


def test_unpinned_requirements(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("# comment\nnumpy==2.4.6\ntorch\nscipy>=1.0\notter-grader==7.0.0  # pinned\n")
    problems = lint_requirements(req)
    assert [p.split(":")[1] for p in problems] == ["3", "4"]
    assert "unpinned requirement 'torch'" in problems[0]


def test_project_requirements_are_pinned():
    from conftest import PROJECT_ROOT

    assert lint_requirements(PROJECT_ROOT / "requirements.txt") == []


def test_missing_helpers_file(tmp_path):
    path = write_master(tmp_path, demo_master_cells())
    (path.parent / "grading.py").unlink()
    _only(lint_master(path), "grading.helpers file 'grading.py' not found")


def test_duplicate_question_names(tmp_path):
    cells = demo_master_cells() + autograded_question("q1")
    cells = [dict(c, id=f"u{i}") for i, c in enumerate(cells)]
    _only(_lint(tmp_path, cells), "duplicated question name 'q1'")


def test_duplicate_cell_ids(tmp_path):
    cells = demo_master_cells()
    cells[1]["id"] = cells[2]["id"] = "same"
    _only(_lint(tmp_path, cells), "duplicated cell id 'same'")


def test_solution_markers_outside_a_solution_block(tmp_path):
    cells = demo_master_cells()
    cells[2] = code("answer = 42  # SOLUTION")
    _only(_lint(tmp_path, cells), "solution markers outside a SOLUTION block")


def test_manual_question_without_reference_answer(tmp_path):
    cells = demo_master_cells()
    cells = [c for c in cells if not c["source"].startswith("Doubling satisfies")]
    _only(_lint(tmp_path, cells), "question q2: a manual question needs a markdown solution")


def test_pdf_export_is_rejected(tmp_path):
    cells = _replace(demo_master_cells(), "{pdf: false}", "{pdf: true}")
    _only(_lint(tmp_path, cells), "export_cell.pdf must be false")


def test_config_name_must_match_file_name(tmp_path):
    cells = _replace(demo_master_cells(), "name: demo", "name: other")
    _only(_lint(tmp_path, cells), "must equal the notebook's file name 'demo'")


@pytest.mark.parametrize("broken, expected", [(False, 0), (True, 1)])
def test_main_exit_code(tmp_path, capsys, broken, expected):
    from conftest import PROJECT_ROOT

    cells = demo_master_cells()
    if broken:
        cells[1] = md("# END QUESTION")
    path = write_master(tmp_path, cells)
    assert main([str(path), "--root", str(PROJECT_ROOT)]) == expected
    assert ("delimiter in a markdown cell" in capsys.readouterr().err) == broken


def test_values_of_the_wrong_shape(tmp_path):
    cells = _replace(demo_master_cells(), "forbid: [numpy.convolve]", "forbid: numpy.convolve")
    cells = _replace(cells, "timeout: 300", "timeout: soon")
    problems = _lint(tmp_path, cells)
    _only(problems, "question q1: forbid must be a list of dotted names")
    _only(problems, "grading.timeout must be a positive number")


def test_rubric_of_the_wrong_shape_does_not_crash_the_linter(tmp_path):
    cells = _replace(demo_master_cells(), "- {points: 1, criterion: 'Mentions", "- {points: one, criterion: 'Mentions")
    _only(_lint(tmp_path, cells), "rubric must be a list of {points: <number>, criterion: <text>}")


def test_raw_cell_in_a_solution_block(tmp_path):
    cells = demo_master_cells()
    cells.insert(20, raw("a raw note"))
    _only(_lint(tmp_path, cells), "raw cell in a SOLUTION block")


@pytest.mark.parametrize("entry", ["../secret.txt", "grading.py", "demo.ipynb"])
def test_support_files_must_not_ship_secrets(tmp_path, entry):
    cells = _replace(demo_master_cells(), "files: [data/table.txt]", f"files: [data/table.txt, {entry}]")
    _only(_lint(tmp_path, cells), f"support file {entry!r}")


@pytest.mark.parametrize("line", ["np.allclose(double(np.arange(3)), [0, 2, 4])",
                                  "double(2) == 4", "not double(0)"])
def test_test_whose_verdict_is_ignored(tmp_path, line):
    cells = demo_master_cells()
    cells[9] = case_cell(f"import numpy as np\n{line}")
    _only(_lint(tmp_path, cells), "cell 9 (id c9): question q1: test line 2 computes a truth value")


def test_assert_and_assert_helpers_are_fine(tmp_path):
    cells = demo_master_cells()
    cells[9] = case_cell("import numpy as np\nnp.testing.assert_allclose(double(np.ones(2)), 2)\n"
                         "assert np.allclose(double(np.arange(3)), [0, 2, 4])")
    assert _lint(tmp_path, cells) == []
