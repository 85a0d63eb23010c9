# replaces: kernel_H
# expect: wrong
# question: q_kernel_H
# why: forgets the 1/m
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T) * a
    return (X @ X.T) * (D @ D.T)
