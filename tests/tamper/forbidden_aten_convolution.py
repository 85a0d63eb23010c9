# attack: the library convolution under other names (torch.convolution / aten), built from strings
# replaces: conv2d_forward
# why: the same computation as torch.nn.functional.conv2d through a different callable object
import torch


def conv2d_forward(x, w, b, stride=1, padding=0):
    op = getattr(torch, "convol" + "ution")
    out = op(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
             [stride, stride], [padding, padding], [1, 1], False, [0, 0], 1)
    return out.numpy()
