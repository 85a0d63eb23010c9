"""Checks on a built release: the leak check, the layout check, byte digests.

The leak check works from the master notebook, not from the build: it lists
every *secret* (each solution line that otter's stripping removes, every line
of a markdown solution, of a hidden test, of the grader-side helpers, every
rubric criterion), drops those that legitimately appear in what students
should get (provided code, prompts, stubs left by stripping, public tests),
and then searches the raw bytes of every file under ``student_release/``
for each remaining one, in plain, JSON-escaped and Python-repr forms. So a
leak anywhere (a cell, its metadata or outputs, a stray file) is found,
whatever produced it.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from gradekit.assignfmt import (REGION_BODY, REGION_PROMPT, REGION_SOLUTION, Master,
                                solution_source, student_source)
from gradekit.build import EXPORT_INSTRUCTIONS, MANUAL_PLACEHOLDER, public_test_file, support_files

MIN_SECRET_CHARS = 8


@dataclass(frozen=True)
class Secret:
    text: str
    what: str  # e.g. "solution line of q1"


def _lines(text: str) -> list[str]:
    return [s for line in text.split("\n") if len(s := line.strip()) >= MIN_SECRET_CHARS]


def _code_variants(code: str) -> list[str]:
    """The code's lines as written and as ``ast.unparse`` renders them (no comments)."""
    lines = _lines(code)
    try:
        lines += _lines(ast.unparse(ast.parse(code)))
    except SyntaxError:
        pass
    return lines


def _raw_secrets(master: Master) -> list[Secret]:
    out = []
    for placed in master.cells:
        cell, q = placed.cell, placed.question
        if placed.region != REGION_SOLUTION:
            continue
        if cell.cell_type == "code":
            kept = set(_lines(student_source(cell.source)))
            out += [Secret(s, f"solution line of {q}")
                    for s in _code_variants(solution_source(cell.source)) if s not in kept]
        else:
            out += [Secret(s, f"written solution of {q}") for s in _lines(cell.source)]
    for q in master.questions:
        for i, t in enumerate(q.tests, start=1):
            if t.hidden:
                out += [Secret(s, f"hidden test {q.name} - {i}") for s in _code_variants(t.code)]
        for r in q.config.get("rubric", []) or []:
            out += [Secret(s, f"rubric of {q.name}") for s in _lines(str(r.get("criterion", "")))]
    helpers = (master.config.get("grading") or {}).get("helpers")
    if helpers and (master.directory / helpers).is_file():
        text = (master.directory / helpers).read_text(encoding="utf-8")
        out += [Secret(s, f"grader helper line ({helpers})") for s in _lines(text)]
    return out


def legitimate_text(master: Master) -> str:
    """Everything students are meant to get, as one text (computed from the master)."""
    parts = [MANUAL_PLACEHOLDER, EXPORT_INSTRUCTIONS]
    for placed in master.cells:
        if placed.region in (REGION_BODY, REGION_PROMPT):
            parts.append(placed.cell.source)
        elif placed.region == REGION_SOLUTION and placed.cell.cell_type == "code":
            parts.append(student_source(placed.cell.source))
    for q in master.questions:
        parts += [t.code for t in q.tests if not t.hidden]
        parts.append(public_test_file(q) or "")
    # Support files are deliberately not "legitimate" here: a master notebook or
    # grading.py shipped as a support file must be reported, not excused.
    return "\n".join(parts)


def secrets(master: Master) -> tuple[Secret, ...]:
    """What must never appear under student_release/ (deduplicated, stable order)."""
    legit = legitimate_text(master)
    seen, out = set(), []
    for s in _raw_secrets(master):
        if s.text not in seen and s.text not in legit:
            seen.add(s.text)
            out.append(s)
    return tuple(out)


def _encodings(text: str) -> set[bytes]:
    """The byte forms a line takes in a file: plain, JSON-escaped, Python repr."""
    forms = {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1],
             repr(text)[1:-1]}
    return {f.encode("utf-8") for f in forms}


def find_leaks(release_dir: Path, found_secrets: tuple[Secret, ...]) -> list[str]:
    """One message per (file, secret) found in the raw bytes under ``release_dir``."""
    release_dir = Path(release_dir)
    problems = []
    encoded = [(s, _encodings(s.text)) for s in found_secrets]
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for secret, forms in encoded:
            if any(f in data for f in forms):
                problems.append(f"{path}: leaks {secret.what}: {secret.text!r}")
    return problems


def check_layout(student_dir: Path, expected: set[str]) -> list[str]:
    """Files under ``student_dir`` other than ``expected`` (relative posix paths), and missing ones."""
    student_dir = Path(student_dir)
    present = {p.relative_to(student_dir).as_posix() for p in student_dir.rglob("*") if p.is_file()}
    return ([f"{student_dir / rel}: unexpected file in the student release"
             for rel in sorted(present - expected)]
            + [f"{student_dir / rel}: missing from the student release"
               for rel in sorted(expected - present)])


def expected_student_files(master: Master, public_tests) -> set[str]:
    return ({f"{master.name}.ipynb"} | {f"tests/{q}.py" for q in public_tests}
            | set(support_files(master)))


def verify_student_release(master: Master, student_dir: Path, public_tests) -> list[str]:
    """Leak check + layout check of one assignment's student release."""
    return (find_leaks(student_dir, secrets(master))
            + check_layout(student_dir, expected_student_files(master, public_tests)))


def verify_release_root(student_root: Path, masters: list[Master]) -> list[str]:
    """The whole student_release/: only known assignment folders, no one's secrets anywhere."""
    student_root = Path(student_root)
    by_name = {m.name: m for m in masters}
    problems = []
    for folder in sorted(student_root.iterdir()):
        owner = by_name.get(folder.name)
        if owner is None:
            problems.append(f"{folder}: not the release folder of a known assignment")
        # What one assignment legitimately ships may coincide with another's secrets
        # (a line like `def forward(self, x):`); that is not a leak.
        legit = legitimate_text(owner) if owner else ""
        for m in masters:
            problems += find_leaks(folder, tuple(s for s in secrets(m) if s.text not in legit))
    return problems


def tree_digests(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, by relative path."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def differing_files(a: Path, b: Path) -> list[str]:
    """Relative paths whose bytes differ (or exist on one side only) between two trees."""
    da, db = tree_digests(a), tree_digests(b)
    return sorted(k for k in da.keys() | db.keys() if da.get(k) != db.get(k))
