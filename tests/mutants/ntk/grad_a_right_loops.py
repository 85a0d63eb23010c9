# replaces: grad_a
# expect: right
# question: q_grad_a
# why: double loop, one entry at a time
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    n, m = X.shape[0], W.shape[0]
    J = np.zeros((n, m))
    for i in range(n):
        for r in range(m):
            J[i, r] = sigma(W[r] @ X[i]) / np.sqrt(m)
    return J
