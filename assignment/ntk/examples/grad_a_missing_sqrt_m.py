# replaces: grad_a
# why: forgets the 1/sqrt(m) factor of the network's output scaling
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    return sigma(X @ W.T)
