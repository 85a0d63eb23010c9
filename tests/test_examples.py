"""Example submissions written from a release (a small fake release, and the real one)."""

import ast
import json
from pathlib import Path

import pytest

from gradekit import examples
from gradekit.mutate import parse_header

PROJECT = Path(__file__).resolve().parents[1]
REAL_EXAMPLES = sorted(PROJECT.glob("assignment/*/examples/*.py"))


def nb(*sources: str) -> dict:
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "outputs": [],
              "execution_count": None, "source": s} for i, s in enumerate(sources)]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def fake_project(tmp_path):
    for folder, book in (("solutions", nb("import numpy as np", "def double(x):\n    return 2 * x\n")),
                         ("student_release", nb("import numpy as np", "def double(x):\n    ...\n"))):
        (tmp_path / folder / "demo").mkdir(parents=True)
        (tmp_path / folder / "demo" / "demo.ipynb").write_text(json.dumps(book))
    (tmp_path / "assignment" / "demo" / "examples").mkdir(parents=True)
    (tmp_path / "assignment" / "demo" / "examples" / "triple.py").write_text(
        "# replaces: double\n# why: triples\ndef double(x):\n    return 3 * x\n")
    return tmp_path


def test_writes_four_examples(fake_project):
    paths = examples.write_examples("demo", fake_project)
    assert sorted(paths) == ["blank", "broken", "correct", "partial"]
    out = fake_project / "examples" / "demo"
    assert paths["correct"].read_bytes() == (fake_project / "solutions/demo/demo.ipynb").read_bytes()
    assert "..." in paths["blank"].read_text()
    partial = json.loads(paths["partial"].read_text())
    assert "return 3 * x" in partial["cells"][1]["source"]
    assert partial["cells"][0]["source"] == "import numpy as np"
    with pytest.raises(json.JSONDecodeError):
        json.loads(paths["broken"].read_text())
    assert {p.name for p in out.iterdir()} == {"correct.ipynb", "partial.ipynb", "blank.ipynb",
                                               "broken.ipynb"}


def test_missing_release_says_make_release(fake_project):
    with pytest.raises(FileNotFoundError, match="make release"):
        examples.write_examples("other", fake_project)


def test_wrong_answer_without_header_is_rejected(fake_project):
    (fake_project / "assignment/demo/examples/bad.py").write_text("def double(x):\n    return x\n")
    with pytest.raises(ValueError, match="replaces"):
        examples.write_examples("demo", fake_project)


@pytest.mark.parametrize("path", REAL_EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_real_wrong_answers_define_what_they_replace(path):
    source = path.read_text()
    name = parse_header(source)["replaces"]
    defined = [n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    assert defined == [name]


@pytest.mark.slow
def test_real_examples_substitute_into_the_solutions(release_build, tmp_path):
    for name in release_build.assignments:
        paths = examples.write_examples(name, PROJECT, release=release_build.out,
                                        out=tmp_path / name)
        solution = json.loads(paths["correct"].read_text())
        partial = json.loads(paths["partial"].read_text())
        assert partial["cells"] != solution["cells"]
