# replaces: kernel_G
# expect: right
# question: q_kernel_G
# why: loops over pairs, mean over neurons
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    n = X.shape[0]
    S = sigma(X @ W.T)
    G = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            G[i, j] = np.mean(S[i] * S[j])
    return G
