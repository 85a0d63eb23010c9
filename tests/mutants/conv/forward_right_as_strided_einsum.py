# replaces: conv2d_forward
# expect: right
# question: q_conv_forward
# why: all windows at once with as_strided, contracted with einsum
import numpy as np
from numpy.lib.stride_tricks import as_strided


def conv2d_forward(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))))
    Ho = (H + 2 * padding - KH) // stride + 1
    Wo = (W + 2 * padding - KW) // stride + 1
    sn, sc, sh, sw = xp.strides
    windows = as_strided(xp, shape=(N, C, Ho, Wo, KH, KW),
                         strides=(sn, sc, sh * stride, sw * stride, sh, sw), writeable=False)
    return np.einsum("nchwpq,fcpq->nfhw", windows, w) + b[None, :, None, None]
