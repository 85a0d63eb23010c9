# replaces: kernel_H
# expect: right
# question: q_kernel_H
# why: float32 (returns float32)
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    X, a, W = (np.asarray(v, dtype=np.float32) for v in (X, a, W))
    D = np.asarray(dsigma(X @ W.T), dtype=np.float32) * a
    return ((X @ X.T) * (D @ D.T) / np.float32(W.shape[0])).astype(np.float32)
