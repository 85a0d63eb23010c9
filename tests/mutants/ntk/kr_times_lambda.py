# replaces: kernel_regression
# expect: wrong
# question: q_kernel_regression
# why: multiplies by the eigenvalue instead of dividing
import numpy as np


def kernel_regression(K_train, K_test, y, t):
    lam, Q = np.linalg.eigh(K_train)
    return K_test @ (Q @ (-np.expm1(-lam * t) * lam * (Q.T @ y)))
