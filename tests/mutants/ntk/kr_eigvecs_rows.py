# replaces: kernel_regression
# expect: wrong
# question: q_kernel_regression
# why: treats the rows of eigh's eigenvector matrix as the eigenvectors
import numpy as np


def kernel_regression(K_train, K_test, y, t):
    lam, Q = np.linalg.eigh(K_train)
    return K_test @ (Q.T @ (-np.expm1(-lam * t) / lam * (Q @ y)))
