"""Make submissions by substituting one function in a notebook.

A *mutant* (see ``tests/mutants/``) is Python source for one answer, opened by
header comments::

    # replaces: conv2d_forward
    # expect: wrong
    # question: q_conv_forward
    # why: flips the kernel (true convolution instead of cross-correlation)

:func:`substitute_function` puts it into a copy of a notebook in place of the
cell code that defines ``replaces``; the result is an ordinary submission.
"""

from __future__ import annotations

import ast
import copy
import re

HEADER_LINE = re.compile(r"^#\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")


def parse_header(code: str) -> dict[str, str]:
    """The ``# key: value`` comments that open ``code`` (blank lines allowed).

    Stops at the first line that is neither blank nor such a comment, so a
    comment inside the function body is never taken for a header key.
    """
    header: dict[str, str] = {}
    for line in code.splitlines():
        if not line.strip():
            continue
        match = HEADER_LINE.match(line.strip())
        if not match:
            break
        header[match.group(1).lower()] = match.group(2)
    return header


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def parse_cell(source: str) -> ast.Module | None:
    """The cell's syntax tree, or None for cells that are not plain Python.

    IPython magics and shell escapes are blanked first (same line numbers) so
    a cell that starts with ``%matplotlib inline`` still parses.
    """
    lines = ["" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def defined_names(node: ast.stmt) -> set[str]:
    """Top-level names a statement binds by ``def``, ``class`` or assignment."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    names: set[str] = set()
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.add(sub.id)
    return names


def node_span(node: ast.stmt) -> tuple[int, int]:
    """0-based [start, end) line range of a statement, decorators included."""
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return start - 1, node.end_lineno


def defining_cell_index(notebook: dict, name: str) -> int:
    """Index of the first code cell whose top level defines ``name``."""
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        tree = parse_cell(cell_source(cell))
        if tree and any(name in defined_names(node) for node in tree.body):
            return index
    raise ValueError(f"no code cell defines {name!r}")


def splice(source: str, code: str) -> str:
    """``source`` with each top-level definition of a name ``code`` defines
    replaced by ``code`` (inserted where the first one was).

    Other statements of the cell (imports, helpers the mutant does not
    redefine) stay, so a cell defining two graded functions keeps the other.
    """
    tree = parse_cell(source)
    new_tree = parse_cell(code)
    if new_tree is None:
        raise ValueError("replacement code is not valid Python")
    replaced = set().union(*(defined_names(n) for n in new_tree.body))
    spans = [node_span(n) for n in tree.body if defined_names(n) & replaced]
    lines = source.split("\n")
    keep = [True] * len(lines)
    for start, end in spans:
        keep[start:end] = [False] * (end - start)
    first = spans[0][0]
    before = [ln for i, ln in enumerate(lines[:first]) if keep[i]]
    after = [ln for i, ln in enumerate(lines[first:], first) if keep[i]]
    parts = before + [code.rstrip("\n")] + after
    return "\n".join(parts).strip("\n") + "\n"


def substitute_function(notebook: dict, code: str) -> dict:
    """A copy of ``notebook`` whose cell defining ``# replaces: <name>`` runs ``code``.

    Raises ValueError if ``code`` has no ``replaces`` header or if no code
    cell of the notebook defines that name. The edited cell loses its
    outputs (they belonged to the old code).
    """
    name = parse_header(code).get("replaces")
    if not name:
        raise ValueError("code has no '# replaces: <function name>' header")
    result = copy.deepcopy(notebook)
    index = defining_cell_index(result, name)
    cell = result["cells"][index]
    cell["source"] = splice(cell_source(cell), code)
    cell["outputs"] = []
    cell["execution_count"] = None
    return result


def insert_cell_after(notebook: dict, name: str, code: str) -> dict:
    """A copy of ``notebook`` with a new code cell running ``code`` placed
    right after the cell that defines ``name`` (an "added cell" submission).
    """
    result = copy.deepcopy(notebook)
    index = defining_cell_index(result, name)
    cell = {"cell_type": "code", "execution_count": None, "metadata": {},
            "outputs": [], "source": code}
    if any("id" in c for c in result["cells"]):
        cell["id"] = f"added-{index + 1}"
    result["cells"].insert(index + 1, cell)
    return result
