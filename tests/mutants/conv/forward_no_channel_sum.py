# replaces: conv2d_forward
# expect: wrong
# question: q_conv_forward
# why: forgets the sum over input channels (pairs output channel f with input channel f mod C)
import numpy as np


def conv2d_forward(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho = (H + 2 * padding - KH) // stride + 1
    Wo = (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, F, Ho, Wo))
    for f in range(F):
        c = f % C
        for i in range(Ho):
            for j in range(Wo):
                patch = xp[:, c, i * stride:i * stride + KH, j * stride:j * stride + KW]
                out[:, f, i, j] = np.sum(patch * w[f, c], axis=(1, 2)) + b[f]
    return out
