"""Verdicts: run each question's tests in the grader against the student's kernel.

A test is ordinary Python executed here, in a fresh namespace made of the
grader namespace (``np``, ``torch``, ``F``, ``math`` + the public names of
``Spec.helpers_source``) and the notebook names it uses: callables become
:class:`~gradekit.remote.RemoteFunction` proxies, other values are fetched
as plain data. It passes iff it raises nothing. ``forbid`` is enforced by a
static scan of the student's code and by the harness's runtime tripwire.
"""

from __future__ import annotations

import ast
import builtins
import math
from typing import Any

import numpy as np
import torch

from gradekit.checks import TestFailure
from gradekit.execute import KernelSession
from gradekit.model import Question, QuestionResult, Spec, TestCase, TestResult
from gradekit.remote import RemoteError, RemoteFunction, describe, fetch_value

FEEDBACK_CHARS = 300
DETAIL_CHARS = 2000
MIN_REDACT_LINE = 12
REDACTED = "[feedback withheld: it quoted grading code]"
BUILTIN_NAMES = frozenset(dir(builtins))
DYNAMIC_LOOKUPS = frozenset({"getattr", "__import__", "import_module", "eval", "exec",
                             "compile", "__getattribute__", "attrgetter", "methodcaller"})
NAME_LOOKUPS = frozenset({"getattr", "__import__", "import_module", "__getattribute__"})
# The same computation under another public name (ATen entry points).
EQUIVALENT_OPS = {"conv2d": ("convolution", "_convolution")}
COMPUTED_LOOKUP = "a function looked up by a name built at run time"


# ------------------------------------------------------------- namespaces
def base_namespace() -> dict[str, Any]:
    return {"np": np, "torch": torch, "F": torch.nn.functional, "math": math}


def helpers_namespace(spec: Spec) -> dict[str, Any]:
    """Module globals of the helpers, exec'd once per submission (course code)."""
    ns = {**base_namespace(), "__name__": "gradekit_helpers"}
    if spec.helpers_source.strip():
        exec(compile(spec.helpers_source, "<grading helpers>", "exec"), ns)
    return ns


def public_names(helpers: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in helpers.items() if not k.startswith("_")}, **base_namespace()}


def free_names(code: str) -> set[str]:
    """Names the code loads but never binds, minus builtins."""
    tree = ast.parse(code)
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound - BUILTIN_NAMES


# ------------------------------------------------------------- feedback
def redaction_keys(spec: Spec) -> list[str]:
    hidden = [t.code for q in spec.autograded for t in q.tests if t.hidden]
    lines = (line.strip() for text in [*hidden, spec.helpers_source] for line in text.splitlines())
    return sorted({line for line in lines if len(line) >= MIN_REDACT_LINE})


def student_safe(text: str, keys: list[str]) -> str:
    if any(key in text for key in keys):
        return REDACTED
    return text if len(text) <= FEEDBACK_CHARS else text[: FEEDBACK_CHARS - 1] + "…"


def failure_texts(exc: BaseException) -> tuple[str, str | None]:
    """(detail for staff, hint for students or None)."""
    if isinstance(exc, TestFailure):
        return exc.detail, exc.hint
    if isinstance(exc, RemoteError):
        return str(exc), str(exc)
    if isinstance(exc, AssertionError):
        return str(exc) or "assertion failed", None
    return f"{type(exc).__name__}: {exc}", None


def feedback_for(test: TestCase, exc: BaseException, spec: Spec, keys: list[str]) -> str:
    detail, hint = failure_texts(exc)
    if not test.hidden or spec.hidden_feedback == "full":
        text = detail
    elif spec.hidden_feedback == "summary":
        text = "failed"
    else:
        text = hint or "failed"
    text = student_safe(text, keys)
    return f"{test.failure_message}\n{text}" if test.failure_message else text


