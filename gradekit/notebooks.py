"""Read and write notebooks as plain, normalised JSON.

Every notebook this package writes goes through :func:`dumps_notebook`:
sorted keys, ``indent=1``, a trailing newline, sources as single strings,
allow-listed metadata only. Two builds from the same sources therefore give
the same bytes, and a diff of a generated notebook shows content, not noise.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

# Metadata that survives normalisation; everything else (widget state,
# execution timings, editor settings, otter's own keys) is dropped.
NOTEBOOK_METADATA_KEYS = ("gradekit", "kernelspec", "language_info")
CELL_METADATA_KEYS = ("deletable", "editable", "gradekit", "tags")

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}

_VALID_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def source_text(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a list of lines too)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def read_notebook(path: str | Path) -> dict:
    """Load a notebook file as plain nbformat-4 JSON (dicts and lists)."""
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    if not isinstance(nb, dict) or nb.get("nbformat") != 4:
        raise ValueError(f"{path}: not an nbformat-4 notebook")
    return nb


def stable_cell_id(base: str, suffix: str = "") -> str:
    """A valid nbformat cell id derived only from ``base`` (+ ``suffix``).

    Ids must match ``[a-zA-Z0-9_-]{1,64}``; an id that would not is replaced
    by a short hash of itself, which is still deterministic.
    """
    candidate = f"{base}-{suffix}" if suffix else base
    if _VALID_ID.match(candidate):
        return candidate
    return "c" + hashlib.sha256(candidate.encode("utf-8")).hexdigest()[:20]


def new_cell(cell_type: str, source: str, cell_id: str, metadata: dict | None = None) -> dict:
    """An nbformat-4.5 cell with no outputs."""
    cell = {"cell_type": cell_type, "id": cell_id, "metadata": dict(metadata or {}),
            "source": source}
    if cell_type == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def new_notebook(cells: list[dict], assignment: str) -> dict:
    """A notebook with the project's standard metadata."""
    return {
        "cells": cells,
        "metadata": {
            "gradekit": {"assignment": assignment},
            "kernelspec": dict(KERNELSPEC),
            "language_info": dict(LANGUAGE_INFO),
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _allowed(metadata: dict, keys: tuple[str, ...]) -> dict:
    return {k: copy.deepcopy(metadata[k]) for k in keys if k in metadata}


def normalise_cell(cell: dict, *, keep_outputs: bool = False) -> dict:
    """A copy of ``cell`` with one-string source and allow-listed metadata."""
    out = new_cell(cell["cell_type"], source_text(cell), cell["id"],
                   _allowed(cell.get("metadata", {}), CELL_METADATA_KEYS))
    if cell["cell_type"] == "code" and keep_outputs:
        out["outputs"] = copy.deepcopy(cell.get("outputs", []))
        out["execution_count"] = cell.get("execution_count")
    return out


def normalise_notebook(nb: dict, *, keep_outputs: bool = False) -> dict:
    """A copy of ``nb`` in the canonical form :func:`dumps_notebook` expects."""
    ids = [c.get("id") for c in nb.get("cells", [])]
    if None in ids or len(set(ids)) != len(ids):
        raise ValueError("every cell needs a unique id before normalisation")
    return {
        "cells": [normalise_cell(c, keep_outputs=keep_outputs) for c in nb["cells"]],
        "metadata": _allowed(nb.get("metadata", {}), NOTEBOOK_METADATA_KEYS),
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def dumps_notebook(nb: dict) -> str:
    """Canonical JSON text: sorted keys, indent 1, trailing newline."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_notebook(nb: dict, path: str | Path, *, keep_outputs: bool = False) -> Path:
    """Normalise ``nb`` and write it to ``path`` (parents created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_notebook(normalise_notebook(nb, keep_outputs=keep_outputs)),
                    encoding="utf-8")
    return path
