# replaces: grad_a
# expect: wrong
# question: q_grad_a
# why: returns the (m, n) transpose: one row per neuron
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    return sigma(W @ X.T) / np.sqrt(W.shape[0])
