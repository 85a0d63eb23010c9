"""Read a handed-in file into a notebook dict, or say why it is not gradable.

Accepts a ``.ipynb`` or the ``.zip`` an export cell produces. Zips are read
member by member in memory, never extracted; ``.OTTER_LOG``, pickles and
everything but notebooks are ignored (never unpickled, never even read).
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gradekit.model import Spec

MAX_NOTEBOOK_BYTES = 50 * 2**20  # a notebook with big embedded plots stays under this
MAX_ZIP_MEMBERS = 1000
PYTHON_NAMES = ("python", "ipython")


@dataclass(frozen=True)
class Intake:
    notebook: dict | None  # None when invalid
    reason: str = ""  # why it is invalid (student-facing, short)


def invalid(reason: str) -> Intake:
    return Intake(None, reason)


def read_submission(path: Path, spec: Spec) -> Intake:
    """The submission's notebook, validated against ``spec``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        raw = read_capped(path)
        if raw is None:
            return invalid(f"notebook larger than {MAX_NOTEBOOK_BYTES // 2**20} MB or unreadable")
    elif suffix == ".zip":
        raw, reason = notebook_bytes_from_zip(path, spec.notebook)
        if raw is None:
            return invalid(reason)
    else:
        return invalid(f"not a notebook or export zip: {path.name}")
    return validate(parse_notebook(raw), spec)


def read_capped(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def notebook_bytes_from_zip(path: Path, preferred: str) -> tuple[bytes | None, str]:
    """Bytes of the one notebook in an export zip (or the one named ``preferred``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return None, f"zip has more than {MAX_ZIP_MEMBERS} files"
            notebooks = [m for m in members if is_notebook_member(m.filename)]
            if not notebooks:
                return None, "zip contains no notebook"
            chosen = pick_notebook(notebooks, preferred)
            if chosen is None:
                names = ", ".join(sorted(m.filename for m in notebooks))[:200]
                return None, f"zip contains several notebooks and none is {preferred}: {names}"
            return read_member(zf, chosen)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        return None, f"not a readable zip file ({type(exc).__name__})"


def is_notebook_member(name: str) -> bool:
    p = PurePosixPath(name)
    return (p.suffix.lower() == ".ipynb" and ".ipynb_checkpoints" not in p.parts
            and "__MACOSX" not in p.parts and not p.name.startswith("."))


def pick_notebook(members: list[zipfile.ZipInfo], preferred: str) -> zipfile.ZipInfo | None:
    if len(members) == 1:
        return members[0]
    named = [m for m in members if PurePosixPath(m.filename).name == preferred]
    return named[0] if len(named) == 1 else None


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bytes | None, str]:
    """Read at most MAX_NOTEBOOK_BYTES, whatever the header claims (zip bombs)."""
    too_big = f"notebook in zip larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
    if info.file_size > MAX_NOTEBOOK_BYTES:
        return None, too_big
    with zf.open(info) as f:
        data = f.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, too_big
    return data, ""


def parse_notebook(raw: bytes) -> dict | str:
    """The JSON document, or a reason string."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return "notebook is not UTF-8 text"
    except (json.JSONDecodeError, RecursionError):
        return "notebook is not valid JSON (was the file corrupted or renamed?)"


def validate(nb: dict | str, spec: Spec) -> Intake:
    if isinstance(nb, str):
        return invalid(nb)
    if not isinstance(nb, dict):
        return invalid("notebook JSON is not an object")
    for check in (check_format, check_kernel, check_assignment):
        reason = check(nb, spec)
        if reason:
            return invalid(reason)
    return Intake(nb)


def check_format(nb: dict, spec: Spec) -> str:
    major = nb.get("nbformat")
    if "worksheets" in nb or (isinstance(major, int) and major < 4):
        return f"notebook format v{major} is too old: open and save it in Jupyter (v4)"
    if not isinstance(major, int) or major != 4:
        return "not a Jupyter notebook (no nbformat 4)"
    cells = nb.get("cells")
    if not isinstance(cells, list):
        return "notebook has no cells list"
    for cell in cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            return "notebook has a malformed cell"
    if not isinstance(nb.get("metadata", {}), dict):
        return "notebook metadata is not an object"
    return ""


def check_kernel(nb: dict, spec: Spec) -> str:
    """Only a kernel that explicitly names another language is refused."""
    meta = nb.get("metadata", {})
    kernelspec = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    for language in (kernelspec.get("language"), info.get("name")):
        if isinstance(language, str) and language and not is_python(language):
            return f"notebook uses a {language[:40]} kernel; this assignment needs Python"
    name = kernelspec.get("name")
    if isinstance(name, str) and is_known_other_kernel(name):
        return f"notebook uses the kernel {name[:40]}; this assignment needs Python"
    return ""


def is_known_other_kernel(name: str) -> bool:
    """Kernel names of common non-Python kernels (for notebooks without a language)."""
    low = name.lower()
    return not is_python(low) and (low in ("ir", "bash", "javascript", "scala")
                                   or low.startswith(("julia", "ijavascript", "xcpp")))


def is_python(name: str) -> bool:
    return any(p in name.lower() for p in PYTHON_NAMES)


def check_assignment(nb: dict, spec: Spec) -> str:
    meta = nb.get("metadata", {}).get("gradekit")
    claimed = meta.get("assignment") if isinstance(meta, dict) else None
    if isinstance(claimed, str) and claimed != spec.assignment:
        return f"this is the {claimed[:40]} notebook, not {spec.assignment}"
    return ""
