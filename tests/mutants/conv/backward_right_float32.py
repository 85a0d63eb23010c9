# replaces: conv2d_backward
# expect: right
# question: q_conv_backward
# why: vectorised over kernel offsets, computed in float32 (returns float32)
import numpy as np


def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    dout = np.asarray(dout, dtype=np.float32)
    x = np.asarray(x, dtype=np.float32)
    w = np.asarray(w, dtype=np.float32)
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for p in range(KH):
        for q in range(KW):
            rows = slice(p, p + stride * (Ho - 1) + 1, stride)
            cols = slice(q, q + stride * (Wo - 1) + 1, stride)
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
    db = dout.sum(axis=(0, 2, 3))
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, db
