# replaces: conv2d_backward
# expect: right
# question: q_conv_backward
# why: torch inside without conv2d: forward with Tensor.unfold + einsum, gradients by autograd
import numpy as np
import torch


def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    xt = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    wt = torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True)
    bt = torch.tensor(np.asarray(b, dtype=np.float64), requires_grad=True)
    KH, KW = wt.shape[2:]
    N, C, H, W = xt.shape
    xp = torch.zeros(N, C, H + 2 * padding, W + 2 * padding, dtype=torch.float64)
    xp[:, :, padding:padding + H, padding:padding + W] = xt
    windows = xp.unfold(2, KH, stride).unfold(3, KW, stride)
    out = torch.einsum("nchwpq,fcpq->nfhw", windows, wt) + bt[None, :, None, None]
    (out * torch.from_numpy(np.asarray(dout, dtype=np.float64))).sum().backward()
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()
