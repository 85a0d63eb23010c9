"""``make bench``: measured grading throughput, overhead, memory and NTK kernel speed.

Prints, from one run on this machine:

1. throughput of ``python -m gradekit grade`` (default jobs) against
   sequential ``otter run`` on the same corpus (copies of the correct, partial
   and blank examples). otter gets an autograder built from the spec with the
   *public* tests only, in OK format: our hidden tests run in the grader
   process and cannot be expressed as otter tests, so otter does less work;
2. per-submission time of the engine (``grade-one``) against bare nbclient
   execution of the same notebook (the floor), with all cells and with the
   ``skip-grading`` cells left out (both without otter's init/check/export cells);
3. peak resident memory of one worker alone and with its kernel (psutil);
4. the solution's ``kernel_G + kernel_H`` at n=200, d=10, m=20000 against one
   (n×m)@(m×n) matrix product, twice: with the default thread count (the matmul
   uses every core, NumPy's elementwise code one) and in a fresh process with
   one BLAS/OpenMP thread, as on the students' 1-core JupyterHub.

Figures also go to ``<out>/bench.json``. ``--execute-only NB`` (internal) runs
one notebook with nbclient; the parent times that subprocess as the floor.
``--ntk-worker NB`` (internal) prints the NTK figures of NB as JSON.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import psutil

from gradekit.model import ROLE_CHECK, ROLE_EXPORT, ROLE_INIT, Spec, load_spec

TARGETS = {"speedup": 1.8, "overhead": 1.3, "kernel_ratio": 3.0}
NTK_SIZE = {"n": 200, "d": 10, "m": 20000}
GRADER_ROLES = (ROLE_INIT, ROLE_CHECK, ROLE_EXPORT)
# read by OpenBLAS/MKL/OpenMP when NumPy loads them, so set in a fresh process's environment
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# ------------------------------------------------------------------ corpus and otter


def make_corpus(examples_dir: Path, n: int, dest: Path) -> list[Path]:
    """``n`` submissions cycling through correct, partial and blank (missing kinds skipped)."""
    kinds = [examples_dir / f"{k}.ipynb" for k in ("correct", "partial", "blank")]
    kinds = [k for k in kinds if k.exists()]
    if not kinds:
        raise FileNotFoundError(f"no examples in {examples_dir}: run `make grade` once first")
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        src = kinds[i % len(kinds)]
        paths.append(dest / f"s{i:03d}_{src.stem}.ipynb")
        shutil.copyfile(src, paths[-1])
    return paths


def ok_test_file(question) -> str | None:
    """otter OK-format file with a question's public test cases, or None if it has none."""
    from otter.assign.utils import str_to_doctest

    cases = [{"code": "\n".join(str_to_doctest(ast.unparse(ast.parse(t.code)).split("\n"), [])),
              "hidden": False, "locked": False, "points": t.points}
             for t in question.tests if not t.hidden]
    if not cases:
        return None
    test = {"name": question.name, "points": sum(c["points"] for c in cases),
            "suites": [{"cases": cases, "scored": True, "setup": "", "teardown": "",
                        "type": "doctest"}]}
    return "OK_FORMAT = True\n\ntest = " + repr(test) + "\n"


