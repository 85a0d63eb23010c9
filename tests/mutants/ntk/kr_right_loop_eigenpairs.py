# replaces: kernel_regression
# expect: right
# question: q_kernel_regression
# why: sums over eigenpairs one at a time, with expm1 for small eigenvalues
import numpy as np


def kernel_regression(K_train, K_test, y, t):
    lam, Q = np.linalg.eigh(K_train)
    coef = np.zeros(K_train.shape[0])
    for k in range(len(lam)):
        q = Q[:, k]
        factor = t if lam[k] == 0 else -np.expm1(-lam[k] * t) / lam[k]
        coef += factor * (q @ y) * q
    return K_test @ coef
