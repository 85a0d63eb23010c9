"""Lint master notebooks before anything is built: ``python -m gradekit lint [paths]``.

Each rule is a small function ``(master) -> list[str]``; every message names
the notebook, the cell (index and id) and the question. Structural problems
(misplaced or misnested delimiters, bad or duplicated YAML) come from the
parser itself.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

from gradekit.assignfmt import (REGION_BODY, REGION_PROMPT, REGION_SOLUTION, Master,
                                has_solution_markers, parse_master, where)

# Keys gradekit honours. Otter keys we do not implement are rejected on purpose:
# a key that is silently ignored is worse than an error.
ASSIGNMENT_KEYS = {"name", "files", "export_cell", "grading"}
EXPORT_CELL_KEYS = {"pdf", "instructions"}
GRADING_KEYS = {"helpers", "timeout", "cell_timeout", "memory_mb", "hidden_feedback"}
QUESTION_KEYS = {"name", "points", "manual", "all_or_nothing", "forbid", "rubric"}
TEST_KEYS = {"hidden", "points", "success_message", "failure_message"}
RUBRIC_KEYS = {"points", "criterion"}
HIDDEN_FEEDBACK = {"hint", "summary", "full"}

_DELIMITER_ANYWHERE = re.compile(
    r"^\s*#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|PROMPT|TESTS)\b|^\s*#\s*ASSIGNMENT\s+CONFIG\b",
    re.I | re.M)
# In code cells, inline solution/prompt markers are legitimate; only these are not.
_DELIMITER_IN_CODE = re.compile(
    r"^\s*#\s*(BEGIN|END)\s+(QUESTION|TESTS)\b|^\s*#\s*ASSIGNMENT\s+CONFIG\b", re.I | re.M)
_PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!_-]+$")


def _unknown(keys, known, where_: str, what: str) -> list[str]:
    return [f"{where_}: unknown {what} key {k!r} (known: {', '.join(sorted(known))})"
            for k in sorted(set(keys) - known, key=str)]


def rule_delimiters_in_raw_cells(m: Master) -> list[str]:
    out = []
    for placed in m.cells:
        c = placed.cell
        pattern = {"markdown": _DELIMITER_ANYWHERE, "code": _DELIMITER_IN_CODE}.get(c.cell_type)
        if pattern and pattern.search(c.source):
            out.append(f"{where(m.path, c, placed.question)}: delimiter in a {c.cell_type} cell "
                       "(delimiters must be raw cells)")
    return out


def rule_known_keys(m: Master) -> list[str]:
    out = _unknown(m.config, ASSIGNMENT_KEYS, m.path.name, "assignment config")
    if isinstance(m.config.get("export_cell"), dict):
        out += _unknown(m.config["export_cell"], EXPORT_CELL_KEYS, m.path.name, "export_cell")
        if m.config["export_cell"].get("pdf", False):
            out.append(f"{m.path.name}: export_cell.pdf must be false (PDF export needs "
                       "pandoc/LaTeX, which student hubs lack)")
    grading = m.config.get("grading") if isinstance(m.config.get("grading"), dict) else {}
    out += _unknown(grading, GRADING_KEYS, m.path.name, "grading")
    if grading.get("hidden_feedback", "hint") not in HIDDEN_FEEDBACK:
        out.append(f"{m.path.name}: grading.hidden_feedback must be one of {sorted(HIDDEN_FEEDBACK)}")
    for q in m.questions:
        at = where(m.path, q.cell, q.name)
        out += _unknown(q.config, QUESTION_KEYS, at, "question")
        rubric = q.config.get("rubric") if isinstance(q.config.get("rubric"), list) else []
        for r in rubric:
            out += _unknown(r if isinstance(r, dict) else {}, RUBRIC_KEYS, at, "rubric item")
        for t in q.tests:
            out += _unknown(t.config, TEST_KEYS, where(m.path, t.cell, q.name), "test config")
    return out


def rule_name(m: Master) -> list[str]:
    if m.config.get("name") != m.path.stem:
        return [f"{m.path.name}: assignment config name {m.config.get('name')!r} must equal the "
                f"notebook's file name {m.path.stem!r}"]
    return []


def rule_points(m: Master) -> list[str]:
    out = []
    for q in m.questions:
        at = where(m.path, q.cell, q.name)
        points = q.config.get("points")
        if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
            out.append(f"{at}: missing or invalid points (a positive number)")
            continue
        given = [t.points for t in q.tests]
        if any(p is None and "points" in t.config for p, t in zip(given, q.tests)):
            out.append(f"{at}: a test's points are not a number")
        elif given and None not in given and abs(sum(given) - points) > 1e-9:
            out.append(f"{at}: test points sum to {sum(given):g}, question has {points:g}")
        elif sum(p for p in given if p is not None) > points + 1e-9:
            out.append(f"{at}: test points exceed the question's {points:g}")
        rubric = q.config.get("rubric") or []
        if rubric and abs(sum(float(r.get("points", 0)) for r in rubric) - points) > 1e-9:
            out.append(f"{at}: rubric points do not sum to the question's {points:g}")
    return out


def rule_tests(m: Master) -> list[str]:
    out = []
    for q in m.questions:
        at = where(m.path, q.cell, q.name)
        if q.manual:
            if q.tests:
                out.append(f"{at}: a manual question has tests")
            if not any(c.cell_type == "markdown" for c in q.solution):
                out.append(f"{at}: a manual question needs a markdown solution (reference answer)")
            continue
        if not any(not t.hidden for t in q.tests):
            out.append(f"{at}: autograded question without a public test")
        if not any(t.hidden for t in q.tests):
            out.append(f"{at}: autograded question without a hidden test")
        if not any(c.cell_type == "code" for c in q.solution):
            out.append(f"{at}: autograded question without a code solution")
        if q.prompt:
            out.append(f"{at}: PROMPT blocks are for manual questions only")
    return out


def rule_test_code(m: Master) -> list[str]:
    out = []
    for q in m.questions:
        for t in q.tests:
            at = where(m.path, t.cell, q.name)
            try:
                ast.parse(t.code)
            except SyntaxError as exc:
                out.append(f"{at}: test does not parse: {exc.msg} (line {exc.lineno})")
            first = t.cell.source.lstrip("\n").split("\n", 1)[0]
            code_first = t.code.lstrip("\n").split("\n", 1)[0]
            for line in (first, code_first):
                if not t.hidden and line.lstrip().startswith("#") and re.search(r"\bhidden\b", line, re.I):
                    out.append(f"{at}: public test's first-line comment says 'hidden' "
                               "(otter would silently make it hidden): reword it or set hidden: true")
                    break
    return out


_BOOLEAN_CALLS = ("allclose", "isclose", "array_equal", "array_equiv", "equal", "isfinite", "all", "any")


def _ignored_verdicts(code: str) -> list[int]:
    """Line numbers of top-level expressions whose truth value is thrown away.

    otter's doctests compare printed output (`np.allclose(a, b)` then `True`);
    here a test passes iff it raises, so such a line can never fail: it needs `assert`.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    lines = []
    for node in tree.body:
        value = node.value if isinstance(node, ast.Expr) else None
        if isinstance(value, (ast.Compare, ast.BoolOp, ast.UnaryOp)):
            lines.append(node.lineno)
        elif isinstance(value, ast.Call):
            func = value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _BOOLEAN_CALLS:
                lines.append(node.lineno)
    return lines


