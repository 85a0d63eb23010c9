# replaces: equivariance_gap
# expect: wrong
# question: q_equivariance
# why: reports the mean absolute difference instead of the maximum
import numpy as np
import torch
import torch.nn.functional as F


def _layer(a, w, stride, padding_mode, p):
    t = torch.from_numpy(np.ascontiguousarray(a))
    if padding_mode == "circular":
        t = F.pad(t, (p, p, p, p), mode="circular")
        p = 0
    return F.conv2d(t, torch.from_numpy(w), stride=stride, padding=p).numpy()


def equivariance_gap(x, w, shift, stride=1, padding_mode="zeros"):
    p = w.shape[2] // 2
    dy, dx = shift
    a = _layer(np.roll(x, shift, axis=(2, 3)), w, stride, padding_mode, p)
    b = np.roll(_layer(x, w, stride, padding_mode, p), (dy // stride, dx // stride), axis=(2, 3))
    return float(np.mean(np.abs(a - b)))
