# replaces: kernel_G
# expect: wrong
# question: q_kernel_G
# why: forgets the 1/m (sums over neurons instead of averaging)
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    S = sigma(X @ W.T)
    return S @ S.T
