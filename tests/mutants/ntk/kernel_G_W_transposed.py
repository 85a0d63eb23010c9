# replaces: kernel_G
# expect: wrong
# question: q_kernel_G
# why: treats W as (d, m): X @ W
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    S = sigma(X @ W)
    return S @ S.T / S.shape[1]
