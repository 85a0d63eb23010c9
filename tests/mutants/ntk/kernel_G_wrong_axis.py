# replaces: kernel_G
# expect: wrong
# question: q_kernel_G
# why: contracts over the data axis: S^T S, an (m, m) matrix
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    S = sigma(X @ W.T)
    return S.T @ S / W.shape[0]
