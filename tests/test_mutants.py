"""The mutant corpus and the kill matrix (gradekit.mutants).

Three layers:
* the corpus is honest: each file, run directly against independent torch
  oracles, is really wrong (differs or raises on some generic input) or
  really right (matches on every input) -- fast, no engine;
* the verdict logic and the matrix text, on results built in memory;
* (slow) every corpus file graded as a real submission through the real
  batch engine: wrong ones lose points on their question, right ones keep
  full marks everywhere.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from gradekit.checks import relative_error
from gradekit import model
from gradekit.model import Question, QuestionResult, Spec, Status, SubmissionResult
from gradekit.mutants import Mutant, kill_matrix, load_corpus, problems, totals

CORPUS = Path(__file__).parent / "mutants"
CORE = {"conv": ("conv_output_size", "conv2d_forward", "conv2d_backward"),
        "ntk": ("forward", "grad_a", "grad_W", "kernel_G", "kernel_H")}
ALL = [m for name in CORE for m in load_corpus(CORPUS, name)]


# ------------------------------------------------------------------ oracles

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def erf(z):
    return torch.special.erf(torch.as_tensor(np.asarray(z, dtype=np.float64))).numpy()


def erf_prime(z):
    return 2.0 / math.sqrt(math.pi) * np.exp(-np.asarray(z) ** 2)


def close(actual, expected) -> bool:
    """Same rule as gradekit.checks.expect_close: shape, finite, scale-relative tol by dtype."""
    arr = np.asarray(actual)
    expected = np.asarray(expected, dtype=np.float64)
    if arr.shape != expected.shape or not np.issubdtype(arr.dtype, np.number):
        return False
    if not np.all(np.isfinite(arr)):
        return False
    tol = 1e-4 if arr.dtype in (np.float32, np.float16) else 1e-6
    return relative_error(arr, expected) <= tol


def conv_cases():
    """(x, w, b, stride, padding): C != F, C = F > 1, non-square kernels, p > 0, s > 1."""
    rng = np.random.default_rng(0)
    shapes = [((2, 3, 7, 6), (2, 3, 3, 2), 2, 1), ((2, 2, 5, 5), (2, 2, 3, 3), 1, 0),
              ((1, 3, 8, 7), (4, 3, 2, 3), 3, 2), ((2, 1, 6, 6), (3, 1, 3, 3), 1, 1)]
    for xs, ws, s, p in shapes:
        yield rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0]), s, p


def torch_conv(x, w, b, s, p):
    xt, wt, bt = (torch.tensor(v, requires_grad=True) for v in (x, w, b))
    return xt, wt, bt, torch.nn.functional.conv2d(xt, wt, bt, stride=s, padding=p)


def conv_forward_ok(fn) -> bool:
    for x, w, b, s, p in conv_cases():
        expected = torch_conv(x, w, b, s, p)[3].detach().numpy()
        if not close(fn(x, w, b, stride=s, padding=p), expected):
            return False
    return True


def conv_backward_ok(fn) -> bool:
    rng = np.random.default_rng(1)
    for x, w, b, s, p in conv_cases():
        xt, wt, bt, out = torch_conv(x, w, b, s, p)
        dout = rng.normal(size=out.shape)
        (out * torch.from_numpy(dout)).sum().backward()
        got = fn(dout, x, w, b, stride=s, padding=p)
        if len(got) != 3 or not all(close(g, t.grad.numpy()) for g, t in zip(got, (xt, wt, bt))):
            return False
    return True


def conv_size_ok(fn) -> bool:
    for n in range(4, 13):
        for k in range(1, 5):
            for s in range(1, 4):
                for p in range(3):
                    got = fn(n, k, stride=s, padding=p)
                    is_number = isinstance(got, (int, float, np.integer, np.floating))
                    if isinstance(got, bool) or not is_number \
                            or got != (n + 2 * p - k) // s + 1:
                        return False
    return True


def receptive_field_ok(fn) -> bool:
    rng = np.random.default_rng(3)
    stacks = [[(3, 1), (3, 1)], [(11, 4), (3, 2), (5, 1), (3, 2), (3, 1)]]
    stacks += [[(int(rng.integers(1, 8)), int(rng.integers(1, 4))) for _ in range(4)] for _ in range(5)]
    for layers in stacks:
        r, j = 1, 1
        for k, s in layers:
            r, j = r + (k - 1) * j, j * s
        got = tuple(fn(layers))
        if got != (r, j) or not all(isinstance(v, (int, np.integer)) for v in got):
            return False
    return True


def torch_gap(x, w, shift, stride, mode):
    """Reference equivariance gap: torch conv2d, circular padding by F.pad."""
    p = w.shape[2] // 2

    def layer(a):
        t = torch.from_numpy(a)
        if mode == "circular":
            return torch.nn.functional.conv2d(
                torch.nn.functional.pad(t, (p, p, p, p), mode="circular"), torch.from_numpy(w),
                stride=stride).numpy()
        return torch.nn.functional.conv2d(t, torch.from_numpy(w), stride=stride, padding=p).numpy()

    dy, dx = shift
    diff = layer(np.roll(x, shift, axis=(2, 3))) - np.roll(layer(x), (dy // stride, dx // stride), axis=(2, 3))
    return float(np.max(np.abs(diff)))


def equivariance_ok(fn) -> bool:
    rng = np.random.default_rng(4)
    for shape, k, stride, shift, mode in [((2, 1, 10, 9), 5, 1, (2, 3), "zeros"),
                                          ((1, 1, 12, 10), 3, 2, (1, 2), "circular"),
                                          ((1, 2, 8, 8), 3, 1, (0, 1), "zeros"),
                                          ((1, 1, 12, 10), 3, 2, (3, 3), "circular")]:
        x, w = rng.normal(size=shape), rng.normal(size=(1, shape[1], k, k))
        expected = torch_gap(x, w, shift, stride, mode)
        got = fn(x, w, shift, stride=stride, padding_mode=mode)
        if not abs(got - expected) <= 1e-9 * max(1.0, abs(expected)):
            return False
    return True


def gauss_hermite(f, g, X1, X2, nodes=128):
    """E_w[f(w.x) g(w.x')], w ~ N(0, I): 2-D Gauss-Hermite over the Cholesky factor of the pair covariance."""
    z, wts = np.polynomial.hermite_e.hermegauss(nodes)
    wts = wts / math.sqrt(2 * math.pi)
    out = np.zeros((len(X1), len(X2)))
    for i, x in enumerate(X1):
        for j, y in enumerate(X2):
            a, b, c = x @ x, y @ y, x @ y
            l11 = math.sqrt(a)
            l21, l22 = c / l11, math.sqrt(max(b - (c / l11) ** 2, 0.0))
            u = l11 * z[:, None] + 0 * z[None, :]
            v = l21 * z[:, None] + l22 * z[None, :]
            out[i, j] = wts @ (f(u) * g(v)) @ wts
    return out


def erf_points(seed, n, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X * rng.uniform(0.3, 1.5, size=(n, 1)) / np.linalg.norm(X, axis=1, keepdims=True)


def infinite_kernel_ok(replaces, fn) -> bool:
    for seed, n1, n2, d, A in ((5, 4, 6, 3, 1.0), (6, 5, 3, 7, 1.7)):
        X1, X2 = erf_points(seed, n1, d), erf_points(seed + 10, n2, d)
        if replaces == "G_inf_erf":
            expected, got = gauss_hermite(erf, erf, X1, X2), fn(X1, X2)
        else:
            expected = (X1 @ X2.T) * (A**2 / 3) * gauss_hermite(erf_prime, erf_prime, X1, X2)
            got = fn(X1, X2, A=A)
        if not close(got, expected):
            return False
    return True


def kernel_regression_ok(fn) -> bool:
    rng = np.random.default_rng(7)
    for n, n_test, t, low in ((9, 5, 0.7, 0.1), (6, 11, 25.0, 0.05), (8, 4, 3.0, 1e-6)):
        Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
        lam = np.concatenate([[low], rng.uniform(0.2, 3.0, size=n - 1)])
        K = (Q * lam) @ Q.T
        K_test, y = rng.normal(size=(n_test, n)), rng.normal(size=n)
        expected = K_test @ (Q @ (-np.expm1(-lam * t) / lam * (Q.T @ y)))
        if not close(fn(K, K_test, y, t), expected):
            return False
    return True


PARAM_COUNTS = {"n_conv_weights": 36, "n_conv_params": 40, "n_local_weights": 36864,
                "n_dense_weights": 4194304}


def ntk_cases():
    """(X, a, W): m != n != d, non-unit norms; sigmoid and erf."""
    rng = np.random.default_rng(2)
    for (n, d, m) in ((5, 4, 7), (6, 3, 9)):
        X = 1.7 * rng.normal(size=(n, d))
        a = rng.uniform(-1.5, 1.5, size=m)
        W = rng.normal(size=(m, d))
        for act, dact, torch_act in ((sigmoid, sigmoid_prime, torch.sigmoid),
                                     (erf, erf_prime, torch.special.erf)):
            yield X, a, W, act, dact, torch_act


def jacobians(X, a, W, torch_act):
    """Oracle: f, J_a (n, m), J_W (n, m, d) by autograd through torch's own activation."""
    Xt, at, Wt = (torch.from_numpy(v) for v in (X, a, W))

    def f(a_, W_):
        return torch_act(Xt @ W_.T) @ a_ / math.sqrt(W_.shape[0])

    Ja, JW = torch.autograd.functional.jacobian(f, (at, Wt))
    return f(at, Wt).numpy(), Ja.numpy(), JW.numpy()


def ntk_ok(replaces: str, fn) -> bool:
    for X, a, W, act, dact, torch_act in ntk_cases():
        f, Ja, JW = jacobians(X, a, W, torch_act)
        n = X.shape[0]
        JWf = JW.reshape(n, -1)
        expected, got = {
            "forward": (f, lambda: fn(X, a, W, sigma=act)),
            "grad_a": (Ja, lambda: fn(X, a, W, sigma=act)),
            "grad_W": (JW, lambda: fn(X, a, W, dsigma=dact)),
            "kernel_G": (Ja @ Ja.T, lambda: fn(X, W, sigma=act)),
            "kernel_H": (JWf @ JWf.T, lambda: fn(X, a, W, dsigma=dact)),
        }[replaces]
        if not close(got(), expected):
            return False
    return True


def behaves_right(mutant: Mutant) -> bool:
    """Run the mutant's code directly; True iff it matches the oracles on every case."""
    namespace = {"np": np, "sigmoid": sigmoid, "sigmoid_prime": sigmoid_prime, **PARAM_COUNTS}
    exec(compile(mutant.code, mutant.name, "exec"), namespace)
    if mutant.replaces in PARAM_COUNTS:
        return all(namespace[k] == v for k, v in PARAM_COUNTS.items())
    fn = namespace[mutant.replaces]
    checks = {"conv_output_size": conv_size_ok, "conv2d_forward": conv_forward_ok,
              "conv2d_backward": conv_backward_ok, "receptive_field": receptive_field_ok,
              "equivariance_gap": equivariance_ok, "kernel_regression": kernel_regression_ok,
              "G_inf_erf": lambda f: infinite_kernel_ok("G_inf_erf", f),
              "H_inf_erf": lambda f: infinite_kernel_ok("H_inf_erf", f)}
    try:
        if mutant.replaces in checks:
            return checks[mutant.replaces](fn)
        return ntk_ok(mutant.replaces, fn)
    except Exception:  # noqa: BLE001 - raising on a valid input is being wrong
        return False


# ------------------------------------------------------------------ corpus

def test_corpus_has_six_wrong_per_core_function_and_some_right():
    for name, functions in CORE.items():
        mutants = load_corpus(CORPUS, name)
        for fn in functions:
            wrong = [m for m in mutants if m.replaces == fn and m.expect == "wrong"]
            right = [m for m in mutants if m.replaces == fn and m.expect == "right"]
            assert len(wrong) >= 6, (name, fn, len(wrong))
            assert len(right) >= 3, (name, fn, len(right))
        assert len({m.name for m in mutants}) == len(mutants)


@pytest.mark.parametrize("mutant", ALL, ids=[f"{m.assignment}/{m.name}" for m in ALL])
def test_corpus_label_matches_the_oracles(mutant):
    assert behaves_right(mutant) == (mutant.expect == "right"), mutant.why


# ------------------------------------------------------------------ verdicts

def tiny_spec() -> Spec:
    qs = tuple(Question(n, 2.0, tests=(model.TestCase(f"{n} - 1", "pass", 2.0, True),))
               for n in ("q1", "q2"))
    return Spec("demo", "demo.ipynb", qs + (Question("q3", 1.0, manual=True),), ())


def result_with(scores: dict[str, float], status=Status.OK) -> SubmissionResult:
    qs = [QuestionResult(n, s, 2.0) for n, s in scores.items()]
    return SubmissionResult("x.ipynb", "x", "demo", status, questions=qs)


def mutant(name, expect, question="q1") -> Mutant:
    return Mutant(name, "demo", "f", expect, question, "because", "")


def test_wrong_mutant_is_killed_only_when_it_loses_points_on_its_question():
    spec = tiny_spec()
    assert problems(mutant("m", "wrong"), spec, result_with({"q1": 1.0, "q2": 2.0})) == []
    found = problems(mutant("m", "wrong"), spec, result_with({"q1": 2.0, "q2": 0.0}))
    assert len(found) == 1 and "SURVIVED" in found[0]


def test_right_variant_must_keep_every_point_and_status_ok():
    spec = tiny_spec()
    assert problems(mutant("r", "right"), spec, result_with({"q1": 2.0, "q2": 2.0})) == []
    assert len(problems(mutant("r", "right"), spec, result_with({"q1": 2.0, "q2": 1.5}))) == 1
    assert len(problems(mutant("r", "right"), spec,
                        result_with({"q1": 2.0, "q2": 2.0}, Status.TIMEOUT))) == 1


def test_unknown_question_is_reported():
    found = problems(mutant("m", "wrong", "nope"), tiny_spec(), result_with({"q1": 0.0}))
    assert "not an autograded question" in found[0]


def test_matrix_marks_survivors_and_lost_points():
    spec = tiny_spec()
    mutants = [mutant("killed", "wrong"), mutant("survivor", "wrong", "q2"), mutant("good", "right")]
    results = {"killed": result_with({"q1": 0.0, "q2": 2.0}),
               "survivor": result_with({"q1": 2.0, "q2": 2.0}),
               "good": result_with({"q1": 2.0, "q2": 1.0})}
    lines = kill_matrix(spec, mutants, results).splitlines()
    assert lines[0].split() == ["mutant", "expect", "q1", "q2", "status"]
    assert lines[1].split()[2] == "[0/2]"
    assert lines[2].split()[3] == "[2/2!]"
    assert lines[3].split()[3] == "1/2!"
    assert totals(spec, mutants, results) == \
        "demo: killed 1/2 wrong mutants; 0/1 right variants kept full marks"


# ------------------------------------------------------------------ the real engine

@pytest.mark.slow
def test_every_mutant_is_graded_as_expected_by_the_engine(release_build, tmp_path):
    """One batch per assignment through gradekit.batch (worker subprocesses, all cores)."""
    from gradekit.mutants import grade_mutants

    found = []
    graded = 0
    for name in CORE:
        if name not in release_build.assignments:
            continue
        mutants = load_corpus(CORPUS, name)
        spec, results = grade_mutants(release_build.zip(name), release_build.solution(name),
                                      mutants, tmp_path / name, jobs=os.cpu_count() or 2)
        print(kill_matrix(spec, mutants, results))
        print(totals(spec, mutants, results))
        found += [p for m in mutants for p in problems(m, spec, results[m.name])]
        graded += len(mutants)
    if not graded:
        pytest.skip("no assignment of the corpus is in the release yet")
    assert not found, "\n".join(found)


def test_read_mutant_rejects_incomplete_headers(tmp_path):
    from gradekit.mutants import read_mutant

    (tmp_path / "demo").mkdir()
    partial = tmp_path / "demo" / "partial.py"
    partial.write_text("# replaces: f\n# expect: wrong\ndef f():\n    return 0\n")
    with pytest.raises(ValueError, match="partial.py.*question, why"):
        read_mutant(partial)
    odd = tmp_path / "demo" / "odd.py"
    odd.write_text("# replaces: f\n# expect: maybe\n# question: q1\n# why: x\ndef f():\n    return 0\n")
    with pytest.raises(ValueError, match="wrong or right"):
        read_mutant(odd)


def test_write_submissions_makes_one_notebook_per_mutant(tmp_path):
    import json

    from gradekit.mutants import write_submissions

    solution = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "def f():\n    return 1\n"}]}
    mutants = [Mutant("m1", "demo", "f", "wrong", "q1", "returns 2",
                      "# replaces: f\ndef f():\n    return 2\n")]
    write_submissions(mutants, solution, tmp_path / "subs")
    written = json.loads((tmp_path / "subs" / "m1.ipynb").read_text())
    assert "return 2" in written["cells"][0]["source"]
