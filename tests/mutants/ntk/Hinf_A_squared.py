# replaces: H_inf_erf
# expect: wrong
# question: q_H_inf_erf
# why: uses E[a^2] = A^2 (forgets the 1/3 of the uniform distribution)
import numpy as np


def H_inf_erf(X1, X2, A=1.0):
    s1 = 1 + 2 * np.sum(X1**2, axis=1)
    s2 = 1 + 2 * np.sum(X2**2, axis=1)
    C = X1 @ X2.T
    return C * A**2 * (4 / np.pi) / np.sqrt(np.outer(s1, s2) - 4 * C**2)
