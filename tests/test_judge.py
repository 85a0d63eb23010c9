import pytest

from factories import HIDDEN_ADD, tiny_spec
from gradekit.checks import TestFailure
from gradekit.judge import (
    REDACTED, feedback_for, free_names, helpers_namespace, public_names, question_score,
    redaction_keys, static_forbidden, student_safe,
)
from gradekit import model
from gradekit.remote import RemoteError

CONV = ("torch.nn.functional.conv2d",)


def test_free_names_are_the_notebook_names_a_test_needs():
    code = ("import math\nx = add(1, 2)\nys = [v * 2 for v in range(3)]\n"
            "def f(a):\n    return a + K\nassert np.allclose(x, f(1)), len(ys)")
    assert free_names(code) == {"add", "K", "np"}


def test_helpers_are_public_and_shadow_nothing_of_the_base():
    ns = public_names(helpers_namespace(tiny_spec()))
    assert {"true_add", "check_add", "expect_close", "np", "torch", "F", "math"} <= ns.keys()
    assert not any(k.startswith("_") for k in ns)


@pytest.mark.parametrize("code", [
    "def corr(x, w):\n    return F.conv2d(x, w)",
    "import torch\ndef corr(x, w):\n    return torch.nn.functional.conv2d(x, w)",
    "from torch.nn.functional import conv2d\ncorr = conv2d",
    "from torch.nn.functional import *",
    "import torch.nn.functional as G\ny = G.conv2d(1, 2)",
    "from torch.nn import functional as fn\ny = fn.conv2d(1, 2)",
    "y = torch.conv2d(1, 2)",
    "y = getattr(F, 'conv2d')(1, 2)",
    "import importlib\ny = importlib.import_module('torch.nn.functional').__dict__['conv2d']",
    "y = eval('F.conv2d(1, 2)')",
])
def test_static_scan_finds_forbidden_uses(code):
    assert static_forbidden([code], CONV) == list(CONV)


@pytest.mark.parametrize("code", [
    "def conv2d(x, w):\n    return x  # not F.conv2d",
    "layer = torch.nn.Linear(3, 3)",
    "print('do not use F.conv2d')",
    "y = my_module.conv2d(1)",
    "%timeit F.conv2d(x, w)",
    "def broken(:",
])
def test_static_scan_ignores_lookalikes(code):
    assert static_forbidden([code], CONV) == []


def test_feedback_follows_the_hidden_feedback_setting():
    public = model.TestCase("q - 1", "", 1, False)
    hidden = model.TestCase("q - 2", "", 1, True)
    failure = TestFailure("detail with the reference values", hint="off by a factor 2")
    keys = []
    assert feedback_for(public, failure, tiny_spec(), keys) == "detail with the reference values"
    assert feedback_for(hidden, failure, tiny_spec(), keys) == "off by a factor 2"
    assert feedback_for(hidden, AssertionError("ref=3"), tiny_spec(), keys) == "failed"
    assert feedback_for(hidden, failure, tiny_spec(hidden_feedback="summary"), keys) == "failed"
    full = tiny_spec(hidden_feedback="full")
    assert feedback_for(hidden, failure, full, keys) == "detail with the reference values"


def test_student_text_quoting_hidden_tests_or_helpers_is_redacted():
    spec = tiny_spec()
    keys = redaction_keys(spec)
    leak = RemoteError("add() raised ValueError: " + HIDDEN_ADD.splitlines()[0])
    hidden = model.TestCase("q - 2", "", 1, True)
    assert feedback_for(hidden, leak, spec, keys) == REDACTED
    assert student_safe("def check_add(a, b):", keys) == REDACTED
    assert student_safe("add() raised ValueError: nope", keys) == "add() raised ValueError: nope"
    assert len(student_safe("x" * 5000, keys)) == 300


def test_question_score_scales_test_points_to_the_question():
    tests = [model.TestResult("a", False, 1.0, 1.0, True), model.TestResult("b", True, 0.0, 3.0, False)]
    assert question_score(model.Question("q", 4.0), tests) == 1.0
    assert question_score(model.Question("q", 2.0), tests) == 0.5
    assert question_score(model.Question("q", 2.0), []) == 0.0


@pytest.mark.parametrize("cells", [
    ["import torch\ndef corr(x, w):\n    return torch.nn.Conv2d(1, 1, 3)(x)"],
    ["def corr(x, w):\n    return torch.ops.aten.convolution(x, w)"],
    ["import importlib\n_f = importlib.import_module('torch.nn.' + 'functional')\n_op = getattr(_f, 'con' + 'v2d')",
     "def corr(x, w):\n    return _op(x, w)"],
    ["def corr(x, w, _op=getattr(torch, 'convol' + 'ution')):\n    return _op(x, w)"],
    ["def helper(x, w):\n    return F.conv2d(x, w)", "def corr(x, w):\n    return helper(x, w)"],
])
def test_scan_follows_what_the_tested_function_reaches(cells):
    assert static_forbidden(cells, CONV, roots={"corr"}) != []


def test_scan_ignores_code_the_tested_function_does_not_reach():
    cells = ["def corr(x, w):\n    return x[:2, :2] * w.sum()",
             "print(np.allclose(corr(x, w), F.conv2d(x, w)))",  # the student checking their work
             "def other(x):\n    return F.conv2d(x, x)"]
    assert static_forbidden(cells, CONV, roots={"corr"}) == []
    assert static_forbidden(cells, CONV) == list(CONV)
