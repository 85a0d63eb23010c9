# replaces: kernel_G
# expect: wrong
# question: q_kernel_G
# why: ignores the sigma keyword and always calls sigmoid
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    S = sigmoid(X @ W.T)
    return S @ S.T / W.shape[0]
