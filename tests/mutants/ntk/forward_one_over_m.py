# replaces: forward
# expect: wrong
# question: q_forward
# why: scales by 1/m (a mean over neurons) instead of 1/sqrt(m)
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    return sigma(X @ W.T) @ a / W.shape[0]
