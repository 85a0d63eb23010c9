# replaces: grad_a
# expect: wrong
# question: q_grad_a
# why: uses sigma prime instead of sigma
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    return sigmoid_prime(X @ W.T) / np.sqrt(W.shape[0])
