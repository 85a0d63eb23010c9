"""Plain data shared by every stage: the compiled grading spec and results.

A :class:`Spec` is what ``make release`` compiles out of a master notebook and
what every grader (``make grade``, the autograder zip) reads. It is stored as
``spec/spec.json`` (+ ``spec/support/``) inside the autograder zip, so both
graders read the very same bytes. Everything here round-trips through
``to_dict``/``from_dict`` (JSON-safe, no pickle anywhere).
"""

from __future__ import annotations

import dataclasses
import enum
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SPEC_DIR = "spec"
SPEC_FILE = "spec.json"
SUPPORT_DIR = "support"

# Roles of cells in the student notebook (ReleaseCell.role).
ROLE_INIT = "init"  # `grader = otter.Notebook(...)`: never executed when grading
ROLE_PROMPT = "prompt"  # locked markdown
ROLE_PROVIDED = "provided"  # locked code given to students
ROLE_ANSWER = "answer"  # where the student writes (code or markdown)
ROLE_CHECK = "check"  # `grader.check("q1")`: never executed when grading
ROLE_EXPORT = "export"  # export cells: never executed when grading
LOCKED_ROLES = (ROLE_INIT, ROLE_PROMPT, ROLE_PROVIDED, ROLE_CHECK, ROLE_EXPORT)


class Status(str, enum.Enum):
    OK = "ok"
    TIMEOUT = "timeout"
    ERROR = "error"
    INVALID = "invalid"


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 600.0  # whole submission, wall clock
    cell_timeout_s: float = 120.0  # one cell or one remote call
    memory_mb: int = 1500  # resident memory of the kernel process tree
    output_bytes: int = 200_000  # captured output kept per submission


@dataclass(frozen=True)
class TestCase:
    __test__ = False  # a domain class, not a pytest test

    name: str  # e.g. "q4 - 2"
    code: str  # Python run in the *grader* process (see gradekit.judge)
    points: float
    hidden: bool
    success_message: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class RubricItem:
    points: float
    criterion: str


@dataclass(frozen=True)
class Question:
    name: str
    points: float
    manual: bool = False
    tests: tuple[TestCase, ...] = ()
    all_or_nothing: bool = False
    # Dotted names the student's code for this question must not use
    # (e.g. "torch.nn.functional.conv2d"); checked in the grader.
    forbid: tuple[str, ...] = ()
    rubric: tuple[RubricItem, ...] = ()
    reference_answer: str = ""  # manual questions: the solution (staff only)


@dataclass(frozen=True)
class ReleaseCell:
    """One cell of the student notebook as released (the grading reference)."""

    id: str
    cell_type: str  # "code" | "markdown" | "raw"
    source: str
    role: str  # one of the ROLE_* constants
    question: str | None = None
    # Locked code that only demonstrates (plots, training): not needed for
    # any autograded value, so graders skip it to save time.
    skip_grading: bool = False


@dataclass(frozen=True)
class Spec:
    assignment: str  # e.g. "conv"
    notebook: str  # e.g. "conv.ipynb"
    questions: tuple[Question, ...]
    release_cells: tuple[ReleaseCell, ...]
    helpers_source: str = ""  # grader-side helper module (oracles, hints)
    support_files: tuple[str, ...] = ()  # relative paths under spec/support/
    limits: Limits = field(default_factory=Limits)
    hidden_feedback: str = "hint"  # "hint" | "summary" | "full"

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(name)

    @property
    def autograded(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not q.manual)

    @property
    def manual(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.manual)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Spec":
        questions = tuple(
            Question(
                **{
                    **q,
                    "tests": tuple(TestCase(**t) for t in q.get("tests", ())),
                    "forbid": tuple(q.get("forbid", ())),
                    "rubric": tuple(RubricItem(**r) for r in q.get("rubric", ())),
                }
            )
            for q in d["questions"]
        )
        return cls(
            **{
                **d,
                "questions": questions,
                "release_cells": tuple(ReleaseCell(**c) for c in d["release_cells"]),
                "support_files": tuple(d.get("support_files", ())),
                "limits": Limits(**d.get("limits", {})),
            }
        )


def spec_json(spec: Spec) -> str:
    """Canonical JSON text of a spec (sorted keys: byte-stable across builds)."""
    return json.dumps(spec.to_dict(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def load_spec(path: str | Path) -> tuple[Spec, dict[str, bytes]]:
    """Read a spec and its support files from an autograder zip or a folder.

    ``path`` may be the zip, a folder holding ``spec/``, or ``spec/`` itself.
    Returns the spec and ``{relative path: bytes}`` of its support files.
    """
    path = Path(path)
    if path.is_file():
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            spec_name = f"{SPEC_DIR}/{SPEC_FILE}"
            if spec_name not in names:
                raise ValueError(f"{path}: not an autograder zip (no {spec_name})")
            spec = Spec.from_dict(json.loads(zf.read(spec_name)))
            files = {
                rel: zf.read(f"{SPEC_DIR}/{SUPPORT_DIR}/{rel}") for rel in spec.support_files
            }
        return spec, files
    spec_dir = path / SPEC_DIR if (path / SPEC_DIR / SPEC_FILE).exists() else path
    if not (spec_dir / SPEC_FILE).exists():
        raise ValueError(f"{path}: no {SPEC_FILE} found (expected {spec_dir / SPEC_FILE})")
    spec = Spec.from_dict(json.loads((spec_dir / SPEC_FILE).read_text()))
    files = {rel: (spec_dir / SUPPORT_DIR / rel).read_bytes() for rel in spec.support_files}
    return spec, files


# --------------------------------------------------------------------------
# Results of grading one submission (written as <student>.json by workers).


@dataclass
class TestResult:
    __test__ = False  # a domain class, not a pytest test

    name: str
    hidden: bool
    points: float  # earned
    max_points: float
    passed: bool
    feedback: str = ""  # student-safe text (respects Spec.hidden_feedback)
    detail: str = ""  # staff-only text (full assertion message)


@dataclass
class QuestionResult:
    name: str
    score: float
    max_score: float
    manual: bool = False
    tests: list[TestResult] = field(default_factory=list)


@dataclass
class SubmissionResult:
    submission: str  # path relative to the submissions folder
    student: str  # identity: the file name without extension
    assignment: str
    status: Status
    reason: str = ""  # short, human-readable; empty when status is ok
    questions: list[QuestionResult] = field(default_factory=list)
    integrity: list[str] = field(default_factory=list)  # locked-cell edits etc.
    manual_answers: dict[str, str] = field(default_factory=dict)  # question -> markdown
    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0

    @property
    def score(self) -> float:
        return sum(q.score for q in self.questions if not q.manual)

    @property
    def max_score(self) -> float:
        return sum(q.max_score for q in self.questions if not q.manual)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["status"] = self.status.value
        d["score"], d["max_score"] = self.score, self.max_score
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "SubmissionResult":
        d = {k: v for k, v in d.items() if k not in ("score", "max_score")}
        questions = [
            QuestionResult(**{**q, "tests": [TestResult(**t) for t in q.get("tests", [])]})
            for q in d.get("questions", [])
        ]
        return cls(**{**d, "status": Status(d["status"]), "questions": questions})


def write_json_atomic(path: Path, data: dict) -> None:
    """Write JSON so that readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    buf = io.StringIO()
    json.dump(data, buf, indent=1, sort_keys=True, ensure_ascii=False)
    tmp.write_text(buf.getvalue() + "\n")
    tmp.replace(path)
