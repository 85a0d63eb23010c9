"""Shared fixtures: in-memory master-notebook factories and one real release build.

Factories (plain functions, importable as ``from conftest import ...``):

* ``raw(src)``, ``md(src)``, ``code(src, tags=())`` build cells;
  ``notebook(cells)`` numbers their ids ``c0, c1, ...`` where none is given.
* ``demo_master_cells(name)`` is a small but complete master: config,
  provided code, an autograded question with public and hidden tests, a
  manual question with a prompt block and rubric, a ``skip-grading`` cell.
* ``write_master(root, cells, name)`` writes ``<root>/assignment/<name>/<name>.ipynb``
  plus the ``grading.py`` helper and a support file, and returns the path.

Fixtures:

* ``release_build`` (session scope) runs the real ``make release`` pipeline
  (lint, build, leak check, solution execution and grading through the
  engine when it exists) ONCE on the project's real master notebooks into a
  temporary directory and returns a :class:`ReleaseBuild` with its paths:
  ``out`` (the output root), ``assignments`` (names built),
  ``student(name)``, ``zip(name)``, ``solution(name)``. Use it for end-to-end
  tests and mark them ``@pytest.mark.slow``. It skips when no real master
  notebook exists yet.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))


# ---------------------------------------------------------------- cell factories

def _cell(cell_type: str, src: str, cell_id: str | None, tags=()) -> dict:
    cell = {"cell_type": cell_type, "metadata": {}, "source": src}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    if cell_id:
        cell["id"] = cell_id
    if cell_type == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def raw(src: str, cell_id: str | None = None) -> dict:
    return _cell("raw", src, cell_id)


def md(src: str, cell_id: str | None = None) -> dict:
    return _cell("markdown", src, cell_id)


def code(src: str, cell_id: str | None = None, tags=()) -> dict:
    return _cell("code", src, cell_id, tags)


def notebook(cells: list[dict]) -> dict:
    """A master notebook dict; cells without an id get ``c<index>``."""
    cells = [dict(c, id=c.get("id") or f"c{i}") for i, c in enumerate(cells)]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                        "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


def config_cell(name: str = "demo", extra: str = "") -> dict:
    return raw(
        "# ASSIGNMENT CONFIG\n"
        f"name: {name}\n"
        "files: [data/table.txt]\n"
        "export_cell: {pdf: false}\n"
        "grading:\n  helpers: grading.py\n  timeout: 300\n  cell_timeout: 60\n"
        "  memory_mb: 1000\n  hidden_feedback: hint\n" + extra
    )


def case_cell(body: str, *, hidden: bool | None = None, points: float | None = None) -> dict:
    header = []
    if hidden is not None:
        header.append(f"hidden: {str(hidden).lower()}")
    if points is not None:
        header.append(f"points: {points}")
    if not header:
        return code(body)
    return code('""" # BEGIN TEST CONFIG\n' + "\n".join(header) + '\n""" # END TEST CONFIG\n' + body)


def autograded_question(name: str = "q1", points: int = 2) -> list[dict]:
    return [
        raw(f"# BEGIN QUESTION\nname: {name}\npoints: {points}\nforbid: [numpy.convolve]"),
        md(f"**{name}.** Write `double(x)` returning twice its input."),
        raw("# BEGIN SOLUTION"),
        code("def double(x):\n    # BEGIN SOLUTION\n    result = 2 * x  # the secret doubling\n"
             "    return result\n    # END SOLUTION"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        case_cell("assert double(2) == 4, 'double(2) should be 4'"),
        case_cell("import numpy as np\nassert np.allclose(double(np.arange(3)), [0, 2, 4])\n"
                  "assert double(-7.5) == -15.0  # hidden check of negatives", hidden=True),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]


def manual_question(name: str = "q2") -> list[dict]:
    return [
        raw(f"# BEGIN QUESTION\nname: {name}\npoints: 3\nmanual: true\n"
            "rubric:\n- {points: 2, criterion: 'States that doubling is linear in its argument'}\n"
            "- {points: 1, criterion: 'Mentions the zero input maps to zero output'}"),
        md(f"**{name}.** Explain why `double` is linear."),
        raw("# BEGIN PROMPT"),
        md("_Explain here._"),
        raw("# END PROMPT"),
        raw("# BEGIN SOLUTION"),
        md("Doubling satisfies double(a x + b y) = a double(x) + b double(y) exactly."),
        raw("# END SOLUTION"),
        raw("# END QUESTION"),
    ]


def demo_master_cells(name: str = "demo") -> list[dict]:
    return [
        config_cell(name),
        md("# Demo assignment\nIntroductory prose."),
        code("import numpy as np\nTABLE = open('data/table.txt').read().split()"),
        *autograded_question("q1"),
        code("print('a plot would go here')", tags=["skip-grading"]),
        *manual_question("q2"),
    ]


HELPERS_SOURCE = "from gradekit.checks import expect_close\n\n\ndef oracle_double(x):\n    return 2 * x\n"


def write_master(root: Path, cells: list[dict], name: str = "demo") -> Path:
    """Write a master notebook and its side files under ``root/assignment/<name>/``."""
    folder = Path(root) / "assignment" / name
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "grading.py").write_text(HELPERS_SOURCE)
    (folder / "data" / "table.txt").write_text("1 2 3\n")
    path = folder / f"{name}.ipynb"
    path.write_text(json.dumps(notebook(cells), indent=1))
    return path


@pytest.fixture
def demo_master(tmp_path) -> Path:
    """A complete, valid master notebook written under ``tmp_path``."""
    return write_master(tmp_path, demo_master_cells())


# ---------------------------------------------------------------- the real release

@dataclass(frozen=True)
class ReleaseBuild:
    out: Path
    assignments: tuple[str, ...]

    def student(self, name: str) -> Path:
        return self.out / "student_release" / name / f"{name}.ipynb"

    def zip(self, name: str) -> Path:
        return self.out / "autograder" / name / f"{name}-autograder.zip"

    def solution(self, name: str) -> Path:
        return self.out / "solutions" / name / f"{name}.ipynb"


@pytest.fixture(scope="session")
def release_build(tmp_path_factory) -> ReleaseBuild:
    """Build the real release once per test session (see module docstring)."""
    from gradekit import release

    masters = release.find_masters(PROJECT_ROOT / "assignment")
    if not masters:
        pytest.skip("no real master notebook under assignment/ yet")
    out = tmp_path_factory.mktemp("release")
    code_ = release.main(["--root", str(PROJECT_ROOT), "--out", str(out)])
    if code_ != 0:
        pytest.fail(f"release of the real notebooks failed with exit code {code_}")
    return ReleaseBuild(out, tuple(m.parent.name for m in masters))
