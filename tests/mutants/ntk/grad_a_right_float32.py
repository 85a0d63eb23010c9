# replaces: grad_a
# expect: right
# question: q_grad_a
# why: float32 throughout
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    Z = np.asarray(X, np.float32) @ np.asarray(W, np.float32).T
    return (sigma(Z) / np.sqrt(W.shape[0])).astype(np.float32)
