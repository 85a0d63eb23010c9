# replaces: G_inf_erf
# expect: right
# question: q_G_inf_erf
# why: double loop over pairs with math.asin
import numpy as np


import math


def G_inf_erf(X1, X2):
    G = np.zeros((X1.shape[0], X2.shape[0]))
    for i, x in enumerate(X1):
        for j, y in enumerate(X2):
            G[i, j] = 2 / math.pi * math.asin(2 * float(x @ y) / math.sqrt((1 + 2 * float(x @ x)) * (1 + 2 * float(y @ y))))
    return G
