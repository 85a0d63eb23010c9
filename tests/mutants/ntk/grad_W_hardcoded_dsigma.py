# replaces: grad_W
# expect: wrong
# question: q_grad_W
# why: ignores the dsigma keyword and always calls sigmoid_prime
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    D = sigmoid_prime(X @ W.T)
    return (a * D)[:, :, None] * X[:, None, :] / np.sqrt(W.shape[0])