def otter_autograder_zip(spec: Spec, support: dict[str, bytes], dest: Path) -> Path:
    """An autograder zip that ``otter run`` accepts: public tests, support files, config."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("otter_config.json", json.dumps({"lang": "python", "pdf": False}))
        for q in spec.autograded:
            text = ok_test_file(q)
            if text:
                zf.writestr(f"tests/{q.name}.py", text)
        for rel, data in support.items():
            zf.writestr(f"files/{rel}", data)
    return dest


def run_timed(cmd: list[str], check: bool = False) -> float:
    """Wall seconds of ``cmd``; with ``check``, a failure raises (with its stderr)."""
    t0 = time.perf_counter()
    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    if check and done.returncode != 0:
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd[:5])} ... failed ({done.returncode}):\n{tail}")
    return time.perf_counter() - t0


def time_otter_run(otter_zip: Path, subs: list[Path], work: Path) -> tuple[float, int]:
    """Seconds for ``otter run`` on each submission in turn, and how many gave no results."""
    otter = Path(sys.executable).with_name("otter")
    total, failures = 0.0, 0
    for i, sub in enumerate(subs):
        out = work / f"otter-{i:03d}"
        out.mkdir(parents=True, exist_ok=True)
        total += run_timed([str(otter), "run", "-a", str(otter_zip), "-o", str(out),
                            "--no-logo", str(sub)])
        failures += not (out / "results.json").exists()
    return total, failures


def time_batch(spec_path: Path, corpus: Path, out: Path, jobs: int | None) -> float:
    cmd = [sys.executable, "-m", "gradekit", "grade", "--spec", str(spec_path),
           "--submissions", str(corpus), "--out", str(out), "--force"]
    return run_timed(cmd + (["--jobs", str(jobs)] if jobs else []))


# ------------------------------------------------------------------ floor and engine


def bare_notebook(nb: dict, spec: Spec, *, skip_grading: bool) -> dict:
    """The notebook without otter's grader cells (and without skip-grading cells if asked)."""
    grader_sources = {c.source.strip() for c in spec.release_cells if c.role in GRADER_ROLES}
    skipped = {c.source.strip() for c in spec.release_cells if c.skip_grading}

    def keep(cell: dict) -> bool:
        src = "".join(cell.get("source", "")).strip()
        if cell.get("cell_type") != "code":
            return True
        if src in grader_sources:
            return False
        tagged = "skip-grading" in cell.get("metadata", {}).get("tags", [])
        return not (skip_grading and (tagged or src in skipped))

    return {**nb, "cells": [c for c in nb["cells"] if keep(c)]}


def execute_only(path: Path, cwd: Path) -> None:
    """Run a notebook with nbclient and nothing else (the floor)."""
    import nbclient
    import nbformat

    nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    nbclient.NotebookClient(nb, timeout=1800, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}).execute()


def time_floor(nb: dict, support: dict[str, bytes], work: Path) -> float:
    work.mkdir(parents=True, exist_ok=True)
    for rel, data in support.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_bytes(data)
    path = work / "bare.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return run_timed([sys.executable, "-m", "gradekit", "bench", "--execute-only", str(path),
                      "--cwd", str(work)], check=True)


def tree_rss_mb(proc: psutil.Process) -> tuple[float, float]:
    """(resident MB of the process alone, of the process and all its descendants)."""
    try:
        own = proc.memory_info().rss
        kids = sum(c.memory_info().rss for c in proc.children(recursive=True))
    except psutil.NoSuchProcess:
        return 0.0, 0.0
    return own / 2**20, (own + kids) / 2**20


def run_sampled(cmd: list[str], interval_s: float = 0.05) -> dict:
    """Run ``cmd``; return its wall time and the peak RSS of it and of its tree."""
    peaks = [0.0, 0.0]
    t0 = time.perf_counter()
    proc = psutil.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            own, tree = tree_rss_mb(proc)
            peaks[0], peaks[1] = max(peaks[0], own), max(peaks[1], tree)
            done.wait(interval_s)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    proc.wait()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    return {"wall_s": wall, "worker_peak_mb": peaks[0], "tree_peak_mb": peaks[1],
            "returncode": proc.returncode}


def time_engine(spec_path: Path, submission: Path, out_json: Path) -> dict:
    return run_sampled([sys.executable, "-m", "gradekit", "grade-one", "--spec", str(spec_path),
                        "--submission", str(submission), "--out", str(out_json)])


# ------------------------------------------------------------------ NTK kernels


def load_functions(nb: dict, names: tuple[str, ...]) -> dict:
    """Top-level imports and function definitions of the notebook's code cells, exec'd.

    Only ``import`` and ``def`` statements run, so plots, training and other
    side effects of the notebook do not. Magics are blanked before parsing.
    """
    from gradekit.mutate import parse_cell

    body: list[ast.stmt] = []
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        tree = parse_cell("".join(cell.get("source", "")))
        for node in tree.body if tree else []:
            is_import = isinstance(node, (ast.Import, ast.ImportFrom))
            if is_import and "otter" in ast.unparse(node):
                continue  # otter's grader is not needed to time a function
            if is_import or isinstance(node, ast.FunctionDef):
                body.append(node)
    namespace: dict = {}
    exec(compile(ast.Module(body, type_ignores=[]), "<solution>", "exec"), namespace)  # course source
    missing = [n for n in names if n not in namespace]
    if missing:
        raise KeyError(f"the notebook does not define {', '.join(missing)}")
    return {n: namespace[n] for n in names}


