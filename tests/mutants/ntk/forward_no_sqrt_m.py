# replaces: forward
# expect: wrong
# question: q_forward
# why: forgets the 1/sqrt(m) scaling
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    return sigma(X @ W.T) @ a
