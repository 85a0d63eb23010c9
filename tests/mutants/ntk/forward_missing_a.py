# replaces: forward
# expect: wrong
# question: q_forward
# why: forgets the output weights a_r
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    m = W.shape[0]
    return sigma(X @ W.T).sum(axis=1) / np.sqrt(m)
