# attack: keep the forbidden op in a default argument, reached by a built string
# replaces: conv2d_forward
# why: no "conv2d" token for a static check; a runtime tripwire that rebinds module
#      and notebook globals does not see a default argument
import importlib

import torch


def conv2d_forward(x, w, b, stride=1, padding=0,
                   _op=getattr(importlib.import_module("torch.nn." + "functional"), "con" + "v2d")):
    return _op(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
               stride=stride, padding=padding).numpy()
