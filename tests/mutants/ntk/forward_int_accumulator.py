# replaces: forward
# expect: wrong
# question: q_forward
# why: accumulates into an integer array, truncating every value
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    n, m = X.shape[0], W.shape[0]
    out = np.zeros(n, dtype=int)
    for i in range(n):
        out[i] = np.sum(a * sigma(W @ X[i])) / np.sqrt(m)
    return out
