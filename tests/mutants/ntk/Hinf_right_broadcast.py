# replaces: H_inf_erf
# expect: right
# question: q_H_inf_erf
# why: broadcasting with the uniform second moment written as an integral mean
import numpy as np


def H_inf_erf(X1, X2, A=1.0):
    second_moment = A**2 / 3  # E[a^2] for a ~ U[-A, A]
    a = 1 + 2 * (X1**2).sum(axis=1)[:, None]
    b = 1 + 2 * (X2**2).sum(axis=1)[None, :]
    c = X1 @ X2.T
    return c * second_moment * 4 / (np.pi * np.sqrt(a * b - 4 * c**2))
