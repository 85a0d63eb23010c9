# replaces: grad_W
# expect: wrong
# question: q_grad_W
# why: uses sigma where sigma prime belongs
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    D = sigmoid(X @ W.T)
    return (a * D)[:, :, None] * X[:, None, :] / np.sqrt(W.shape[0])
