# replaces: conv2d_forward
# expect: wrong
# question: q_conv_forward
# why: ceil in the output size, padding the image further so the extra window fits
import math

import numpy as np


def conv2d_forward(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho = math.ceil((H + 2 * padding - KH) / stride) + 1
    Wo = math.ceil((W + 2 * padding - KW) / stride) + 1
    extra_h = (Ho - 1) * stride + KH - (H + 2 * padding)
    extra_w = (Wo - 1) * stride + KW - (W + 2 * padding)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding + extra_h), (padding, padding + extra_w)))
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + b[None, :, None, None]
