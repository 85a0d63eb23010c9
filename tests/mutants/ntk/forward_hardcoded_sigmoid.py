# replaces: forward
# expect: wrong
# question: q_forward
# why: ignores the sigma keyword and always calls sigmoid
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    m = W.shape[0]
    return sigmoid(X @ W.T) @ a / np.sqrt(m)
