# replaces: conv2d_backward
# expect: wrong
# question: q_conv_backward
# why: resets dw for every sample, so it keeps only the last sample instead of summing over the batch
import numpy as np


def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp, dtype=float)
    dw = np.zeros(w.shape)
    for n in range(N):
        dw = np.zeros(w.shape)
        for i in range(Ho):
            for j in range(Wo):
                hs, ws = i * stride, j * stride
                patch = xp[n, :, hs:hs + KH, ws:ws + KW]
                for f in range(F):
                    dw[f] += dout[n, f, i, j] * patch
                    dxp[n, :, hs:hs + KH, ws:ws + KW] += dout[n, f, i, j] * w[f]
    dx = dxp[:, :, padding:padding + H, padding:padding + W]
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw, db
