# replaces: forward
# expect: wrong
# question: q_forward
# why: sums over the data axis instead of the neuron axis
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    m = W.shape[0]
    return np.sum(a * sigma(X @ W.T), axis=0) / np.sqrt(m)