# ------------------------------------------------------------- forbid
def import_aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> dotted module or object it was imported as."""
    aliases = {"F": "torch.nn.functional", "np": "numpy"}  # the provided cells' names
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([aliases.get(node.id, node.id), *reversed(parts)])


def call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def strings_in(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def forbidden_in_nodes(nodes: list[ast.AST], aliases: dict[str, str], name: str) -> bool:
    """Whether the code plausibly reaches ``name`` (e.g. torch.nn.functional.conv2d):
    by attribute (any case, or an ATen twin), import, or a string in a lookup."""
    last, top = name.rsplit(".", 1)[-1], name.split(".")[0]
    spellings = {last.lower(), *EQUIVALENT_OPS.get(last.lower(), ())}
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Attribute) and node.attr.lower() in spellings:
                full = dotted(node, aliases)
                if full is not None and full.split(".")[0] == top:
                    return True
            elif isinstance(node, ast.ImportFrom) and node.module \
                    and node.module.split(".")[0] == top:
                if any(a.name.lower() in spellings or a.name == "*" for a in node.names):
                    return True
            elif isinstance(node, ast.Call) and call_name(node) in DYNAMIC_LOOKUPS:
                if any(last in s for s in strings_in(node)):
                    return True
            elif isinstance(node, ast.Subscript) and last in strings_in(node.slice):
                return True
    return False


def computed_lookup(nodes: list[ast.AST]) -> bool:
    """getattr/import_module/__import__ with a name built at run time: it hides
    which function is called, so a forbid question cannot be checked."""
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Call) and call_name(node) in NAME_LOOKUPS:
                arg = node.args[1] if call_name(node) == "getattr" and len(node.args) > 1 else \
                    node.args[0] if node.args and call_name(node) != "getattr" else None
                if arg is not None and not (isinstance(arg, ast.Constant)
                                            and isinstance(arg.value, str)):
                    return True
    return False


def parse_cells(cells: list[str]) -> list[ast.Module]:
    """Each cell's AST; IPython magics/shell lines blanked; unparsable cells skipped."""
    trees = []
    for cell in cells:
        lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in cell.splitlines()]
        try:
            trees.append(ast.parse("\n".join(lines)))
        except (SyntaxError, ValueError):
            continue
    return trees


def top_level_bindings(trees: list[ast.Module]) -> dict[str, list[ast.stmt]]:
    """Name -> the top-level statements of the student's cells that bind it."""
    bound: dict[str, list[ast.stmt]] = {}
    for tree in trees:
        for stmt in tree.body:
            for name in statement_binds(stmt):
                bound.setdefault(name, []).append(stmt)
    return bound


