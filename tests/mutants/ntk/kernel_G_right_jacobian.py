# replaces: kernel_G
# expect: right
# question: q_kernel_G
# why: explicit J_a J_a^T with J_a = sigma(X W^T)/sqrt(m)
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    J = sigma(X @ W.T) / np.sqrt(W.shape[0])
    return J @ J.T
