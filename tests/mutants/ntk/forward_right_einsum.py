# replaces: forward
# expect: right
# question: q_forward
# why: einsum for the pre-activations and the weighted sum
import numpy as np


def forward(X, a, W, sigma=sigmoid):
    Z = np.einsum("id,rd->ir", X, W)
    return np.einsum("ir,r->i", sigma(Z), a) / np.sqrt(len(a))
