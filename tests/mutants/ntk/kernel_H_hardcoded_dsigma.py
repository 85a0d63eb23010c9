# replaces: kernel_H
# expect: wrong
# question: q_kernel_H
# why: ignores the dsigma keyword and always calls sigmoid_prime
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    D = sigmoid_prime(X @ W.T) * a
    return (X @ X.T) * (D @ D.T) / W.shape[0]
