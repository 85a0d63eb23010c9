# replaces: kernel_H
# expect: wrong
# question: q_kernel_H
# why: forgets the x_i.x_j factor
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T) * a
    return D @ D.T / W.shape[0]
