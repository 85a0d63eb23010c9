# attack: call torch.nn.functional.conv2d (correct values, forbidden by the exercise)
# replaces: conv2d_forward
# why: the question forbids the library convolution
import torch
import torch.nn.functional as F


def conv2d_forward(x, w, b, stride=1, padding=0):
    out = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
                   stride=stride, padding=padding)
    return out.numpy()
