# replaces: kernel_G
# expect: right
# question: q_kernel_G
# why: float32 matmul (returns float32)
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    S = np.asarray(sigma(np.asarray(X, np.float32) @ np.asarray(W, np.float32).T), dtype=np.float32)
    return (S @ S.T / np.float32(W.shape[0])).astype(np.float32)
