# replaces: conv2d_backward
# expect: right
# question: q_conv_backward
# why: dx as a full convolution of the dilated upstream gradient with the flipped kernel,
#      dw as a cross-correlation of the padded input with the upstream gradient
import numpy as np


def correlate(inp, kernel, out_h, out_w, step=1, dilation=1):
    """sum over the last axes of inp windows times kernel (kernel may be dilated)."""
    kh, kw = kernel.shape[-2:]
    out = 0.0
    for p in range(kh):
        for q in range(kw):
            hs, ws = p * dilation, q * dilation
            window = inp[..., hs:hs + step * (out_h - 1) + 1:step, ws:ws + step * (out_w - 1) + 1:step]
            out = out + window * kernel[..., p, q][..., None, None]
    return out


def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    # Dilate dout by the stride, then pad by k-1 for a full convolution.
    Hd, Wd = (Ho - 1) * stride + 1, (Wo - 1) * stride + 1
    dil = np.zeros((N, F, Hd, Wd))
    dil[:, :, ::stride, ::stride] = dout
    full = np.pad(dil, ((0, 0), (0, 0), (KH - 1, KH - 1), (KW - 1, KW - 1)))
    wflip = w[:, :, ::-1, ::-1]
    dxp = np.zeros(xp.shape)
    for c in range(C):
        # full[n, f] correlated with wflip[f, c], summed over f
        dxp[:, c, :Hd + KH - 1, :Wd + KW - 1] = correlate(
            full, wflip[:, c], Hd + KH - 1, Wd + KW - 1).sum(axis=1)
    dw = np.zeros(w.shape)
    for p in range(KH):
        for q in range(KW):
            window = xp[:, :, p:p + stride * (Ho - 1) + 1:stride, q:q + stride * (Wo - 1) + 1:stride]
            dw[:, :, p, q] = np.einsum("nfhw,nchw->fc", dout, window)
    db = dout.sum(axis=(0, 2, 3))
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, db
