# replaces: kernel_G
# expect: wrong
# question: q_kernel_G
# why: averages over the n data points instead of the m neurons
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    S = sigma(X @ W.T)
    return S @ S.T / X.shape[0]
