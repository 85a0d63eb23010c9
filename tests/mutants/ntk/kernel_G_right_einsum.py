# replaces: kernel_G
# expect: right
# question: q_kernel_G
# why: einsum over neurons
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    S = sigma(np.einsum("id,rd->ir", X, W))
    return np.einsum("ir,jr->ij", S, S) / W.shape[0]
