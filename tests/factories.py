"""Tiny in-memory specs and notebooks for the engine's unit tests.

``tiny_spec()`` is a three-question assignment (two autograded, one written)
small enough that a whole grade takes a couple of seconds. ``notebook()``
builds a student notebook from a spec's release cells, with answers filled in.
"""

from __future__ import annotations

import json
from pathlib import Path

from gradekit.model import (
    ROLE_ANSWER, ROLE_CHECK, ROLE_EXPORT, ROLE_INIT, ROLE_PROMPT, ROLE_PROVIDED,
    Limits, Question, ReleaseCell, RubricItem, Spec, TestCase,
)

HELPERS = '''\
from gradekit.checks import TestFailure, expect_close


def true_add(a, b):
    return np.asarray(a) + np.asarray(b)


def check_add(a, b):
    got = add(a, b)
    expect_close(got, true_add(a, b), "add(a, b)")
'''

# Hidden test lines long enough to be redaction keys (>= 12 chars).
HIDDEN_ADD = '''\
x = np.arange(6.0).reshape(2, 3) * 0.731
y = np.full((2, 3), 4.25)
expect_close(add(x, y), x + y, "add on secret matrices")
'''

CORR_PUBLIC = '''\
import numpy as np
x = np.arange(9.0).reshape(3, 3)
w = np.array([[1.0, 0.0], [0.0, -1.0]])
out = corr(x, w)
assert np.asarray(out).shape == (2, 2), "corr should return shape (2, 2)"
'''

CORR_HIDDEN = '''\
rng = np.random.default_rng(7)
x = rng.normal(size=(5, 4))
w = rng.normal(size=(2, 3))
want = F.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0].numpy()
expect_close(corr(x, w), want, "corr(x, w)")
'''

ADD_SOLUTION = "def add(a, b):\n    return np.asarray(a) + np.asarray(b)\n"
CORR_SOLUTION = '''\
def corr(x, w):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    kh, kw = w.shape
    out = np.empty((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * w)
    return out
'''
WRITTEN_ANSWER = "Because the **kernel** is shared across positions."
PLACEHOLDER = "_Type your answer here, replacing this text._"


def tiny_spec(*, limits: Limits | None = None, hidden_feedback: str = "hint",
              light: bool = False) -> Spec:
    """``light``: the provided imports skip torch (kernels start in well under
    a second, for tests of short time limits)."""
    questions = (
        Question("q_add", 2.0, tests=(
            TestCase("q_add - 1", "assert add(1, 2) == 3, 'add(1, 2) should be 3'", 1.0, False),
            TestCase("q_add - 2", HIDDEN_ADD, 1.0, True),
        )),
        Question("q_corr", 3.0, forbid=("torch.nn.functional.conv2d",), tests=(
            TestCase("q_corr - 1", CORR_PUBLIC, 1.0, False),
            TestCase("q_corr - 2", CORR_HIDDEN, 2.0, True),
        )),
        Question("q_why", 2.0, manual=True,
                 rubric=(RubricItem(2.0, "mentions weight sharing"),),
                 reference_answer="Weight sharing."),
    )
    return Spec(
        assignment="tiny", notebook="tiny.ipynb", questions=questions,
        release_cells=release_cells(light), helpers_source=HELPERS,
        support_files=("data/numbers.txt",),
        limits=limits or Limits(timeout_s=60, cell_timeout_s=10, memory_mb=1000,
                                output_bytes=20_000),
        hidden_feedback=hidden_feedback,
    )


def support() -> dict[str, bytes]:
    return {"data/numbers.txt": b"1 2 3\n"}


def release_cells(light: bool = False) -> tuple[ReleaseCell, ...]:
    imports = "import numpy as np" if light else \
        "import numpy as np\nimport torch\nimport torch.nn.functional as F"
    cells = [
        ("init", "code", "import otter\ngrader = otter.Notebook('tiny.ipynb')", ROLE_INIT, None, False),
        ("intro", "markdown", "# Tiny assignment", ROLE_PROMPT, None, False),
        ("imports", "code", imports, ROLE_PROVIDED, None, False),
        ("demo-plot", "code", "import matplotlib.pyplot as plt\nplt.plot([1, 2])",
         ROLE_PROVIDED, None, True),
        ("q-add-prompt", "markdown", "**q_add**: write `add(a, b)`.", ROLE_PROMPT, "q_add", False),
        ("q-add-answer", "code", "def add(a, b):\n    ...", ROLE_ANSWER, "q_add", False),
        ("q-add-check", "code", 'grader.check("q_add")', ROLE_CHECK, "q_add", False),
        ("q-corr-prompt", "markdown", "**q_corr**: write `corr(x, w)`.", ROLE_PROMPT, "q_corr", False),
        ("q-corr-answer", "code", "def corr(x, w):\n    ...", ROLE_ANSWER, "q_corr", False),
        ("q-corr-check", "code", 'grader.check("q_corr")', ROLE_CHECK, "q_corr", False),
        ("q-why-prompt", "markdown", "**q_why**: why do convolutions have few parameters?",
         ROLE_PROMPT, "q_why", False),
        ("q-why-answer", "markdown", PLACEHOLDER, ROLE_ANSWER, "q_why", False),
        ("export", "code", "grader.export(pdf=False)", ROLE_EXPORT, None, False),
    ]
    return tuple(ReleaseCell(i, t, s, r, q, k) for i, t, s, r, q, k in cells)


def cell_dict(rc: ReleaseCell, source: str | None = None, *, with_id: bool = True) -> dict:
    meta = {"gradekit": {"role": rc.role, **({"question": rc.question} if rc.question else {})}}
    cell = {"cell_type": rc.cell_type, "metadata": meta, "source": source or rc.source}
    if with_id:
        cell["id"] = rc.id
    if rc.cell_type == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def code_cell(source: str, cell_id: str | None = None) -> dict:
    cell = {"cell_type": "code", "metadata": {}, "source": source,
            "execution_count": None, "outputs": []}
    if cell_id:
        cell["id"] = cell_id
    return cell


def notebook(spec: Spec | None = None, answers: dict[str, str] | None = None, *,
             with_ids: bool = True, assignment: str = "tiny",
             kernel: dict | None = None) -> dict:
    """A student notebook; ``answers`` maps answer-cell id -> source."""
    spec = spec or tiny_spec()
    answers = answers or {}
    cells = [cell_dict(rc, answers.get(rc.id), with_id=with_ids) for rc in spec.release_cells]
    return {
        "nbformat": 4, "nbformat_minor": 5 if with_ids else 4,
        "metadata": {
            "kernelspec": kernel or {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                     "language": "python"},
            "language_info": {"name": "python"},
            "gradekit": {"assignment": assignment},
        },
        "cells": cells,
    }


def solved(**overrides: str) -> dict[str, str]:
    """Answers of a full-marks submission, with some replaced."""
    answers = {"q-add-answer": ADD_SOLUTION, "q-corr-answer": CORR_SOLUTION,
               "q-why-answer": WRITTEN_ANSWER}
    answers.update(overrides)
    return answers


def write_notebook(path: Path, nb: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))
    return path
