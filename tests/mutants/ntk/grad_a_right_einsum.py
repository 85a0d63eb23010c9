# replaces: grad_a
# expect: right
# question: q_grad_a
# why: einsum for the pre-activations
import numpy as np


def grad_a(X, a, W, sigma=sigmoid):
    return sigma(np.einsum("id,rd->ir", X, W)) / np.sqrt(len(a))
