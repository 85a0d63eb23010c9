"""``python -m gradekit release``: lint → build → verify → execute and grade solutions.

For every ``assignment/<name>/<name>.ipynb`` it writes ``student_release/<name>/``,
``autograder/<name>/<name>-autograder.zip`` and ``solutions/<name>/`` under
the output root, and exits non-zero with a message naming notebook, cell or
question and test as soon as anything is wrong: a lint problem, a leak, a
solution cell that raises, a failing check cell, an export that does not give
a valid zip, or a solution short of full marks. Finally it prints an
nbgitpuller link per student notebook.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

from gradekit import model
from gradekit.assignfmt import parse_master
from gradekit.build import PROJECT_ROOT, Build, BuildError, build_assignment, solution_notebook
from gradekit.lint import lint_master, lint_requirements
from gradekit.notebooks import source_text, write_notebook
from gradekit.verify import verify_release_root, verify_student_release

DEFAULT_REPO = "https://github.com/YOUR-ORG/YOUR-STUDENT-REPO"
DEFAULT_HUB = "https://datahub.example.edu"
CHECK_PASSED = "All test cases passed!"


class ReleaseError(Exception):
    pass


def log(message: str) -> None:
    print(f"release: {message}", file=sys.stderr, flush=True)


def find_masters(assignment_dir: Path) -> list[Path]:
    """``<dir>/<name>/<name>.ipynb`` for every assignment folder that has one."""
    assignment_dir = Path(assignment_dir)
    if not assignment_dir.is_dir():
        return []
    return [d / f"{d.name}.ipynb" for d in sorted(assignment_dir.iterdir())
            if (d / f"{d.name}.ipynb").is_file()]


def nbgitpuller_link(repo: str, name: str, *, hub: str = DEFAULT_HUB, branch: str = "main") -> str:
    """A link that clones ``repo`` (the published student_release/) and opens the notebook."""
    repo_dir = repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    urlpath = f"lab/tree/{repo_dir}/{name}/{name}.ipynb"
    return (f"{hub.rstrip('/')}/hub/user-redirect/git-pull?repo={quote(repo, safe='')}"
            f"&branch={quote(branch, safe='')}&urlpath={quote(urlpath, safe='/')}")


# ------------------------------------------------------------------ solutions

def _cell_label(build: Build, index: int) -> str:
    c = build.plan[index]
    q = f", question {c.question}" if c.question else ""
    return f"{build.master.name}.ipynb: cell {index} (id {c.id}{q})"


def _output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(source_text({"source": out.get("text", "")}))
        parts.append(source_text({"source": out.get("data", {}).get("text/plain", "")}))
    return "\n".join(parts)


def _run_cells(build: Build, nb, workdir: Path, timeout: float) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(workdir)}})
    # Cell errors arrive as messages; the kernel's own stderr only carries
    # ipykernel's shutdown noise ("Socket operation on non-socket").
    with client.setup_kernel(stderr=subprocess.DEVNULL):
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, i)
            except CellTimeoutError:
                raise ReleaseError(f"{_cell_label(build, i)}: timed out after {timeout:g}s "
                                   "(grading.cell_timeout in the assignment config)") from None
            except CellExecutionError as exc:
                raise ReleaseError(f"{_cell_label(build, i)}: raised {exc.ename}: {exc.evalue}") from None
            if build.plan[i].role == model.ROLE_CHECK and CHECK_PASSED not in _output_text(cell):
                raise ReleaseError(f"{_cell_label(build, i)}: check cell did not pass:\n"
                                   f"{_output_text(cell)[:2000]}")


def _check_export_zip(build: Build, workdir: Path) -> None:
    """The export cell must leave a valid zip holding the notebook."""
    name = f"{build.master.name}.ipynb"
    zips = sorted(workdir.glob(f"{build.master.name}*.zip"))
    if not zips:
        raise ReleaseError(f"{name}: the export cell wrote no zip")
    with zipfile.ZipFile(zips[-1]) as zf:
        if zf.testzip() is not None or name not in zf.namelist():
            raise ReleaseError(f"{name}: the export zip is corrupt or lacks the notebook")


def execute_solution(build: Build, out_root: Path) -> Path:
    """Run the solution notebook top to bottom beside the student files; write .ipynb + .html."""
    import nbformat

    nb = nbformat.from_dict(solution_notebook(build.master, build.plan))
    with tempfile.TemporaryDirectory(prefix="gradekit-solution-") as tmp:
        workdir = Path(tmp) / build.master.name
        shutil.copytree(build.student_dir, workdir)
        write_notebook(nb, workdir / f"{build.master.name}.ipynb")
        _run_cells(build, nb, workdir, build.spec.limits.cell_timeout_s)
        _check_export_zip(build, workdir)
    out_dir = Path(out_root) / "solutions" / build.master.name
    if out_dir.exists():
        shutil.rmtree(out_dir)
    path = write_notebook(nb, out_dir / f"{build.master.name}.ipynb", keep_outputs=True)
    write_html(path)
    return path


def write_html(notebook_path: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(notebook_path, as_version=4))
    html = notebook_path.with_suffix(".html")
    html.write_text(body, encoding="utf-8")
    return html


def grade_solution(build: Build, solution: Path) -> None:
    """Grade the solution through the engine; anything short of full marks is an error."""
    try:
        from gradekit.grade import grade_submission
    except ImportError as exc:  # the engine is written in parallel; say so, loudly
        log(f"WARNING: solution of {build.master.name} NOT graded ({exc}); "
            "full marks unverified")
        return
    spec, support = model.load_spec(build.zip_path)
    result = grade_submission(spec, support, solution)
    label = f"solutions/{build.master.name}/{solution.name}"
    if result.status != model.Status.OK:
        raise ReleaseError(f"{label}: grading status {result.status.value}: {result.reason}")
    short = [f"{label}: question {q.name}: test {t.name}: {t.points:g}/{t.max_points:g} "
             f"{t.detail or t.feedback}".rstrip()
             for q in result.questions if not q.manual for t in q.tests
             if t.points < t.max_points - 1e-9]
    missing = {q.name for q in spec.autograded} - {q.name for q in result.questions}
    short += [f"{label}: question {n}: not graded" for n in sorted(missing)]
    if short:
        raise ReleaseError("solution short of full marks:\n" + "\n".join(short))
    log(f"{build.master.name}: solution earns {result.score:g}/{result.max_score:g}")


# ------------------------------------------------------------------ composition

def lint_all(root: Path, masters: list[Path]) -> list[str]:
    problems = lint_requirements(root / "requirements.txt")
    for path in masters:
        problems += lint_master(path)
    return problems


def release_one(master_path: Path, root: Path, out: Path, *, execute: bool) -> Build:
    started = time.perf_counter()
    build = build_assignment(parse_master(master_path), out, root)
    problems = verify_student_release(build.master, build.student_dir, build.public_tests)
    if problems:
        shutil.rmtree(build.student_dir)  # never leave a leaking release where it could be published
        raise ReleaseError(f"leak/layout check failed ({build.student_dir} removed):\n"
                           + "\n".join(problems))
    log(f"{build.master.name}: built and verified in {time.perf_counter() - started:.1f}s")
    if execute:
        solution = execute_solution(build, out)
        log(f"{build.master.name}: solution executed ({time.perf_counter() - started:.1f}s)")
        grade_solution(build, solution)
        log(f"{build.master.name}: solution graded ({time.perf_counter() - started:.1f}s)")
    return build


def check_whole_release(out: Path, all_masters: list[Path]) -> None:
    """Cross-check all of student_release/ (stale folders, one assignment leaking another's)."""
    problems = verify_release_root(out / "student_release", [parse_master(p) for p in all_masters])
    if problems:
        raise ReleaseError("student_release/ check failed:\n" + "\n".join(problems))


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m gradekit release")
    p.add_argument("--root", type=Path, default=PROJECT_ROOT, help="project root (sources)")
    p.add_argument("--out", type=Path, default=None, help="output root (default: --root)")
    p.add_argument("--only", nargs="*", default=None, help="assignment names to release")
    p.add_argument("--no-execute", action="store_true",
                   help="skip executing and grading the solutions (fast, for tests)")
    p.add_argument("--repo", default=DEFAULT_REPO, help="git repo students pull from")
    p.add_argument("--hub", default=DEFAULT_HUB, help="JupyterHub base URL")
    p.add_argument("--branch", default="main")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    root, out = args.root.resolve(), (args.out or args.root).resolve()
    masters = [m for m in find_masters(root / "assignment")
               if args.only is None or m.parent.name in args.only]
    if not masters:
        log(f"no master notebooks under {root / 'assignment'}: nothing to release")
        return 0
    problems = lint_all(root, masters)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        log(f"lint failed with {len(problems)} problem(s)")
        return 1
    try:
        for path in masters:
            release_one(path, root, out, execute=not args.no_execute)
        check_whole_release(out, find_masters(root / "assignment"))
    except (ReleaseError, BuildError) as exc:
        log(f"FAILED: {exc}")
        return 1
    for path in masters:
        print(f"{path.parent.name}: {nbgitpuller_link(args.repo, path.parent.name, hub=args.hub, branch=args.branch)}")
    return 0
