# replaces: grad_W
# expect: right
# question: q_grad_W
# why: triple loop over data, neurons and input dimensions
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    n, d = X.shape
    m = W.shape[0]
    G = np.zeros((n, m, d))
    for i in range(n):
        for r in range(m):
            g = a[r] * dsigma(W[r] @ X[i]) / np.sqrt(m)
            for k in range(d):
                G[i, r, k] = g * X[i, k]
    return G