def statement_binds(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    targets = stmt.targets if isinstance(stmt, ast.Assign) else \
        [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) else []
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def reachable_code(trees: list[ast.Module], roots: set[str]) -> list[ast.stmt]:
    """Top-level statements binding ``roots`` and, transitively, every
    student-defined name they use (helpers, defaults, module-level aliases)."""
    bound = top_level_bindings(trees)
    seen, todo, code = set(), [r for r in roots if r in bound], []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for stmt in bound[name]:
            code.append(stmt)
            todo += [n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id in bound]
    return code


def static_forbidden(cells: list[str], forbid: tuple[str, ...],
                     roots: set[str] | None = None) -> list[str]:
    """Forbidden names the student's code uses: in the code the tested
    functions (``roots``) reach, or in all of it when ``roots`` is None."""
    if not forbid:
        return []
    trees = parse_cells(cells)
    aliases = {k: v for t in trees for k, v in import_aliases(t).items()}
    nodes = list(trees) if roots is None else reachable_code(trees, roots)
    found = [name for name in forbid if forbidden_in_nodes(nodes, aliases, name)]
    if computed_lookup(nodes):
        found.append(COMPUTED_LOOKUP)
    return found


# ------------------------------------------------------------- judging
class Judge:
    """Judges one submission's questions against its live kernel session."""

    def __init__(self, spec: Spec, session: KernelSession):
        self.spec, self.session = spec, session
        self.helpers = helpers_namespace(spec)
        self.grader_ns = public_names(self.helpers)
        self.keys = redaction_keys(spec)
        # Notebook names the helpers use (e.g. a check_* calling the student's function).
        self.helper_needs = free_names(spec.helpers_source) - self.helpers.keys()

    def resolve(self, names: set[str], question: Question, proxies: dict[str, Any],
                required: bool = True) -> str | None:
        """Fill ``proxies`` with notebook names; a student-facing error if one is unusable."""
        for name in sorted(names - self.grader_ns.keys() - proxies.keys()):
            kind = describe(self.session, name)
            if kind == "missing" and not required:
                continue  # a helper will raise NameError itself if it really needs it
            if kind == "missing":
                return f"name {name} is not defined in your notebook"
            if kind == "callable":
                proxies[name] = RemoteFunction(self.session, name, question.forbid)
            else:
                proxies[name] = fetch_value(self.session, name)
        return None

    def run_test(self, test: TestCase, question: Question, proxies: dict[str, Any]) -> TestResult:
        result = TestResult(test.name, test.hidden, 0.0, test.points, False)
        try:
            names = free_names(test.code)
            missing = self.resolve(names, question, proxies)
            if missing:
                raise RemoteError(missing)
            if names & self.grader_ns.keys() - set(base_namespace()):
                self.resolve(self.helper_needs, question, proxies, required=False)
            # Helpers calling notebook functions find them in their own globals.
            for name, proxy in proxies.items():
                self.helpers.setdefault(name, proxy)
            exec(compile(test.code, f"<test {test.name}>", "exec"), {**self.grader_ns, **proxies})
        except Exception as exc:  # a failing test, whatever it raised
            result.detail = failure_texts(exc)[0][:DETAIL_CHARS]
            result.feedback = feedback_for(test, exc, self.spec, self.keys)
            return result
        result.passed, result.points = True, test.points
        result.feedback = test.success_message or "passed"
        return result

    def judge_question(self, question: Question, editable: list[str]) -> QuestionResult:
        proxies: dict[str, Any] = {}
        tests = [self.run_test(t, question, proxies) for t in question.tests]
        for name in proxies:  # this question's proxies only: not shared with others
            if self.helpers.get(name) is proxies[name]:
                del self.helpers[name]
        # Only code the tested functions reach: a cell that merely compares
        # with F.conv2d, or another question's code, is not held against this one.
        static = static_forbidden(editable, question.forbid, roots=set(proxies))
        caught = set().union(*(getattr(p, "forbidden_used", set()) for p in proxies.values()))
        if static or caught:
            # One reason is enough: what the call was seen doing, else what the code shows.
            zero_for_forbidden(tests, sorted(caught)[:1] or static[:1], question.forbid)
        elif question.all_or_nothing and not all(t.passed for t in tests):
            for t in tests:
                t.points = 0.0
        return QuestionResult(question.name, question_score(question, tests),
                              question.points, tests=tests)


def forbid_message(name: str, forbid: tuple[str, ...]) -> str:
    if name == COMPUTED_LOOKUP:
        return (f"looks up functions by names built at run time, so a use of {forbid[0]} "
                "cannot be ruled out; this exercise asks you to implement it yourself")
    return f"uses {name}, which this exercise asks you to implement yourself"


def zero_for_forbidden(tests: list[TestResult], used: list[str], forbid: tuple[str, ...]) -> None:
    message = "; ".join(forbid_message(name, forbid) for name in used)
    for t in tests:
        t.points, t.passed = 0.0, False
        t.feedback = t.detail = message


def question_score(question: Question, tests: list[TestResult]) -> float:
    """Earned test points, scaled to the question's points if they differ."""
    total = sum(t.max_points for t in tests)
    earned = sum(t.points for t in tests)
    if total <= 0:
        return 0.0
    return earned if math.isclose(total, question.points) else question.points * earned / total


def judge_submission(spec: Spec, session: KernelSession,
                     editable: dict[str, list[str]]) -> list[QuestionResult]:
    """Results of every autograded question, in spec order."""
    judge = Judge(spec, session)
    return [judge.judge_question(q, editable.get(q.name, [])) for q in spec.autograded]
