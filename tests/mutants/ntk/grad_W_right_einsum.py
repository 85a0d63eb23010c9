# replaces: grad_W
# expect: right
# question: q_grad_W
# why: einsum outer product
import numpy as np


def grad_W(X, a, W, dsigma=sigmoid_prime):
    D = dsigma(X @ W.T)
    return np.einsum("ir,r,id->ird", D, a, X) / np.sqrt(len(a))
