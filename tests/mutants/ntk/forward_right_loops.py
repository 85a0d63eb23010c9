# replaces: forward
# expect: right
# question: q_forward
# why: double loop over data points and neurons
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    n, m = X.shape[0], W.shape[0]
    out = np.zeros(n)
    for i in range(n):
        for r in range(m):
            out[i] += a[r] * sigma(np.dot(W[r], X[i]))
    return out / np.sqrt(m)
