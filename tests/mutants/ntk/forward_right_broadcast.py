# replaces: forward
# expect: right
# question: q_forward
# why: broadcasting and a mean scaled by sqrt(m)
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    m = W.shape[0]
    Z = (X[:, None, :] * W[None, :, :]).sum(axis=-1)
    return np.sqrt(m) * np.mean(a[None, :] * sigma(Z), axis=1)
