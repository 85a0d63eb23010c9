import json

import pytest

from gradekit.notebooks import (dumps_notebook, new_cell, new_notebook, normalise_notebook,
                                read_notebook, source_text, stable_cell_id, write_notebook)


def test_stable_cell_id_is_deterministic_and_valid():
    assert stable_cell_id("abc", "check") == "abc-check"
    long_id = stable_cell_id("x" * 70, "check")
    assert long_id == stable_cell_id("x" * 70, "check")
    assert len(long_id) <= 64 and long_id.isalnum()
    assert stable_cell_id("bad id!") != "bad id!"


def test_source_text_joins_line_lists():
    assert source_text({"source": ["a\n", "b"]}) == "a\nb"
    assert source_text({"source": "x"}) == "x"


def test_normalise_keeps_only_allow_listed_metadata_and_drops_outputs():
    cell = new_cell("code", "", "c1", {"tags": ["t"], "collapsed": True, "gradekit": {"role": "x"}})
    cell["source"] = ["print(1)\n", "print(2)"]
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "secret"}]
    nb = new_notebook([cell], "demo")
    nb["metadata"]["widgets"] = {"state": 1}
    out = normalise_notebook(nb)
    assert out["metadata"].keys() == {"gradekit", "kernelspec", "language_info"}
    assert out["cells"][0]["metadata"] == {"tags": ["t"], "gradekit": {"role": "x"}}
    assert out["cells"][0]["source"] == "print(1)\nprint(2)"
    assert out["cells"][0]["outputs"] == []
    kept = normalise_notebook(nb, keep_outputs=True)
    assert kept["cells"][0]["outputs"][0]["text"] == "secret"


def test_normalise_rejects_missing_or_duplicate_ids():
    nb = new_notebook([new_cell("markdown", "a", "x"), new_cell("markdown", "b", "x")], "demo")
    with pytest.raises(ValueError):
        normalise_notebook(nb)


def test_write_is_sorted_indented_with_trailing_newline(tmp_path):
    nb = new_notebook([new_cell("markdown", "é", "m1")], "demo")
    path = write_notebook(nb, tmp_path / "sub" / "n.ipynb")
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "é" in text
    assert text == dumps_notebook(json.loads(text))  # canonical: sorted keys, indent 1
    assert read_notebook(path)["cells"][0]["id"] == "m1"


def test_read_rejects_non_v4(tmp_path):
    p = tmp_path / "old.ipynb"
    p.write_text(json.dumps({"nbformat": 3, "worksheets": []}))
    with pytest.raises(ValueError):
        read_notebook(p)
