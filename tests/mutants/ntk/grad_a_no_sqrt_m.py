# replaces: grad_a
# expect: wrong
# question: q_grad_a
# why: forgets the 1/sqrt(m) factor
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    return sigma(X @ W.T)
