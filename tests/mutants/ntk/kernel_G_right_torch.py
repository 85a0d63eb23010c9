# replaces: kernel_G
# expect: right
# question: q_kernel_G
# why: torch inside for the matrix product
import numpy as np


import torch


def kernel_G(X, W, sigma=sigmoid):
    S = torch.from_numpy(np.asarray(sigma(X @ W.T), dtype=np.float64))
    return (S @ S.T / W.shape[0]).numpy()