def best_times(fns: list, repeats: int) -> list[float]:
    """Best wall time of each function, runs interleaved so that all see the same load."""
    for fn in fns:
        fn()  # warm-up: first-call allocation and library start-up are not the steady cost
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def ntk_kernel_timing(nb: dict, n: int, d: int, m: int, repeats: int = 5) -> dict:
    import numpy as np

    fns = load_functions(nb, ("kernel_G", "kernel_H"))
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(n, d)), rng.normal(size=(m, d))
    a = rng.uniform(-1, 1, size=m)
    A, B = rng.normal(size=(n, m)), rng.normal(size=(m, n))
    kernels, matmul = best_times(
        [lambda: (fns["kernel_G"](X, W), fns["kernel_H"](X, a, W)), lambda: A @ B], repeats)
    return {"n": n, "d": d, "m": m, "kernels_s": kernels, "matmul_s": matmul,
            "ratio": kernels / matmul}


def ntk_worker(notebook: Path, n: int, d: int, m: int) -> None:
    """Print ``ntk_kernel_timing`` of ``notebook`` and the thread variables seen, as JSON."""
    figures = ntk_kernel_timing(json.loads(notebook.read_text(encoding="utf-8")), n, d, m)
    figures["env"] = {k: os.environ.get(k) for k in ONE_THREAD}
    print(json.dumps(figures))


