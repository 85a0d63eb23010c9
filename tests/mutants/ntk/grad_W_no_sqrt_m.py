# replaces: grad_W
# expect: wrong
# question: q_grad_W
# why: forgets the 1/sqrt(m) factor
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T)
    return (a * D)[:, :, None] * X[:, None, :]
