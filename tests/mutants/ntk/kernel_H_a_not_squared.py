# replaces: kernel_H
# expect: wrong
# question: q_kernel_H
# why: uses a_r instead of a_r squared
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T)
    return (X @ X.T) * ((D * a) @ D.T) / W.shape[0]
