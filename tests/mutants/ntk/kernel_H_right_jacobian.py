# replaces: kernel_H
# expect: right
# question: q_kernel_H
# why: explicit J_W J_W^T from the (n, m*d) Jacobian with respect to W
import numpy as np


def kernel_H(X, a, W, dsigma=sigmoid_prime):
    n, m = X.shape[0], W.shape[0]
    J = (a * dsigma(X @ W.T))[:, :, None] * X[:, None, :] / np.sqrt(m)
    J = J.reshape(n, -1)
    return J @ J.T
