# replaces: kernel_G
# expect: wrong
# question: q_kernel_G
# why: divides by sqrt(m) instead of m (one factor 1/sqrt(m) from J_a, not two)
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    S = sigma(X @ W.T)
    return S @ S.T / np.sqrt(W.shape[0])
