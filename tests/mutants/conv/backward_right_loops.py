# replaces: conv2d_backward
# expect: right
# question: q_conv_backward
# why: plain nested loops, one scalar at a time
import numpy as np


def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros(xp.shape)
    dw = np.zeros(w.shape)
    db = np.zeros(b.shape)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n, f, i, j]
                    db[f] += g
                    for c in range(C):
                        for p in range(KH):
                            for q in range(KW):
                                dw[f, c, p, q] += g * xp[n, c, i * stride + p, j * stride + q]
                                dxp[n, c, i * stride + p, j * stride + q] += g * w[f, c, p, q]
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, db
