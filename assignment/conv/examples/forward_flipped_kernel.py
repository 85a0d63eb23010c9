# replaces: conv2d_forward
# why: a true convolution (kernel flipped), the classic mistake; PyTorch's conv2d is a cross-correlation
import numpy as np


def conv2d_forward(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho = (H + 2 * padding - KH) // stride + 1
    Wo = (W + 2 * padding - KW) // stride + 1
    flipped = w[:, :, ::-1, ::-1]
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            out[:, :, i, j] = np.tensordot(patch, flipped, axes=([1, 2, 3], [1, 2, 3]))
    return out + b[None, :, None, None]
