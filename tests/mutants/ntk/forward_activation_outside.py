# replaces: forward
# expect: wrong
# question: q_forward
# why: applies sigma after the weighted sum (sigma(sum_r a_r w_r.x)) instead of inside
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    m = W.shape[0]
    return sigma((X @ W.T) @ a / np.sqrt(m))
