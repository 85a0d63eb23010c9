# replaces: grad_a
# expect: wrong
# question: q_grad_a
# why: uses 1/m instead of 1/sqrt(m)
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    return sigma(X @ W.T) / W.shape[0]
