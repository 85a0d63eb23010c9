# replaces: grad_W
# expect: right
# question: q_grad_W
# why: float32 broadcasting (returns float32)
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    X, a, W = (np.asarray(v, dtype=np.float32) for v in (X, a, W))
    D = np.asarray(dsigma(X @ W.T), dtype=np.float32)
    return (a[None, :, None] * D[:, :, None] * X[:, None, :] / np.float32(np.sqrt(W.shape[0]))).astype(np.float32)
