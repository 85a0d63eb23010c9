"""Parse a master notebook (otter assign format, raw-cell delimiters) into plain data.

The parser never raises on a malformed notebook: it records each problem
(naming notebook, cell index and id, and question) in ``Master.problems`` and
keeps going, so the linter can report everything at once. The builder refuses
a master with problems. See docs/DESIGN.md for the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gradekit.notebooks import read_notebook, source_text, stable_cell_id

# Where a master cell sits; decides what the builder does with it.
REGION_CONFIG = "config"  # the ASSIGNMENT CONFIG raw cell
REGION_DELIMITER = "delimiter"  # BEGIN/END raw cells
REGION_BODY = "body"  # ordinary cells (inside a question or not)
REGION_SOLUTION = "solution"
REGION_PROMPT = "prompt"
REGION_TESTS = "tests"

BLOCKS = ("SOLUTION", "PROMPT", "TESTS")
_DELIMITER = re.compile(r"^\s*#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|PROMPT|TESTS)\s*$", re.I)
_CONFIG = re.compile(r"^\s*#\s*ASSIGNMENT\s+CONFIG\s*$", re.I)
_LOOKS_LIKE_DELIMITER = re.compile(r"^\s*#\s*(BEGIN|END|ASSIGNMENT)\b", re.I)
# The same patterns otter assign uses for a test's config header.
BEGIN_TEST_CONFIG = re.compile(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', re.I)
END_TEST_CONFIG = re.compile(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', re.I)


class DuplicateKeyError(yaml.YAMLError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects a mapping with the same key twice (PyYAML keeps the last)."""


