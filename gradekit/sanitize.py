"""Turn a student's notebook into the code the grader executes.

Student cells are matched to ``Spec.release_cells`` (by cell id; else by the
``metadata.gradekit`` role/question of answer cells; else, for locked cells,
by identical source). Locked cells are restored from the release; init,
check and export cells are dropped (grading never runs them, so deleting a
check cell cannot change a score); deleted provided cells are put back where
the release had them; answer cells and cells the student added run in the
student's order. Edits and deletions of locked cells become integrity flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradekit.model import (
    LOCKED_ROLES, ROLE_ANSWER, ROLE_CHECK, ROLE_EXPORT, ROLE_INIT, ROLE_PROVIDED,
    ReleaseCell, Spec,
)

NOT_RUN = (ROLE_INIT, ROLE_CHECK, ROLE_EXPORT)


@dataclass
class Sanitized:
    code: list[str] = field(default_factory=list)  # cells to execute, in order
    labels: list[str] = field(default_factory=list)  # one per code cell, for reasons
    editable: dict[str | None, list[str]] = field(default_factory=dict)  # question -> code
    integrity: list[str] = field(default_factory=list)
    manual_answers: dict[str, str] = field(default_factory=dict)

    def all_editable_cells(self) -> list[str]:
        """Every code cell the student wrote (answers and added cells)."""
        return [c for cells in self.editable.values() for c in cells]

    def editable_cells(self, question: str) -> list[str]:
        """Student-written code cells that may implement ``question`` (its
        region plus cells added before any question)."""
        return self.editable.get(question, []) + self.editable.get(None, [])


@dataclass
class Entry:
    """One cell of the notebook to grade, after matching."""

    source: str
    cell_type: str
    release: ReleaseCell | None  # None: a cell the student added
    release_index: int = -1
    question: str | None = None  # region of the notebook it sits in


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def same_source(a: str, b: str) -> bool:
    return a.strip() == b.strip()


def gradekit_meta(cell: dict) -> dict:
    meta = cell.get("metadata")
    gk = meta.get("gradekit") if isinstance(meta, dict) else None
    return gk if isinstance(gk, dict) else {}


def match_cells(cells: list[dict], spec: Spec) -> list[Entry]:
    """Entries in the student's order, each tied to its release cell if any."""
    release = list(spec.release_cells)
    by_id = {rc.id: i for i, rc in enumerate(release)}
    used: set[int] = set()
    entries = []
    for cell in cells:
        src, kind = cell_source(cell), cell.get("cell_type", "")
        index = find_release(cell, src, kind, release, by_id, used)
        if index is None:
            entries.append(Entry(src, kind, None))
        else:
            used.add(index)
            entries.append(Entry(src, kind, release[index], index, release[index].question))
    return entries


def find_release(cell: dict, src: str, kind: str, release: list[ReleaseCell],
                 by_id: dict[str, int], used: set[int]) -> int | None:
    cid = cell.get("id")
    if isinstance(cid, str) and cid in by_id and by_id[cid] not in used:
        return by_id[cid]
    meta = gradekit_meta(cell)
    if meta.get("role") == ROLE_ANSWER and meta.get("question"):
        for i, rc in enumerate(release):
            if i not in used and rc.role == ROLE_ANSWER and rc.question == meta["question"] \
                    and rc.cell_type == kind:
                return i
    for i, rc in enumerate(release):
        if i not in used and rc.role in LOCKED_ROLES and rc.cell_type == kind \
                and same_source(rc.source, src):
            return i
    return None


def assign_regions(entries: list[Entry]) -> None:
    """Added cells belong to the question whose cells precede them."""
    current = None
    for e in entries:
        if e.release is not None:
            current = e.release.question
        else:
            e.question = current


def reinsert_deleted(entries: list[Entry], spec: Spec) -> list[Entry]:
    """Put deleted provided cells back after the closest earlier release cell."""
    present = {e.release_index for e in entries if e.release is not None}
    out = list(entries)
    for i, rc in enumerate(spec.release_cells):
        if i in present or rc.role != ROLE_PROVIDED:
            continue
        at = 0
        for pos, e in enumerate(out):
            if e.release is not None and e.release_index < i:
                at = pos + 1
        out.insert(at, Entry(rc.source, rc.cell_type, rc, i, rc.question))
    return out


def integrity_flags(entries: list[Entry], spec: Spec) -> list[str]:
    flags = []
    present = {e.release_index for e in entries if e.release is not None}
    for e in entries:
        rc = e.release
        if rc is not None and rc.role in LOCKED_ROLES and not same_source(rc.source, e.source):
            flags.append(f"locked cell '{rc.id}' edited")
    for i, rc in enumerate(spec.release_cells):
        if i in present or rc.role not in LOCKED_ROLES:
            continue
        if rc.role == ROLE_CHECK:
            flags.append(f"check cell for {rc.question} deleted")
        else:
            flags.append(f"locked cell '{rc.id}' deleted")
    return flags


def sanitize(nb: dict, spec: Spec) -> Sanitized:
    entries = match_cells(nb.get("cells", []), spec)
    assign_regions(entries)
    out = Sanitized(integrity=integrity_flags(entries, spec))
    manual = {q.name for q in spec.manual}
    last_manual: str | None = None
    for e in reinsert_deleted(entries, spec):
        rc = e.release
        if rc is not None and rc.role != ROLE_ANSWER:
            last_manual = None
            if rc.role == ROLE_PROVIDED and rc.cell_type == "code" and not rc.skip_grading:
                out.code.append(rc.source)
                out.labels.append(f"provided cell '{rc.id}'")
            continue
        if rc is not None and rc.question in manual:
            last_manual = rc.question
            add_manual(out, rc.question, e)
            continue
        if rc is None and e.cell_type == "markdown" and last_manual:
            add_manual(out, last_manual, e)  # students often answer below the placeholder
            continue
        if e.cell_type == "code":
            out.code.append(e.source)
            out.labels.append(f"answer cell for {rc.question}" if rc else
                              f"added cell after {e.question or 'the start'}")
            out.editable.setdefault(e.question, []).append(e.source)
    for q in spec.manual:
        out.manual_answers.setdefault(q.name, "")
    return out


def add_manual(out: Sanitized, question: str, e: Entry) -> None:
    if e.cell_type != "markdown":
        if e.cell_type == "code":  # code inside a written answer still runs
            out.code.append(e.source)
            out.labels.append(f"code cell in {question}")
        return
    previous = out.manual_answers.get(question, "")
    out.manual_answers[question] = f"{previous}\n\n{e.source}" if previous else e.source
