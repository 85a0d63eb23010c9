# replaces: grad_W
# expect: wrong
# question: q_grad_W
# why: multiplies by w_r instead of x_i (differentiates with respect to the wrong vector)
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T)
    return (a * D)[:, :, None] * W[None, :, :] / np.sqrt(W.shape[0])
