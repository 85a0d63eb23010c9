# replaces: kernel_H
# expect: wrong
# question: q_kernel_H
# why: forgets the a_r^2 weights
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T)
    return (X @ X.T) * (D @ D.T) / W.shape[0]
