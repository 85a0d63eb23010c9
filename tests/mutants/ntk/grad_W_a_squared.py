# replaces: grad_W
# expect: wrong
# question: q_grad_W
# why: uses a_r squared (mixes up the gradient with the H kernel)
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T)
    return (a ** 2 * D)[:, :, None] * X[:, None, :] / np.sqrt(W.shape[0])
