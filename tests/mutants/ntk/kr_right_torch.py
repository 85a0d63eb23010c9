# replaces: kernel_regression
# expect: right
# question: q_kernel_regression
# why: torch inside: eigh and expm1 in float64
import numpy as np


import torch


def kernel_regression(K_train, K_test, y, t):
    K = torch.as_tensor(np.asarray(K_train, dtype=np.float64))
    lam, Q = torch.linalg.eigh(K)
    phi = -torch.expm1(-lam * t) / lam
    coef = Q @ (phi * (Q.T @ torch.as_tensor(np.asarray(y, dtype=np.float64))))
    return (torch.as_tensor(np.asarray(K_test, dtype=np.float64)) @ coef).numpy()
