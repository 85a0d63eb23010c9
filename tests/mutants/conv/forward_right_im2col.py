# replaces: conv2d_forward
# expect: right
# question: q_conv_forward
# why: im2col: one row per output pixel, then a single matrix product
import numpy as np


def im2col(xp, KH, KW, stride, Ho, Wo):
    N, C = xp.shape[:2]
    cols = np.empty((N, Ho, Wo, C * KH * KW))
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            cols[:, i, j, :] = patch.reshape(N, -1)
    return cols


def conv2d_forward(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho = (H + 2 * padding - KH) // stride + 1
    Wo = (W + 2 * padding - KW) // stride + 1
    cols = im2col(xp, KH, KW, stride, Ho, Wo)
    out = cols @ w.reshape(F, -1).T + b
    return out.transpose(0, 3, 1, 2)
