# replaces: grad_a
# expect: wrong
# question: q_grad_a
# why: multiplies by a_r (confuses df/da_r with the summand a_r sigma(.)/sqrt(m))
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    return a * sigma(X @ W.T) / np.sqrt(W.shape[0])
