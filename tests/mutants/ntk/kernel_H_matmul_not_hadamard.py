# replaces: kernel_H
# expect: wrong
# question: q_kernel_H
# why: multiplies the Gram matrix and the neuron average as matrices (@) instead of entrywise
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T) * a
    return (X @ X.T) @ (D @ D.T) / W.shape[0]
