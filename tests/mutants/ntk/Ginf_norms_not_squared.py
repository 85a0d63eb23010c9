# replaces: G_inf_erf
# expect: wrong
# question: q_G_inf_erf
# why: uses 1 + 2|x| (norm, not squared norm)
import numpy as np


def G_inf_erf(X1, X2):
    s1 = 1 + 2 * np.linalg.norm(X1, axis=1)
    s2 = 1 + 2 * np.linalg.norm(X2, axis=1)
    return 2 / np.pi * np.arcsin(np.clip(2 * (X1 @ X2.T) / np.sqrt(np.outer(s1, s2)), -1, 1))
