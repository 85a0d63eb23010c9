# replaces: grad_W
# expect: wrong
# question: q_grad_W
# why: uses 1/m instead of 1/sqrt(m)
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T)
    return (a * D)[:, :, None] * X[:, None, :] / W.shape[0]
