# replaces: conv2d_forward
# expect: right
# question: q_conv_forward
# why: torch inside, without conv2d: Tensor.unfold builds the windows, einsum contracts
import numpy as np
import torch


def conv2d_forward(x, w, b, stride=1, padding=0):
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))
    wt = torch.from_numpy(np.asarray(w, dtype=np.float64))
    KH, KW = wt.shape[2:]
    xt = torch.nn.functional.pad(xt, (padding, padding, padding, padding))
    windows = xt.unfold(2, KH, stride).unfold(3, KW, stride)  # N, C, Ho, Wo, KH, KW
    out = torch.einsum("nchwpq,fcpq->nfhw", windows, wt)
    return out.numpy() + np.asarray(b)[None, :, None, None]
