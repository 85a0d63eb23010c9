# replaces: kernel_H
# expect: right
# question: q_kernel_H
# why: einsum with the a_r^2 weights
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(np.einsum("id,rd->ir", X, W))
    return np.einsum("id,jd->ij", X, X) * np.einsum("ir,r,jr->ij", D, a ** 2, D) / len(a)
