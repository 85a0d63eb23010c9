"""Grader-side helpers for the NTK assignment: activations, oracles, checks.

Runs only in the grader process (never shipped to students). Every public
name here is visible to the notebook's hidden tests. The oracles are
independent of the reference solution: ``torch.func`` Jacobians of a
``torch.nn`` model, a 2-D Gauss-Hermite quadrature, and Van Loan's block
matrix exponential for the kernel-regression integral.

Each ``check_*`` function builds its own seeded inputs with m, n, d all
different (so a transpose cannot pass by shape luck), row norms away from 1
and output weights a_r spread over [-A, A] (so a_r and a_r^2 differ), calls
the student's function (a remote proxy) with plain arrays and
``KernelCallable`` activations, and compares with :func:`expect_close`,
naming the classic mistakes in student-safe hints.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from gradekit.checks import KernelCallable, TestFailure, expect_close

# One source per activation, evaluated identically in grader and kernel:
# NumPy in -> NumPy out (dtype kept, ints promoted), torch in -> torch out.
_AS_FLOAT = "np.asarray(z, dtype=np.result_type(np.asarray(z), np.float32), order=\"C\")"

sigmoid = KernelCallable(
    "sigmoid",
    f"lambda z: torch.sigmoid(z) if isinstance(z, torch.Tensor) "
    f"else 0.5 * (1.0 + np.tanh(0.5 * {_AS_FLOAT}))",
)
sigmoid_prime = KernelCallable(
    "sigmoid_prime",
    f"lambda z: (lambda s: s * (1 - s))(torch.sigmoid(z) if isinstance(z, torch.Tensor) "
    f"else 0.5 * (1.0 + np.tanh(0.5 * {_AS_FLOAT})))",
)
erf = KernelCallable(
    "erf",
    f"lambda z: torch.special.erf(z) if isinstance(z, torch.Tensor) "
    f"else torch.special.erf(torch.from_numpy({_AS_FLOAT})).numpy()",
)
erf_prime = KernelCallable(
    "erf_prime",
    f"lambda z: 2.0 / math.sqrt(math.pi) * (torch.exp(-z * z) if isinstance(z, torch.Tensor) "
    f"else np.exp(-np.square({_AS_FLOAT})))",
)


def activation_pair(act: str | None) -> tuple[KernelCallable, KernelCallable]:
    """(sigma, sigma') for "sigmoid" (also None: the notebook default) or "erf"."""
    if act in (None, "sigmoid"):
        return sigmoid, sigmoid_prime
    if act == "erf":
        return erf, erf_prime
    raise ValueError(f"unknown activation {act!r}")


# --------------------------------------------------------------------------
# Inputs


def random_network(seed: int, n: int, m: int, d: int, dtype: str = "float64", A: float = 1.3):
    """X (n, d) with row norms in [0.5, 2], a ~ U[-A, A] (m,), W ~ N(0, 1) (m, d)."""
    if len({n, m, d}) != 3:
        raise ValueError("use n, m, d all different so transposes cannot pass")
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X *= rng.uniform(0.5, 2.0, size=(n, 1)) / np.linalg.norm(X, axis=1, keepdims=True)
    a = rng.uniform(-A, A, size=m)
    W = rng.normal(size=(m, d))
    return X.astype(dtype), a.astype(dtype), W.astype(dtype)


def random_points(seed: int, n: int, d: int, dtype: str = "float64", low=0.3, high=2.0):
    """n points in R^d with norms uniform in [low, high]."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X *= rng.uniform(low, high, size=(n, 1)) / np.linalg.norm(X, axis=1, keepdims=True)
    return X.astype(dtype)


# --------------------------------------------------------------------------
# Oracles (float64, computed from the very values the student received)


class _Activation(torch.nn.Module):
    def __init__(self, act: str | None):
        super().__init__()
        self.fn = torch.special.erf if act == "erf" else torch.sigmoid

    def forward(self, z):
        return self.fn(z)


def _torch_network(a: np.ndarray, W: np.ndarray, act: str | None) -> torch.nn.Module:
    """x -> a^T sigma(W x) / sqrt(m) as a torch.nn model with parameters W and a."""
    m, d = W.shape
    hidden = torch.nn.Linear(d, m, bias=False, dtype=torch.float64)
    readout = torch.nn.Linear(m, 1, bias=False, dtype=torch.float64)
    with torch.no_grad():
        hidden.weight.copy_(torch.as_tensor(np.asarray(W, dtype=np.float64)))
        readout.weight.copy_(torch.as_tensor(np.asarray(a, dtype=np.float64))[None, :])
    scale = 1.0 / math.sqrt(m)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden, self.act, self.readout = hidden, _Activation(act), readout

        def forward(self, x):
            return self.readout(self.act(self.hidden(x)))[:, 0] * scale

    return Net()


def oracle_forward(X, a, W, act: str | None = None) -> np.ndarray:
    net = _torch_network(a, W, act)
    with torch.no_grad():
        return net(torch.as_tensor(np.asarray(X, dtype=np.float64))).numpy()


def oracle_jacobians(X, a, W, act: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(df/da (n, m), df/dW (n, m, d)) by torch.func.jacrev of the torch model."""
    net = _torch_network(a, W, act)
    params = {k: v.detach() for k, v in net.named_parameters()}
    x = torch.as_tensor(np.asarray(X, dtype=np.float64))
    jac = torch.func.jacrev(lambda p: torch.func.functional_call(net, p, (x,)))(params)
    return jac["readout.weight"][:, 0, :].numpy(), jac["hidden.weight"].numpy()


def oracle_kernels(X, a, W, act: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(G, H) = (J_a J_a^T, J_W J_W^T) from the autograd Jacobians."""
    J_a, J_W = oracle_jacobians(X, a, W, act)
    J_W = J_W.reshape(J_W.shape[0], -1)
    return J_a @ J_a.T, J_W @ J_W.T


def gaussian_pair_expectation(f, g, X1, X2, nodes: int = 64) -> np.ndarray:
    """E_w[f(w.x) g(w.x')] for w ~ N(0, I), all pairs, by 2-D Gauss-Hermite.

    (w.x, w.x') is Gaussian with covariance [[|x|^2, x.x'], [x.x', |x'|^2]];
    write it as L z with z ~ N(0, I_2) and L the Cholesky factor.
    """
    z, weights = np.polynomial.hermite_e.hermegauss(nodes)
    weights = weights / math.sqrt(2.0 * math.pi)
    X1, X2 = np.asarray(X1, np.float64), np.asarray(X2, np.float64)
    sa = np.maximum(np.linalg.norm(X1, axis=1), 1e-300)[:, None]  # (n1, 1)
    c = X1 @ X2.T
    b = np.sum(X2**2, axis=1)[None, :]
    l21 = c / sa
    l22 = np.sqrt(np.maximum(b - l21**2, 0.0))
    u = sa[:, :, None, None] * z[None, None, :, None]  # (n1, 1, N, 1)
    v = l21[:, :, None, None] * z[:, None] + l22[:, :, None, None] * z[None, :]
    return np.einsum("ijkl,k,l->ij", np.asarray(f(u)) * np.asarray(g(v)), weights, weights)


def oracle_kernel_integral(K, t: float) -> np.ndarray:
    """int_0^t e^{-K s} ds (= K^{-1}(I - e^{-Kt}) when K is invertible).

    Van Loan: expm([[-K, I], [0, 0]] t) has the integral as its top-right block.
    """
    K = torch.as_tensor(np.asarray(K, dtype=np.float64))
    n = K.shape[0]
    M = torch.zeros(2 * n, 2 * n, dtype=torch.float64)
    M[:n, :n] = -K
    M[:n, n:] = torch.eye(n, dtype=torch.float64)
    return torch.linalg.matrix_exp(M * t)[:n, n:].numpy()


# --------------------------------------------------------------------------
# Checks called by the hidden tests


def _rtol(dtype: str) -> float | None:
    """float32 inputs: float32 accuracy, whatever dtype the student returns."""
    return 1e-4 if dtype == "float32" else None


def _call(fn, args, act_kw: str, sigma, act):
    """Call with the activation keyword, or without it to test the default."""
    return fn(*args) if act is None else fn(*args, **{act_kw: sigma})


def _scale_diagnoses(expected, m: int, n: int):
    return [
        (math.sqrt(m) * expected, "off by a factor √m: check the 1/√m normalisation"),
        (expected / math.sqrt(m), "off by a factor 1/√m: divide by √m only once"),
        (m * expected, "off by a factor m: check the 1/m normalisation"),
        (expected * m / n, "divided by n (number of inputs) where 1/m (number of neurons) belongs"),
    ]


def _ignored_activation(act, what, compute):
    """Diagnosis for a function that always uses sigmoid although erf was passed."""
    if act != "erf":
        return []
    return [(compute, f"{what} ignores its activation argument (it seems to use sigmoid always)")]


def check_forward(forward, seed, shape, dtype="float64", act=None):
    n, m, d = shape
    X, a, W = random_network(seed, n, m, d, dtype)
    s, ds = activation_pair(act)
    expected = oracle_forward(X, a, W, act)
    Z = X.astype(np.float64) @ W.astype(np.float64).T
    diagnoses = _scale_diagnoses(expected, m, n) + [
        (lambda: s(Z).sum(axis=1) / math.sqrt(m), "the output weights a_r seem to be missing"),
        (lambda: ds(Z) @ a / math.sqrt(m), "used σ′ where σ belongs"),
    ] + _ignored_activation(act, "forward", lambda: oracle_forward(X, a, W, "sigmoid"))
    out = _call(forward, (X, a, W), "sigma", s, act)
    expect_close(out, expected, "forward", rtol=_rtol(dtype), diagnoses=diagnoses)


def check_grad_a(grad_a, seed, shape, dtype="float64", act=None):
    n, m, d = shape
    X, a, W = random_network(seed, n, m, d, dtype)
    s, ds = activation_pair(act)
    expected, _ = oracle_jacobians(X, a, W, act)
    Z = X.astype(np.float64) @ W.astype(np.float64).T
    diagnoses = _scale_diagnoses(expected, m, n) + [
        (lambda: expected * a, "∂f/∂a_r does not contain a_r"),
        (lambda: ds(Z) / math.sqrt(m), "used σ′ where σ belongs: ∂f/∂a_r = σ(w_rᵀx)/√m"),
    ] + _ignored_activation(act, "grad_a", lambda: oracle_jacobians(X, a, W, "sigmoid")[0])
    out = _call(grad_a, (X, a, W), "sigma", s, act)
    expect_close(out, expected, "grad_a", rtol=_rtol(dtype), diagnoses=diagnoses)


def check_grad_W(grad_W, seed, shape, dtype="float64", act=None):
    n, m, d = shape
    X, a, W = random_network(seed, n, m, d, dtype)
    s, ds = activation_pair(act)
    _, expected = oracle_jacobians(X, a, W, act)
    X64, a64, W64 = (v.astype(np.float64) for v in (X, a, W))
    Z = X64 @ W64.T

    def with_factor(F):  # F (n, m) times x_i / sqrt(m)
        return F[:, :, None] * X64[:, None, :] / math.sqrt(m)

    diagnoses = _scale_diagnoses(expected, m, n) + [
        (lambda: with_factor(s(Z) * a64), "used σ where σ′ belongs"),
        (lambda: with_factor(ds(Z)), "the factor a_r seems to be missing"),
        (lambda: with_factor(ds(Z) * a64**2), "used a_r² where a_r belongs"),
        (lambda: (ds(Z) * a64)[:, :, None] * W64[None] / math.sqrt(m),
         "multiplied by w_r where the input x_i belongs"),
    ] + _ignored_activation(act, "grad_W", lambda: oracle_jacobians(X, a, W, "sigmoid")[1])
    out = _call(grad_W, (X, a, W), "dsigma", ds, act)
    expect_close(out, expected, "grad_W", rtol=_rtol(dtype), diagnoses=diagnoses)


def check_kernel_G(kernel_G, seed, shape, dtype="float64", act=None):
    n, m, d = shape
    X, a, W = random_network(seed, n, m, d, dtype)
    s, ds = activation_pair(act)
    expected, _ = oracle_kernels(X, a, W, act)
    Z = X.astype(np.float64) @ W.astype(np.float64).T
    diagnoses = _scale_diagnoses(expected, m, n) + [
        (lambda: ds(Z) @ ds(Z).T / m, "used σ′ where σ belongs: G uses σ(w_rᵀx_i)σ(w_rᵀx_j)"),
    ] + _ignored_activation(act, "kernel_G", lambda: oracle_kernels(X, a, W, "sigmoid")[0])
    out = _call(kernel_G, (X, W), "sigma", s, act)
    expect_close(out, expected, "kernel_G", rtol=_rtol(dtype), diagnoses=diagnoses)


def check_kernel_H(kernel_H, seed, shape, dtype="float64", act=None):
    n, m, d = shape
    X, a, W = random_network(seed, n, m, d, dtype)
    s, ds = activation_pair(act)
    _, expected = oracle_kernels(X, a, W, act)
    X64, a64, W64 = (v.astype(np.float64) for v in (X, a, W))
    Z = X64 @ W64.T
    gram = X64 @ X64.T

    def neuron_average(F, weights):
        return (F * weights) @ F.T / m

    diagnoses = _scale_diagnoses(expected, m, n) + [
        (lambda: gram * neuron_average(ds(Z), a64), "used a_r where a_r² belongs"),
        (lambda: gram * neuron_average(ds(Z), np.abs(a64)), "used |a_r| where a_r² belongs"),
        (lambda: gram * neuron_average(ds(Z), 1.0), "the factor a_r² seems to be missing"),
        (lambda: neuron_average(ds(Z), a64**2), "the factor x_iᵀx_j seems to be missing"),
        (lambda: gram * neuron_average(s(Z), a64**2), "used σ where σ′ belongs"),
    ] + _ignored_activation(act, "kernel_H", lambda: oracle_kernels(X, a, W, "sigmoid")[1])
    out = _call(kernel_H, (X, a, W), "dsigma", ds, act)
    expect_close(out, expected, "kernel_H", rtol=_rtol(dtype), diagnoses=diagnoses)


def _erf_pair_moments(X1, X2, nodes=128):
    """(E[erf erf], E[erf' erf']) over w ~ N(0, I), by quadrature (128 nodes: error ~2e-12 for norms up to 2)."""
    g = gaussian_pair_expectation(erf, erf, X1, X2, nodes)
    h = gaussian_pair_expectation(erf_prime, erf_prime, X1, X2, nodes)
    return g, h


def check_G_inf(G_inf_erf, seed, n1, n2, d, dtype="float64", same=False):
    X1 = random_points(seed, n1, d, dtype)
    X2 = X1 if same else random_points(seed + 1000, n2, d, dtype)
    expected, _ = _erf_pair_moments(X1, X2)
    a = np.sum(X1.astype(np.float64) ** 2, 1)[:, None]
    b = np.sum(X2.astype(np.float64) ** 2, 1)[None, :]
    c = X1.astype(np.float64) @ X2.astype(np.float64).T
    diagnoses = [
        (lambda: 2 / np.pi * np.arcsin(c / np.sqrt((1 + a) * (1 + b))),
         "the variance terms should be 1 + 2|x|², not 1 + |x|²"),
        (lambda: 2 / np.pi * np.arcsin(np.clip(c / np.sqrt(a * b), -1, 1)),
         "the 1 + 2|x|² terms are missing in the denominator"),
    ]
    out = G_inf_erf(X1, X2)
    expect_close(out, expected, "G_inf_erf", rtol=_rtol(dtype), diagnoses=diagnoses)


def check_H_inf(H_inf_erf, seed, n1, n2, d, dtype="float64", A=None):
    X1 = random_points(seed, n1, d, dtype)
    X2 = random_points(seed + 1000, n2, d, dtype)
    _, moment = _erf_pair_moments(X1, X2)
    c = X1.astype(np.float64) @ X2.astype(np.float64).T
    second_moment = (1.0 if A is None else A) ** 2 / 3.0  # E[a^2] for a ~ U[-A, A]
    expected = c * second_moment * moment
    diagnoses = [
        (lambda: c * moment, "the factor E[a_r²] = A²/3 seems to be missing"),
        (lambda: second_moment * moment, "the factor x_iᵀx_j seems to be missing"),
        (lambda: 3 * expected, "E[a_r²] for a_r ~ U[−A, A] is A²/3, not A²"),
    ] + ([] if A is None else [(lambda: c * moment / 3, "H_inf_erf seems to ignore its argument A")])
    out = H_inf_erf(X1, X2) if A is None else H_inf_erf(X1, X2, A=A)
    expect_close(out, expected, "H_inf_erf", rtol=_rtol(dtype), diagnoses=diagnoses)


def kernel_problem(seed, n, n_test, spectrum="random"):
    """(K_train (n, n) PSD, K_test (n_test, n), y (n,)) from one PSD kernel on n + n_test points.

    spectrum "stiff": eigenvalues of K_train spread over 1e-13 .. 10, where
    1 - exp(-lam t) loses all precision and explicit inverses blow up.
    """
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    if spectrum == "stiff":
        Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
        K = (Q * np.logspace(-13, 1, n)) @ Q.T
        K = (K + K.T) / 2
        return K, rng.normal(size=(n_test, n)), y
    B = rng.normal(size=(n + n_test, 4 * (n + n_test))) / math.sqrt(4 * (n + n_test))
    K_all = B @ B.T
    return K_all[:n, :n], K_all[n:, :n], y


def check_kernel_regression(kernel_regression, seed, n, n_test, t, spectrum="random"):
    K, K_test, y = kernel_problem(seed, n, n_test, spectrum)
    integral = oracle_kernel_integral(K, t)
    expected = K_test @ integral @ y
    lam, Q = np.linalg.eigh(K)
    in_eigenbasis = lambda phi: K_test @ (Q @ (phi * (Q.T @ y)))  # noqa: E731
    diagnoses = [
        (lambda: K_test @ np.linalg.solve(K, y), "this is the t → ∞ limit: keep the factor (I − e^{−Kt})"),
        (lambda: in_eigenbasis(-np.expm1(-2 * lam * t) / lam), "used e^{−2Kt} where e^{−Kt} belongs"),
        (lambda: in_eigenbasis(-np.expm1(-lam * t)), "the factor K⁻¹ seems to be missing"),
        (lambda: in_eigenbasis((1 - np.exp(-lam * t)) / lam),
         "(1 − e^{−λt})/λ loses all precision for tiny eigenvalues λ: use −expm1(−λt)/λ"),
    ]
    out = kernel_regression(K, K_test, y, t)
    try:
        expect_close(out, expected, "kernel_regression", diagnoses=diagnoses)
    except TestFailure as failure:
        if spectrum != "stiff" or not failure.hint.endswith("does not match the expected values"):
            raise
        raise TestFailure(failure.detail, hint=(
            "kernel_regression is inaccurate when K has tiny eigenvalues (as small as 1e-13): "
            "avoid inv/solve and use the eigenbasis with −expm1(−λt)/λ")) from None


__all__ = [
    "TestFailure", "KernelCallable", "expect_close",
    "sigmoid", "sigmoid_prime", "erf", "erf_prime", "activation_pair",
    "random_network", "random_points", "kernel_problem",
    "oracle_forward", "oracle_jacobians", "oracle_kernels",
    "gaussian_pair_expectation", "oracle_kernel_integral",
    "check_forward", "check_grad_a", "check_grad_W", "check_kernel_G", "check_kernel_H",
    "check_G_inf", "check_H_inf", "check_kernel_regression",
]