def rule_tests_that_cannot_fail(m: Master) -> list[str]:
    return [f"{where(m.path, t.cell, q.name)}: test line {n} computes a truth value and ignores it "
            "(tests pass unless they raise: write `assert ...`)"
            for q in m.questions for t in q.tests for n in _ignored_verdicts(t.code)]


def rule_prompt_blocks(m: Master) -> list[str]:
    return [f"{where(m.path, p.cell, p.question)}: PROMPT blocks may contain only markdown cells"
            for p in m.cells if p.region == REGION_PROMPT and p.cell.cell_type != "markdown"]


def rule_markers_outside_solutions(m: Master) -> list[str]:
    return [f"{where(m.path, p.cell, p.question)}: solution markers outside a SOLUTION block "
            "(students would get this cell unstripped)"
            for p in m.cells if p.region == REGION_BODY and p.cell.cell_type == "code"
            and has_solution_markers(p.cell.source)]


def rule_duplicates(m: Master) -> list[str]:
    out = []
    names = [q.name for q in m.questions]
    out += [f"{m.path.name}: duplicated question name {n!r}"
            for n in sorted({n for n in names if names.count(n) > 1})]
    ids = [p.cell.id for p in m.cells]
    out += [f"{m.path.name}: duplicated cell id {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return out


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def rule_value_types(m: Master) -> list[str]:
    """Values the builder relies on have the right shape (so it never crashes on them)."""
    c, name, out = m.config, m.path.name, []
    files = c.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        out.append(f"{name}: files must be a list of paths")
    if "export_cell" in c and not isinstance(c["export_cell"], dict):
        out.append(f"{name}: export_cell must be a mapping (e.g. {{pdf: false}})")
    grading = c.get("grading", {})
    if not isinstance(grading, dict):
        out.append(f"{name}: grading must be a mapping")
        grading = {}
    out += [f"{name}: grading.{k} must be a positive number" for k in ("timeout", "cell_timeout", "memory_mb")
            if k in grading and not (_is_number(grading[k]) and grading[k] > 0)]
    for q in m.questions:
        at = where(m.path, q.cell, q.name)
        forbid = q.config.get("forbid", [])
        if not isinstance(forbid, list) or not all(isinstance(f, str) for f in forbid):
            out.append(f"{at}: forbid must be a list of dotted names")
        rubric = q.config.get("rubric", [])
        if not isinstance(rubric, list) or not all(
                isinstance(r, dict) and _is_number(r.get("points")) and isinstance(r.get("criterion"), str)
                for r in rubric):
            out.append(f"{at}: rubric must be a list of {{points: <number>, criterion: <text>}}")
        out += [f"{at}: {k} must be true or false" for k in ("manual", "all_or_nothing")
                if k in q.config and not isinstance(q.config[k], bool)]
        out += [f"{where(m.path, t.cell, q.name)}: hidden must be true or false"
                for t in q.tests if "hidden" in t.config and not isinstance(t.config["hidden"], bool)]
    return out


def rule_solution_cell_types(m: Master) -> list[str]:
    return [f"{where(m.path, p.cell, p.question)}: {p.cell.cell_type} cell in a SOLUTION block "
            "(only code or markdown)"
            for p in m.cells if p.region == REGION_SOLUTION and p.cell.cell_type not in ("code", "markdown")]


def rule_safe_support_files(m: Master) -> list[str]:
    """Support files go to students: never the master, the helpers, or anything outside the folder."""
    helpers = (m.config.get("grading") or {}).get("helpers") if isinstance(m.config.get("grading"), dict) else None
    out = []
    for rel in m.config.get("files", []) if isinstance(m.config.get("files"), list) else []:
        p = Path(str(rel))
        if p.is_absolute() or ".." in p.parts:
            out.append(f"{m.path.name}: support file {rel!r} must be a relative path inside the assignment folder")
        elif p.suffix == ".ipynb" or (helpers and p == Path(helpers)):
            out.append(f"{m.path.name}: support file {rel!r} would ship a notebook or the grader helpers to students")
    return out


def rule_side_files(m: Master) -> list[str]:
    out = []
    helpers = (m.config.get("grading") or {}).get("helpers")
    if helpers and not (m.directory / helpers).is_file():
        out.append(f"{m.path.name}: grading.helpers file {helpers!r} not found beside the notebook")
    for rel in m.config.get("files", []) or []:
        if not (m.directory / rel).exists():
            out.append(f"{m.path.name}: support file {rel!r} not found beside the notebook")
    return out


RULES = (rule_delimiters_in_raw_cells, rule_known_keys, rule_name, rule_points, rule_tests,
         rule_test_code, rule_prompt_blocks, rule_markers_outside_solutions, rule_duplicates,
         rule_side_files, rule_value_types, rule_solution_cell_types, rule_safe_support_files,
         rule_tests_that_cannot_fail)


def lint_requirements(path: str | Path) -> list[str]:
    """Every requirement line must be ``name==version`` (comments and blanks allowed)."""
    path = Path(path)
    out = []
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line and not _PINNED.match(line):
            out.append(f"{path.name}:{n}: unpinned requirement {line!r} (use name==version)")
    return out


def lint_master(path: str | Path) -> list[str]:
    """All problems of one master notebook (empty list: clean)."""
    m = parse_master(path)
    problems = list(m.problems)
    if m.cells:
        for rule in RULES:
            try:
                problems += rule(m)
            except (TypeError, AttributeError, ValueError) as exc:
                # A value of the wrong shape; rule_value_types names it.
                problems.append(f"{m.path.name}: {rule.__name__} skipped: {type(exc).__name__}: {exc}")
    requirements = Path(path).parent / "requirements.txt"
    if requirements.exists():
        problems += lint_requirements(requirements)
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m gradekit lint")
    parser.add_argument("paths", nargs="*", type=Path, help="master notebooks (default: all)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    from gradekit.release import find_masters

    paths = args.paths or find_masters(args.root / "assignment")
    problems = lint_requirements(args.root / "requirements.txt")
    for path in paths:
        problems += lint_master(path)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"lint: {len(paths)} notebook(s), {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0
