# replaces: kernel_H
# expect: wrong
# question: q_kernel_H
# why: contracts over the data axis instead of the neurons
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T) * a
    return (D.T @ D) / X.shape[0]
