# replaces: kernel_H
# expect: right
# question: q_kernel_H
# why: loops over pairs
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    n, m = X.shape[0], W.shape[0]
    D = dsigma(X @ W.T)
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            H[i, j] = X[i] @ X[j] * np.sum(a ** 2 * D[i] * D[j]) / m
    return H
