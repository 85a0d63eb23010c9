# replaces: conv2d_backward
# expect: wrong
# question: q_conv_backward
# why: assigns dx window by window (=) instead of accumulating (+=), losing overlapping contributions
import numpy as np


def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp, dtype=float)
    dw = np.zeros(w.shape)
    for i in range(Ho):
        for j in range(Wo):
            hs, ws = i * stride, j * stride
            patch = xp[:, :, hs:hs + KH, ws:ws + KW]
            d = dout[:, :, i, j]
            dw += np.tensordot(d, patch, axes=([0], [0]))
            dxp[:, :, hs:hs + KH, ws:ws + KW] = np.tensordot(d, w, axes=([1], [0]))
    dx = dxp[:, :, padding:padding + H, padding:padding + W]
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw, db
