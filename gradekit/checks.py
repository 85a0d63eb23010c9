"""Assertions for test code that runs in the grader process.

Test cells of a master notebook (and each assignment's ``grading.py``) use
these. A failure raises :class:`TestFailure` with two texts: ``detail`` for
staff (may mention inputs and reference values) and ``hint`` for students
(computed from the submission's outputs; never reveals hidden inputs or
reference values). The engine shows students the hint of a hidden test and
the detail of a public one.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import numpy as np
import torch


class TestFailure(AssertionError):
    __test__ = False  # not a pytest class

    def __init__(self, detail: str, hint: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.hint = hint


class KernelCallable:
    """A function that exists identically in the grader and in the student's kernel.

    It is built from one source expression evaluated with ``np``, ``math`` and
    ``torch`` in scope, on both sides. Pass one as an argument to a student's
    function (``forward(X, a, W, sigma=erf)``) and the kernel receives the
    same function rebuilt from the same source, never a pickle.
    """

    def __init__(self, name: str, source: str):
        self.name = name
        self.source = source
        self._fn = eval(source, {"np": np, "math": math, "torch": torch})  # trusted: course source

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self.name}>"


def _tol(actual: np.ndarray, rtol: float | None) -> float:
    if rtol is not None:
        return rtol
    return 1e-4 if actual.dtype in (np.float32, np.float16) else 1e-6


def relative_error(actual: np.ndarray, expected: np.ndarray) -> float:
    """max |actual - expected| / max(|expected|, tiny): scale-free, one number."""
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    diff = float(np.max(np.abs(actual.astype(np.float64) - expected))) if expected.size else 0.0
    return diff / max(scale, 1e-12)


def as_numeric_array(value: Any, what: str) -> np.ndarray:
    """The student's value as a float array, or a TestFailure saying why not."""
    if value is None:
        raise TestFailure(
            f"{what} returned None", hint=f"{what} returned None: did you forget `return`?"
        )
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - defensive
        raise TestFailure(f"{what} returned {type(value).__name__}: {exc}",
                          hint=f"{what} did not return an array") from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TestFailure(
            f"{what} returned a non-numeric {type(value).__name__} (dtype {arr.dtype})",
            hint=f"{what} must return a NumPy array of numbers, got {type(value).__name__}",
        )
    return arr


def expect_close(
    actual: Any,
    expected: Any,
    what: str,
    *,
    rtol: float | None = None,
    diagnoses: Iterable[tuple[Any, str]] = (),
    detect_scale: bool = True,
) -> None:
    """Assert ``actual`` matches ``expected`` up to a scale-relative tolerance.

    ``diagnoses``: pairs ``(alternative, hint)``: when the student's value
    matches an alternative (what a known mistake would produce; a value or a
    zero-argument callable computed lazily), the hint names that mistake.
    ``detect_scale`` adds a generic hint when the answer is off by a
    constant factor.
    """
    expected = np.asarray(expected, dtype=np.float64)
    arr = as_numeric_array(actual, what)
    if arr.shape != expected.shape:
        raise TestFailure(
            f"{what}: shape {arr.shape}, expected {expected.shape}",
            hint=f"{what} returned shape {arr.shape}, but the expected shape is {expected.shape}",
        )
    if not np.all(np.isfinite(arr)):
        raise TestFailure(f"{what}: contains NaN or inf", hint=f"{what} contains NaN or inf")
    tol = _tol(arr, rtol)
    err = relative_error(arr, expected)
    if err <= tol:
        return
    detail = f"{what}: relative error {err:.3g} > tolerance {tol:.1g}"
    for alternative, hint in diagnoses:
        alt = alternative() if callable(alternative) else alternative
        alt = np.asarray(alt, dtype=np.float64)
        if alt.shape == arr.shape and relative_error(arr, alt) <= max(tol, 1e-5):
            raise TestFailure(f"{detail}; matches known mistake: {hint}", hint=hint)
    if detect_scale:
        factor = best_scale(arr, expected)
        if factor is not None:
            hint = f"{what} is off by a constant factor of about {factor:.4g}"
            raise TestFailure(f"{detail}; {hint}", hint=hint)
    raise TestFailure(detail, hint=f"{what} does not match the expected values")


def best_scale(actual: np.ndarray, expected: np.ndarray) -> float | None:
    """The factor c with actual ≈ c·expected (to 1e-4), if there is one and c ≠ 1."""
    e = expected.ravel()
    a = actual.astype(np.float64).ravel()
    denom = float(e @ e)
    if denom == 0.0:
        return None
    c = float(a @ e) / denom
    if abs(c) < 1e-12 or abs(c - 1.0) < 1e-6:
        return None
    return c if relative_error(a, c * e) <= 1e-4 else None


def expect_equal(actual: Any, expected: Any, what: str, hint: str | None = None) -> None:
    """Exact comparison for integers, booleans and strings."""
    if isinstance(expected, (int, np.integer)) and not isinstance(expected, bool):
        # 5.0 counts as 5, True does not; the value is plain data from the kernel.
        ok = isinstance(actual, (int, float, np.integer, np.floating)) \
            and not isinstance(actual, bool) and actual == expected
    else:
        ok = type(actual) is type(expected) and actual == expected
    if not ok:
        raise TestFailure(
            f"{what}: got {actual!r}, expected {expected!r}",
            hint=hint or f"{what} is not correct",
        )

