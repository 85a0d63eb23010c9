import copy

from factories import ADD_SOLUTION, WRITTEN_ANSWER, code_cell, notebook, solved, tiny_spec
from gradekit.sanitize import sanitize

SPEC = tiny_spec()
IMPORTS = "import numpy as np\nimport torch\nimport torch.nn.functional as F"


def cell_by_id(nb, cid):
    return next(c for c in nb["cells"] if c.get("id") == cid)


def test_clean_submission_runs_provided_and_answers_only():
    got = sanitize(notebook(SPEC, solved()), SPEC)
    assert got.code[0] == IMPORTS
    assert ADD_SOLUTION in got.code
    assert not any("grader" in c or "plt.plot" in c for c in got.code)  # init/check/export/skip
    assert got.integrity == []
    assert got.manual_answers == {"q_why": WRITTEN_ANSWER}
    assert ADD_SOLUTION in got.editable_cells("q_add")
    assert ADD_SOLUTION not in got.editable_cells("q_corr")


def test_edited_provided_cell_is_restored_and_flagged():
    nb = notebook(SPEC, solved())
    cell_by_id(nb, "imports")["source"] = "import numpy as np\nnp.allclose = lambda *a, **k: True"
    got = sanitize(nb, SPEC)
    assert got.code[0] == IMPORTS
    assert "locked cell 'imports' edited" in got.integrity


def test_deleted_check_cell_is_flagged_but_changes_no_code():
    nb = notebook(SPEC, solved())
    clean = sanitize(copy.deepcopy(nb), SPEC)
    nb["cells"] = [c for c in nb["cells"] if c.get("id") != "q-add-check"]
    got = sanitize(nb, SPEC)
    assert got.code == clean.code
    assert got.integrity == ["check cell for q_add deleted"]


def test_deleted_provided_cell_is_reinserted_at_its_place():
    nb = notebook(SPEC, solved())
    nb["cells"] = [c for c in nb["cells"] if c.get("id") != "imports"]
    got = sanitize(nb, SPEC)
    assert got.code[0] == IMPORTS
    assert "locked cell 'imports' deleted" in got.integrity


def test_added_cells_run_in_student_order_and_count_as_editable():
    nb = notebook(SPEC, solved())
    at = nb["cells"].index(cell_by_id(nb, "q-add-answer"))
    nb["cells"].insert(at + 1, code_cell("helper = 3", "mine"))
    nb["cells"].insert(1, code_cell("from torch.nn.functional import conv2d", "top"))
    got = sanitize(nb, SPEC)
    assert got.code.index("helper = 3") == got.code.index(ADD_SOLUTION) + 1
    assert "helper = 3" in got.editable_cells("q_add")
    assert any("conv2d" in c for c in got.editable_cells("q_corr"))  # added before any question: scanned for all
    assert got.integrity == []


def test_notebook_without_ids_matches_locked_cells_by_source():
    nb = notebook(SPEC, solved(), with_ids=False)
    for cell in nb["cells"]:
        cell["metadata"] = {}
    got = sanitize(nb, SPEC)
    assert got.integrity == []
    assert got.code[0] == IMPORTS and ADD_SOLUTION in got.code


def test_answers_match_by_metadata_when_ids_changed():
    nb = notebook(SPEC, solved())
    for cell in nb["cells"]:
        cell["id"] = "x" + cell["id"]
    got = sanitize(nb, SPEC)
    assert got.manual_answers["q_why"] == WRITTEN_ANSWER
    assert ADD_SOLUTION in got.editable_cells("q_add")


def test_markdown_added_below_a_written_answer_is_kept():
    nb = notebook(SPEC, solved())
    at = nb["cells"].index(cell_by_id(nb, "q-why-answer"))
    nb["cells"].insert(at + 1, {"cell_type": "markdown", "metadata": {}, "source": ["More", " text."]})
    got = sanitize(nb, SPEC)
    assert got.manual_answers["q_why"] == WRITTEN_ANSWER + "\n\nMore text."


def test_list_sources_are_joined():
    nb = notebook(SPEC, solved())
    cell_by_id(nb, "q-add-answer")["source"] = ["def add(a, b):\n", "    return a + b\n"]
    assert "def add(a, b):\n    return a + b\n" in sanitize(nb, SPEC).code
