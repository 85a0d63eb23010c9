# replaces: conv2d_backward
# expect: right
# question: q_conv_backward
# why: im2col with index arrays; dx scattered back with np.add.at
import numpy as np


def window_indices(C, Hp, Wp, KH, KW, Ho, Wo, stride):
    c = np.arange(C)[:, None, None, None, None]
    rows = (np.arange(Ho) * stride)[None, :, None, None, None] + np.arange(KH)[None, None, None, :, None]
    cols = (np.arange(Wo) * stride)[None, None, :, None, None] + np.arange(KW)[None, None, None, None, :]
    return np.broadcast_arrays(c, rows, cols)


def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    c, r, s = window_indices(C, xp.shape[2], xp.shape[3], KH, KW, Ho, Wo, stride)
    cols = xp[:, c, r, s]  # N, C, Ho, Wo, KH, KW
    dw = np.einsum("nfhw,nchwpq->fcpq", dout, cols)
    dcols = np.einsum("nfhw,fcpq->nchwpq", dout, w)
    dxp = np.zeros(xp.shape)
    for n in range(N):
        np.add.at(dxp[n], (c, r, s), dcols[n])
    db = dout.sum(axis=(0, 2, 3))
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, db
