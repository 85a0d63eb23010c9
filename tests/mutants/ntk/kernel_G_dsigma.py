# replaces: kernel_G
# expect: wrong
# question: q_kernel_G
# why: uses sigma prime instead of sigma
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    S = sigmoid_prime(X @ W.T)
    return S @ S.T / W.shape[0]
