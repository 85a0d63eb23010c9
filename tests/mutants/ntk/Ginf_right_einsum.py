# replaces: G_inf_erf
# expect: right
# question: q_G_inf_erf
# why: einsum and broadcasting
import numpy as np


def G_inf_erf(X1, X2):
    a = 1 + 2 * np.einsum("id,id->i", X1, X1)
    b = 1 + 2 * np.einsum("jd,jd->j", X2, X2)
    return (2 / np.pi) * np.arcsin(2 * np.einsum("id,jd->ij", X1, X2) / np.sqrt(a[:, None] * b[None, :]))
