"""Smoke tests of the benchmark's machinery on tiny inputs (nothing here is timed)."""

import json
import sys
import zipfile

import pytest

from gradekit import bench
from gradekit.model import Question, ReleaseCell, Spec
from gradekit.model import TestCase as Case


def code_cell(src: str, tags=()) -> dict:
    return {"cell_type": "code", "id": f"c{abs(hash(src)) % 10**8}",
            "metadata": {"tags": list(tags)}, "outputs": [],
            "execution_count": None, "source": src}


def toy_spec() -> Spec:
    tests = (Case("q1 - 1", "assert double(2) == 4", 1.0, False),
             Case("q1 - 2", "assert oracle(double(3))", 2.0, True))
    cells = (ReleaseCell("i", "code", "import otter\ngrader = otter.Notebook()", "init"),
             ReleaseCell("c", "code", 'grader.check("q1")', "check", "q1"),
             ReleaseCell("p", "code", "plot()", "provided", skip_grading=True))
    return Spec("toy", "toy.ipynb", (Question("q1", 3.0, tests=tests),
                                     Question("w1", 2.0, manual=True)), cells)


def test_make_corpus_cycles_through_examples(tmp_path):
    for kind in ("correct", "partial", "blank"):
        (tmp_path / f"{kind}.ipynb").write_text(kind)
    paths = bench.make_corpus(tmp_path, 7, tmp_path / "corpus")
    assert [p.read_text() for p in paths] == ["correct", "partial", "blank"] * 2 + ["correct"]


def test_otter_zip_has_public_tests_only_in_ok_format(tmp_path):
    from otter.test_files.ok_test import OKTestFile

    path = bench.otter_autograder_zip(toy_spec(), {"data/t.txt": b"1 2"}, tmp_path / "ag.zip")
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["files/data/t.txt", "otter_config.json", "tests/q1.py"]
        zf.extractall(tmp_path / "ag")
    test = OKTestFile.from_file(str(tmp_path / "ag" / "tests" / "q1.py"))
    assert len(test.test_cases) == 1 and ">>> assert double(2) == 4" in test.test_cases[0].body
    assert "oracle" not in (tmp_path / "ag" / "tests" / "q1.py").read_text()


def test_bare_notebook_drops_grader_cells_and_optionally_skip_grading():
    nb = {"cells": [code_cell("import otter\ngrader = otter.Notebook()"), code_cell("x = 1"),
                    code_cell('grader.check("q1")'), code_cell("plot()"),
                    code_cell("demo()", tags=["skip-grading"]),
                    {"cell_type": "markdown", "metadata": {}, "source": "text"}]}
    keep_all = bench.bare_notebook(nb, toy_spec(), skip_grading=False)
    assert [c["source"] for c in keep_all["cells"]] == ["x = 1", "plot()", "demo()", "text"]
    skipped = bench.bare_notebook(nb, toy_spec(), skip_grading=True)
    assert [c["source"] for c in skipped["cells"]] == ["x = 1", "text"]


def test_load_functions_runs_only_imports_and_definitions(tmp_path):
    marker = tmp_path / "side_effect"
    nb = {"cells": [code_cell("%matplotlib inline\nimport numpy as np\nimport otter"),
                    code_cell(f"open({str(marker)!r}, 'w').write('ran')\n"
                              "def kernel_G(X, W):\n    return X @ X.T\n"),
                    code_cell("def kernel_H(X, a, W):\n    return np.ones((len(X), len(X)))\n"
                              "raise SystemExit('training demo')")]}
    fns = bench.load_functions(nb, ("kernel_G", "kernel_H"))
    assert not marker.exists()
    figures = bench.ntk_kernel_timing(nb, n=4, d=3, m=5, repeats=1)
    assert fns["kernel_H"]([[1], [2]], None, None).shape == (2, 2)
    assert figures["kernels_s"] > 0 and figures["matmul_s"] > 0 and figures["m"] == 5


def test_ntk_one_thread_runs_in_a_fresh_process_with_one_thread(tmp_path):
    nb = {"cells": [code_cell("import numpy as np"),
                    code_cell("def kernel_G(X, W):\n    return X @ X.T\n"
                              "def kernel_H(X, a, W):\n    return np.tanh(X @ W.T) @ np.tanh(W @ X.T)")]}
    path = tmp_path / "ntk.ipynb"
    path.write_text(json.dumps(nb))
    figures = bench.ntk_one_thread(path, n=4, d=3, m=5)
    assert figures["env"] == bench.ONE_THREAD
    assert (figures["n"], figures["d"], figures["m"]) == (4, 3, 5)
    assert figures["kernels_s"] > 0 and figures["matmul_s"] > 0 and figures["ratio"] > 0


def test_run_sampled_sees_the_memory_of_a_child_process():
    cmd = [sys.executable, "-c",
           "import subprocess, sys; subprocess.run([sys.executable, '-c', "
           "'import time; x = bytearray(200 * 2**20); x[::4096] = b\"1\" * len(x[::4096]); "
           "time.sleep(1.0)'])"]
    figures = bench.run_sampled(cmd)
    assert figures["returncode"] == 0
    assert figures["tree_peak_mb"] >= 200 > figures["worker_peak_mb"]


def test_floor_executes_a_notebook_with_its_support_files(tmp_path):
    nb = {"cells": [code_cell("print(open('data/t.txt').read())")], "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}
    assert bench.time_floor(nb, {"data/t.txt": b"hello"}, tmp_path / "floor") > 0
    with pytest.raises(RuntimeError, match="data/t.txt"):  # a failing floor is not a time
        bench.time_floor(nb, {}, tmp_path / "empty")


def test_report_prints_figures_next_to_targets():
    text = bench.format_report("conv", {
        "throughput": {"n": 21, "jobs": 2, "grade_s": 60.0, "otter_s": 150.0,
                       "otter_failures": 0, "speedup": 2.5},
        "overhead": {"engine_s": 5.0, "floor_all_s": 8.0, "floor_skip_s": 4.0, "ratio_skip": 1.25,
                     "ratio_all": 0.625, "worker_peak_mb": 300.0, "tree_peak_mb": 700.0,
                     "engine_exit": 0},
        "ntk": {"default_threads": {"n": 200, "d": 10, "m": 20000, "kernels_s": 0.09,
                                    "matmul_s": 0.02, "ratio": 4.5},
                "one_thread": {"n": 200, "d": 10, "m": 20000, "kernels_s": 0.1,
                               "matmul_s": 0.04, "ratio": 2.5}}})
    assert "21.0/min" in text and "8.4/min" in text and "2.50x (target >= 1.8x: meets target)" in text
    assert "1.25x" in text and "<= 1.3x: meets target" in text
    assert "default threads: 90.0 ms vs 20.0 ms = 4.50x (target <= 3.0x: MISSES target)" in text
    assert "1 thread:        100.0 ms vs 40.0 ms = 2.50x (target <= 3.0x: meets target)" in text
    assert "PUBLIC tests only" in text
