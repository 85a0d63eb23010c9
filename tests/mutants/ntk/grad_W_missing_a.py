# replaces: grad_W
# expect: wrong
# question: q_grad_W
# why: forgets the factor a_r
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T)
    return D[:, :, None] * X[:, None, :] / np.sqrt(W.shape[0])
