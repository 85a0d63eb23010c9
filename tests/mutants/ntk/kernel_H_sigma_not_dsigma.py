# replaces: kernel_H
# expect: wrong
# question: q_kernel_H
# why: uses sigma where sigma prime belongs
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    D = sigmoid(X @ W.T) * a
    return (X @ X.T) * (D @ D.T) / W.shape[0]
