# replaces: kernel_regression
# expect: wrong
# question: q_kernel_regression
# why: forgets K^{-1}: predicts K_test (I - e^{-Kt}) y
import numpy as np


def kernel_regression(K_train, K_test, y, t):
    lam, Q = np.linalg.eigh(K_train)
    return K_test @ (Q @ (-np.expm1(-lam * t) * (Q.T @ y)))
