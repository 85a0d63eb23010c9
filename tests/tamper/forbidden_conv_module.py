# attack: torch.nn.Conv2d with the given weights loaded into it
# replaces: conv2d_forward
# why: the module calls the forbidden op internally
import torch


def conv2d_forward(x, w, b, stride=1, padding=0):
    F_, C, KH, KW = w.shape
    layer = torch.nn.Conv2d(C, F_, (KH, KW), stride=stride, padding=padding).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        layer.bias.copy_(torch.from_numpy(b))
        return layer(torch.from_numpy(x)).numpy()
