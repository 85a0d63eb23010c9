# replaces: kernel_regression
# expect: wrong
# question: q_kernel_regression
# why: ignores t: returns the t -> infinity interpolant K_test K^{-1} y
import numpy as np


def kernel_regression(K_train, K_test, y, t):
    return K_test @ np.linalg.solve(K_train, y)