def _construct_unique_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKeyError(f"duplicated key {key!r} (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                              _construct_unique_mapping)


def load_yaml_mapping(text: str) -> dict:
    """Parse YAML that must be a mapping (or empty); duplicated keys are an error."""
    data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - safe loader subclass
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise yaml.YAMLError(f"expected a mapping, got {type(data).__name__}")
    return data


@dataclass(frozen=True)
class Cell:
    index: int
    id: str
    cell_type: str
    source: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlacedCell:
    cell: Cell
    region: str  # REGION_*
    question: str | None = None


@dataclass(frozen=True)
class TestCell:
    cell: Cell
    config: dict
    code: str  # the test code with its config header removed
    hidden: bool
    points: float | None


@dataclass(frozen=True)
class QuestionBlock:
    name: str
    config: dict
    cell: Cell  # the BEGIN QUESTION raw cell
    solution: tuple[Cell, ...] = ()
    prompt: tuple[Cell, ...] = ()
    tests: tuple[TestCell, ...] = ()

    @property
    def manual(self) -> bool:
        return bool(self.config.get("manual", False))


@dataclass(frozen=True)
class Master:
    path: Path
    name: str
    config: dict
    cells: tuple[PlacedCell, ...]
    questions: tuple[QuestionBlock, ...]
    problems: tuple[str, ...] = ()

    @property
    def directory(self) -> Path:
        return self.path.parent


def where(path: Path, cell: Cell | None = None, question: str | None = None) -> str:
    """The location prefix of a problem message: notebook, cell, question."""
    parts = [path.name]
    if cell is not None:
        parts.append(f"cell {cell.index} (id {cell.id})")
    if question:
        parts.append(f"question {question}")
    return ": ".join(parts)


def _cells_of(nb: dict) -> list[Cell]:
    cells = []
    for i, c in enumerate(nb.get("cells", [])):
        cid = c.get("id") or stable_cell_id(f"cell{i}")
        tags = tuple(c.get("metadata", {}).get("tags", ()))
        cells.append(Cell(i, cid, c.get("cell_type", ""), source_text(c), tags))
    return cells


def split_test_source(source: str) -> tuple[str, str]:
    """(config YAML text, test code) of a test cell; config is "" without a header."""
    lines = source.split("\n")
    if not lines or not BEGIN_TEST_CONFIG.match(lines[0]):
        return "", source
    for j in range(1, len(lines)):
        if END_TEST_CONFIG.match(lines[j]):
            return "\n".join(lines[1:j]), "\n".join(lines[j + 1:]).strip("\n") + "\n"
    raise ValueError("BEGIN TEST CONFIG without END TEST CONFIG")


@dataclass
class _State:
    """Mutable only while one parse runs; never shared."""

    path: Path
    problems: list[str] = field(default_factory=list)
    placed: list[PlacedCell] = field(default_factory=list)
    questions: list[QuestionBlock] = field(default_factory=list)
    config: dict | None = None
    question: dict | None = None  # the open question: name, config, cell, lists
    block: str | None = None  # "SOLUTION" | "PROMPT" | "TESTS" while open

    def problem(self, cell: Cell | None, message: str) -> None:
        q = self.question["name"] if self.question else None
        self.problems.append(f"{where(self.path, cell, q)}: {message}")


def _close_question(st: _State) -> None:
    q = st.question
    st.questions.append(QuestionBlock(q["name"], q["config"], q["cell"], tuple(q["solution"]),
                                      tuple(q["prompt"]), tuple(q["tests"])))
    st.question, st.block = None, None


def _parse_yaml(st: _State, cell: Cell, text: str, what: str) -> dict:
    try:
        return load_yaml_mapping(text)
    except (yaml.YAMLError, DuplicateKeyError) as exc:
        st.problem(cell, f"invalid {what} YAML: {exc}")
        return {}


def _on_config(st: _State, cell: Cell, body: str) -> None:
    if st.config is not None:
        st.problem(cell, "second ASSIGNMENT CONFIG cell")
    elif cell.index != 0:
        st.problem(cell, "ASSIGNMENT CONFIG must be the first cell")
    st.config = _parse_yaml(st, cell, body, "assignment config")
    st.placed.append(PlacedCell(cell, REGION_CONFIG))


def _on_begin_question(st: _State, cell: Cell, body: str) -> None:
    if st.question is not None:
        st.problem(cell, "BEGIN QUESTION inside an open question (missing END QUESTION?)")
        _close_question(st)
    config = _parse_yaml(st, cell, body, "question config")
    name = str(config.get("name") or f"<unnamed cell {cell.index}>")
    if "name" not in config:
        st.problems.append(f"{where(st.path, cell)}: question without a name")
    st.question = {"name": name, "config": config, "cell": cell,
                   "solution": [], "prompt": [], "tests": []}
    st.placed.append(PlacedCell(cell, REGION_DELIMITER, name))


def _on_delimiter(st: _State, cell: Cell, verb: str, what: str, extra: str) -> None:
    if what == "QUESTION" and verb == "BEGIN":
        return _on_begin_question(st, cell, extra)
    if extra.strip():
        st.problem(cell, f"text after '# {verb} {what}' in a delimiter cell")
    qname = st.question["name"] if st.question else None
    st.placed.append(PlacedCell(cell, REGION_DELIMITER, qname))
    if st.question is None:
        st.problem(cell, f"{verb} {what} outside a question")
    elif what == "QUESTION":  # END QUESTION
        if st.block:
            st.problem(cell, f"END QUESTION while {st.block} block is open")
        _close_question(st)
    elif verb == "BEGIN":
        if st.block:
            st.problem(cell, f"BEGIN {what} inside an open {st.block} block")
        st.block = what
    elif st.block != what:
        st.problem(cell, f"END {what} without a matching BEGIN {what}")
    else:
        st.block = None


def _on_content(st: _State, cell: Cell) -> None:
    q = st.question
    if q is None or st.block is None:
        st.placed.append(PlacedCell(cell, REGION_BODY, q["name"] if q else None))
        return
    region = {"SOLUTION": REGION_SOLUTION, "PROMPT": REGION_PROMPT, "TESTS": REGION_TESTS}[st.block]
    st.placed.append(PlacedCell(cell, region, q["name"]))
    if region == REGION_TESTS:
        _on_test(st, cell)
    else:
        q[region].append(cell)


def _on_test(st: _State, cell: Cell) -> None:
    if cell.cell_type != "code":
        st.problem(cell, f"{cell.cell_type} cell inside a TESTS block (tests are code cells)")
        return
    try:
        header, code = split_test_source(cell.source)
    except ValueError as exc:
        st.problem(cell, str(exc))
        return
    config = _parse_yaml(st, cell, header, "test config")
    points = config.get("points")
    st.question["tests"].append(
        TestCell(cell, config, code, bool(config.get("hidden", False)),
                 float(points) if isinstance(points, (int, float)) else None))


def _on_cell(st: _State, cell: Cell) -> None:
    first, _, rest = cell.source.lstrip("\n").partition("\n")
    if cell.cell_type == "raw" and _CONFIG.match(first):
        return _on_config(st, cell, rest)
    match = _DELIMITER.match(first) if cell.cell_type == "raw" else None
    if match:
        return _on_delimiter(st, cell, match.group(1).upper(), match.group(2).upper(), rest)
    if cell.cell_type == "raw" and _LOOKS_LIKE_DELIMITER.match(first):
        st.problem(cell, f"unknown delimiter {first.strip()!r}")
    _on_content(st, cell)


def parse_master(path: str | Path) -> Master:
    """Parse the master notebook at ``path``; problems are collected, not raised."""
    path = Path(path)
    st = _State(path)
    try:
        nb = read_notebook(path)
    except (OSError, ValueError) as exc:
        return Master(path, path.stem, {}, (), (), (f"{path.name}: unreadable: {exc}",))
    for cell in _cells_of(nb):
        _on_cell(st, cell)
    if st.question is not None:
        st.problem(None, "notebook ends inside a question (missing END QUESTION)")
        _close_question(st)
    if st.config is None:
        st.problems.append(f"{path.name}: no ASSIGNMENT CONFIG raw cell")
    config = st.config or {}
    return Master(path, str(config.get("name", path.stem)), config, tuple(st.placed),
                  tuple(st.questions), tuple(st.problems))


# ------------------------------------------------------------------ solution markers

_MARKER_SUFFIX = re.compile(r"\s*#\s?(SOLUTION NO PROMPT|SOLUTION|SEED)\s*$")
_BEGIN_SOLUTION_LINE = re.compile(r"^\s*#\s*BEGIN SOLUTION( NO PROMPT)?\s*$")
_END_SOLUTION_LINE = re.compile(r"^\s*#\s*END SOLUTION\s*$")
MARKERS = re.compile(r"#\s?(BEGIN SOLUTION|END SOLUTION|SOLUTION|SEED|BEGIN PROMPT|END PROMPT)"
                     r"( NO PROMPT)?\s*$")


def student_source(source: str) -> str:
    """A code cell as students get it: otter's own solution stripping."""
    from otter.assign.solutions import replace_solutions  # otter's semantics, imported lazily

    return "\n".join(replace_solutions(source.split("\n"), "python"))


def solution_source(source: str) -> str:
    """A code cell with its solution kept and otter's markers (and prompts) removed."""
    out, in_prompt = [], False
    for line in source.split("\n"):
        stripped = line.rstrip()
        if stripped.endswith("# BEGIN PROMPT"):
            in_prompt = True
        elif stripped.endswith("# END PROMPT"):
            in_prompt = False
        elif in_prompt or _BEGIN_SOLUTION_LINE.match(line) or _END_SOLUTION_LINE.match(line):
            continue
        else:
            out.append(_MARKER_SUFFIX.sub("", line))
    return "\n".join(out)


def has_solution_markers(source: str) -> bool:
    return any(MARKERS.search(line) for line in source.split("\n"))
