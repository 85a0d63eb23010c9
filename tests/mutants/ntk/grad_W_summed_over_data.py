# replaces: grad_W
# expect: wrong
# question: q_grad_W
# why: sums over the data points (the gradient of sum_i f(x_i)), shape (m, d)
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T)
    return np.einsum("ir,id->rd", a * D, X) / np.sqrt(W.shape[0])
