# replaces: G_inf_erf
# expect: wrong
# question: q_G_inf_erf
# why: uses 1 + |x|^2 instead of 1 + 2|x|^2 in the normalisation
import numpy as np


def G_inf_erf(X1, X2):
    s1 = 1 + np.sum(X1**2, axis=1)
    s2 = 1 + np.sum(X2**2, axis=1)
    return 2 / np.pi * np.arcsin(2 * (X1 @ X2.T) / np.sqrt(np.outer(s1, s2)))
