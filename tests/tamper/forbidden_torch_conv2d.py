# attack: torch.conv2d, the same operator as torch.nn.functional.conv2d under another name
# replaces: conv2d_forward
# why: a forbid list that names only torch.nn.functional.conv2d would miss it
import torch


def conv2d_forward(x, w, b, stride=1, padding=0):
    op = getattr(torch, "conv2d")
    return op(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
              stride=stride, padding=padding).numpy()