def ntk_one_thread(notebook: Path, n: int, d: int, m: int) -> dict:
    """``ntk_kernel_timing`` in a fresh interpreter with one BLAS/OpenMP thread."""
    cmd = [sys.executable, "-m", "gradekit", "bench", "--ntk-worker", str(notebook.resolve()),
           "--ntk-size", str(n), str(d), str(m)]
    done = subprocess.run(cmd, env={**os.environ, **ONE_THREAD}, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"NTK worker failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])  # last line: the notebook's imports may print


# ------------------------------------------------------------------ the run


def throughput(args, spec: Spec, support: dict, work: Path) -> dict:
    corpus = make_corpus(args.project / "examples" / spec.assignment, args.n, work / "corpus")
    ours = time_batch(args.spec, work / "corpus", work / "grades", args.jobs)
    figures = {"n": len(corpus), "jobs": args.jobs or os.cpu_count(), "grade_s": ours}
    if not args.skip_otter:
        otter_zip = otter_autograder_zip(spec, support, work / "otter-autograder.zip")
        figures["otter_s"], figures["otter_failures"] = time_otter_run(otter_zip, corpus, work)
        figures["speedup"] = figures["otter_s"] / ours
    return figures


def overhead(args, spec: Spec, support: dict, work: Path) -> dict:
    correct = args.project / "examples" / spec.assignment / "correct.ipynb"
    nb = json.loads(correct.read_text(encoding="utf-8"))
    runs = [time_engine(args.spec, correct, work / f"engine-{i}.json") for i in range(args.repeats)]
    best = min(runs, key=lambda r: r["wall_s"])
    floors = {}
    for label, skip in (("floor_all_s", False), ("floor_skip_s", True)):
        bare = bare_notebook(nb, spec, skip_grading=skip)
        floors[label] = min(time_floor(bare, support, work / f"{label}-{i}")
                            for i in range(args.repeats))
    return {"engine_s": best["wall_s"], **floors,
            "ratio_skip": best["wall_s"] / floors["floor_skip_s"],
            "ratio_all": best["wall_s"] / floors["floor_all_s"],
            "worker_peak_mb": max(r["worker_peak_mb"] for r in runs),
            "tree_peak_mb": max(r["tree_peak_mb"] for r in runs),
            "engine_exit": best["returncode"]}


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def format_report(assignment: str, f: dict) -> str:
    t, o, k = f.get("throughput"), f.get("overhead"), f.get("ntk")
    subject = f"{assignment}, " if t or o else ""
    lines = [f"make bench: {subject}{os.cpu_count()} cores, load average "
             f"{os.getloadavg()[0]:.1f} (other work on the machine skews every figure)"]
    if t:
        lines.append(f"throughput: gradekit grade --jobs {t['jobs']}: {t['n']} submissions in "
                     f"{t['grade_s']:.1f} s = {60 * t['n'] / t['grade_s']:.1f}/min")
    if t and "otter_s" in t:
        lines += [f"            otter run, sequential: {t['n']} in {t['otter_s']:.1f} s = "
                  f"{60 * t['n'] / t['otter_s']:.1f}/min ({t['otter_failures']} without results)",
                  "            (otter runs the PUBLIC tests only: our hidden tests run in the "
                  "grader process, so otter does less work per submission)",
                  f"            speed-up {t['speedup']:.2f}x (target >= {TARGETS['speedup']}x: "
                  f"{verdict(t['speedup'] >= TARGETS['speedup'])})"]
    if o:
        lines += [f"per submission (correct.ipynb, best of runs): engine {o['engine_s']:.1f} s "
                  f"(exit {o['engine_exit']}); nbclient floor {o['floor_all_s']:.1f} s all cells, "
                  f"{o['floor_skip_s']:.1f} s without skip-grading cells",
                  f"            engine / floor: {o['ratio_skip']:.2f}x (skip-grading skipped in both; "
                  f"target <= {TARGETS['overhead']}x: {verdict(o['ratio_skip'] <= TARGETS['overhead'])}),"
                  f" {o['ratio_all']:.2f}x against the all-cells floor",
                  f"peak RSS per worker: {o['worker_peak_mb']:.0f} MB alone, "
                  f"{o['tree_peak_mb']:.0f} MB with its kernel"]
    if k:
        size = k["default_threads"]
        lines.append(f"NTK kernel_G + kernel_H (n={size['n']}, d={size['d']}, m={size['m']}, "
                     "float64) vs one (n x m)@(m x n) matmul:")
        for label, key in (("default threads", "default_threads"), ("1 thread", "one_thread")):
            r = k[key]
            lines.append(f"            {label + ':':<16} {1e3 * r['kernels_s']:.1f} ms vs "
                         f"{1e3 * r['matmul_s']:.1f} ms = {r['ratio']:.2f}x (target <= "
                         f"{TARGETS['kernel_ratio']}x: {verdict(r['ratio'] <= TARGETS['kernel_ratio'])})")
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m gradekit bench", description=__doc__.split("\n")[0])
    p.add_argument("--assignment", default="conv")
    p.add_argument("--spec", type=Path, help="default: autograder/NAME/NAME-autograder.zip")
    p.add_argument("--project", type=Path, default=Path("."))
    p.add_argument("--out", type=Path, default=Path("bench"))
    p.add_argument("--n", type=int, default=21, help="submissions in the throughput corpus")
    p.add_argument("--jobs", type=int, help="jobs for gradekit grade (default: its default)")
    p.add_argument("--repeats", type=int, default=2, help="runs per single-submission figure")
    p.add_argument("--skip-otter", action="store_true")
    p.add_argument("--only", choices=["throughput", "overhead", "ntk"], action="append")
    p.add_argument("--execute-only", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--cwd", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--ntk-worker", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--ntk-size", type=int, nargs=3, default=list(NTK_SIZE.values()),
                   help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.execute_only:
        execute_only(args.execute_only, args.cwd or args.execute_only.parent)
        return 0
    if args.ntk_worker:
        ntk_worker(args.ntk_worker, *args.ntk_size)
        return 0
    args.spec = args.spec or args.project / "autograder" / args.assignment / f"{args.assignment}-autograder.zip"
    parts = args.only or ["throughput", "overhead", "ntk"]
    figures: dict = {}
    if {"throughput", "overhead"} & set(parts):
        spec, support = load_spec(args.spec)
        if not (args.project / "examples" / spec.assignment / "correct.ipynb").exists():
            from gradekit import examples

            examples.write_examples(spec.assignment, args.project)
        with tempfile.TemporaryDirectory(prefix="gradekit-bench-") as tmp:
            if "throughput" in parts:
                figures["throughput"] = throughput(args, spec, support, Path(tmp))
            if "overhead" in parts:
                figures["overhead"] = overhead(args, spec, support, Path(tmp))
    if "ntk" in parts:
        solution = args.project / "solutions" / "ntk" / "ntk.ipynb"
        nb = json.loads(solution.read_text(encoding="utf-8"))
        figures["ntk"] = {"default_threads": ntk_kernel_timing(nb, **NTK_SIZE),
                          "one_thread": ntk_one_thread(solution, **NTK_SIZE)}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
    print(format_report(args.assignment, figures))
    return 0
