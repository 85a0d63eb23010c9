"""Unit tests for gradekit.mutate: notebooks built in memory."""

import pytest

from gradekit.mutate import parse_header, substitute_function


def code_cell(source, outputs=None):
    return {"cell_type": "code", "metadata": {}, "source": source,
            "outputs": outputs or [], "execution_count": 3 if outputs else None}


def markdown_cell(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(*cells):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}


MUTANT = (
    "# replaces: double\n"
    "# expect: wrong\n"
    "# question: q1\n"
    "# why: triples instead\n"
    "def double(x):\n"
    "    # key: not a header\n"
    "    return 3 * x\n"
)


def run_cells(nb):
    namespace = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            src = cell["source"]
            exec("".join(src) if isinstance(src, list) else src, namespace)
    return namespace


def test_parse_header_reads_leading_comments_only():
    header = parse_header(MUTANT)
    assert header == {"replaces": "double", "expect": "wrong", "question": "q1",
                      "why": "triples instead"}


def test_parse_header_of_plain_code_is_empty():
    assert parse_header("def f():\n    return 1\n") == {}


def test_substitute_replaces_the_defining_cell():
    nb = notebook(markdown_cell("# Title"),
                  code_cell("import math\n"),
                  code_cell("def double(x):\n    return 2 * x\n", outputs=[{"x": 1}]),
                  code_cell("y = double(2)\n"))
    out = substitute_function(nb, MUTANT)
    assert run_cells(out)["y"] == 6
    assert out["cells"][2]["outputs"] == [] and out["cells"][2]["execution_count"] is None
    assert out["cells"][3]["source"] == "y = double(2)\n"


def test_substitute_leaves_the_input_untouched():
    nb = notebook(code_cell("def double(x):\n    return 2 * x\n"))
    substitute_function(nb, MUTANT)
    assert nb["cells"][0]["source"] == "def double(x):\n    return 2 * x\n"


def test_substitute_accepts_list_sources_and_magics():
    nb = notebook(code_cell(["%matplotlib inline\n", "def double(x):\n", "    return 2 * x\n"]))
    out = substitute_function(nb, MUTANT)
    assert out["cells"][0]["source"].startswith("%matplotlib inline\n")
    assert "3 * x" in out["cells"][0]["source"]


def test_substitute_keeps_other_definitions_of_the_cell():
    nb = notebook(code_cell(
        "import math\n\n"
        "@staticmethod\n"
        "def double(x):\n    return 2 * x\n\n"
        "def half(x):\n    return x / 2\n"))
    out = substitute_function(nb, MUTANT)
    ns = run_cells(out)
    assert ns["half"](4) == 2
    assert "return 2 * x" not in out["cells"][0]["source"]  # decorator went with it
    assert "@staticmethod" not in out["cells"][0]["source"]


def test_substitute_finds_assignments():
    nb = notebook(code_cell("double = lambda x: 2 * x\n"))
    out = substitute_function(nb, MUTANT)
    assert run_cells(out)["double"](1) == 3


def test_substitute_ignores_uses_and_nested_definitions():
    nb = notebook(code_cell("def outer():\n    def double(x):\n        return x\n"),
                  code_cell("print(double)\n"))
    with pytest.raises(ValueError, match="double"):
        substitute_function(nb, MUTANT)


def test_substitute_without_header_is_an_error():
    nb = notebook(code_cell("def double(x):\n    return 2 * x\n"))
    with pytest.raises(ValueError, match="replaces"):
        substitute_function(nb, "def double(x):\n    return 0\n")


def test_substitute_replaces_helpers_the_mutant_redefines():
    nb = notebook(code_cell("def helper():\n    return 1\n\n"
                            "def double(x):\n    return 2 * x * helper()\n"))
    code = "# replaces: double\ndef helper():\n    return 5\n\ndef double(x):\n    return x * helper()\n"
    out = substitute_function(nb, code)
    assert run_cells(out)["double"](1) == 5
    assert out["cells"][0]["source"].count("def helper") == 1


def test_insert_cell_after_places_a_new_cell_after_the_definition():
    from gradekit.mutate import insert_cell_after

    nb = notebook(code_cell("def double(x):\n    return 2 * x\n"), code_cell("y = double(2)\n"))
    out = insert_cell_after(nb, "double", "double = lambda x: 0\n")
    assert [c["source"] for c in out["cells"]] == \
        ["def double(x):\n    return 2 * x\n", "double = lambda x: 0\n", "y = double(2)\n"]
    assert run_cells(out)["y"] == 0
    assert len(nb["cells"]) == 2
    with pytest.raises(ValueError, match="missing"):
        insert_cell_after(nb, "missing", "pass\n")
