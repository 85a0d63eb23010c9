# replaces: conv2d_forward
# expect: right
# question: q_conv_forward
# why: computes in float32 to save memory (returns float32)
import numpy as np


def conv2d_forward(x, w, b, stride=1, padding=0):
    x = np.asarray(x, dtype=np.float32)
    w = np.asarray(w, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho = (H + 2 * padding - KH) // stride + 1
    Wo = (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, F, Ho, Wo), dtype=np.float32)
    for p in range(KH):
        for q in range(KW):
            shifted = xp[:, :, p:p + stride * (Ho - 1) + 1:stride, q:q + stride * (Wo - 1) + 1:stride]
            out += np.einsum("nchw,fc->nfhw", shifted, w[:, :, p, q])
    return out + b[None, :, None, None]
