# attack: a C-level loop that never returns to the interpreter (SIGINT cannot interrupt it)
# replaces: conv2d_forward
# why: einsum over two broadcast views does 10^14 multiply-adds in one C call, with no memory
import numpy as np


def conv2d_forward(x, w, b, stride=1, padding=0):
    ones = np.broadcast_to(np.float64(1.0), (10**7,))
    return np.einsum("i,j->", ones, ones)
