# replaces: forward
# expect: wrong
# question: q_forward
# why: treats W as (d, m): uses X @ W instead of X @ W.T
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    m = a.shape[0]
    return sigma(X @ W) @ a / np.sqrt(m)
