# replaces: G_inf_erf
# expect: wrong
# question: q_G_inf_erf
# why: drops the factor 2 in front of x.x' inside the arcsine
import numpy as np


def G_inf_erf(X1, X2):
    s1 = 1 + 2 * np.sum(X1**2, axis=1)
    s2 = 1 + 2 * np.sum(X2**2, axis=1)
    return 2 / np.pi * np.arcsin((X1 @ X2.T) / np.sqrt(np.outer(s1, s2)))
