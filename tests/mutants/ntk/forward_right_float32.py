# replaces: forward
# expect: right
# question: q_forward
# why: computes in float32 (returns float32)
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    X, a, W = (np.asarray(v, dtype=np.float32) for v in (X, a, W))
    return (sigma(X @ W.T) @ a / np.float32(np.sqrt(W.shape[0]))).astype(np.float32)
