# replaces: H_inf_erf
# expect: wrong
# question: q_H_inf_erf
# why: forgets the x.x' factor in front of the derivative kernel
import numpy as np


def H_inf_erf(X1, X2, A=1.0):
    s1 = 1 + 2 * np.sum(X1**2, axis=1)
    s2 = 1 + 2 * np.sum(X2**2, axis=1)
    C = X1 @ X2.T
    return (A**2 / 3) * (4 / np.pi) / np.sqrt(np.outer(s1, s2) - 4 * C**2)
