# replaces: kernel_G
# expect: wrong
# question: q_kernel_G
# why: product of averages E[sigma]E[sigma] instead of the average of products
import numpy as np


def kernel_G(X, W, sigma=sigmoid):
    s = sigma(X @ W.T).mean(axis=1)
    return np.outer(s, s)
