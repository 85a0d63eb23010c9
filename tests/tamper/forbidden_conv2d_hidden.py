# attack: reach conv2d through aliases a static check cannot see
# replaces: conv2d_forward
# why: getattr with a built string, and torch.conv2d (the same op under another name)
import importlib

import torch

_functional = importlib.import_module("torch.nn." + "functional")
_conv = getattr(_functional, "con" + "v2d")


def conv2d_forward(x, w, b, stride=1, padding=0):
    out = _conv(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
                stride=stride, padding=padding)
    return out.numpy()
