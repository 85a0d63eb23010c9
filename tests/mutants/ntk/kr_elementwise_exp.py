# replaces: kernel_regression
# expect: wrong
# question: q_kernel_regression
# why: takes the entrywise exponential of the matrix instead of the matrix exponential
import numpy as np


def kernel_regression(K_train, K_test, y, t):
    n = K_train.shape[0]
    return K_test @ np.linalg.solve(K_train, (np.eye(n) - np.exp(-K_train * t)) @ y)
