# replaces: grad_a
# expect: wrong
# question: q_grad_a
# why: rounds the result to integers with astype(int)
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    return (sigma(X @ W.T) / np.sqrt(W.shape[0])).astype(int)
