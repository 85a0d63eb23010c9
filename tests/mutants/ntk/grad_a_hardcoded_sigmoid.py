# replaces: grad_a
# expect: wrong
# question: q_grad_a
# why: ignores the sigma keyword and always calls sigmoid
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    return sigmoid(X @ W.T) / np.sqrt(W.shape[0])
