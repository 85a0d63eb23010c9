# replaces: H_inf_erf
# expect: right
# question: q_H_inf_erf
# why: double loop over pairs
import numpy as np


import math


def H_inf_erf(X1, X2, A=1.0):
    H = np.zeros((X1.shape[0], X2.shape[0]))
    for i, x in enumerate(X1):
        for j, y in enumerate(X2):
            a, b, c = float(x @ x), float(y @ y), float(x @ y)
            H[i, j] = c * A * A / 3 * 4 / math.pi / math.sqrt((1 + 2 * a) * (1 + 2 * b) - 4 * c * c)
    return H
