# replaces: receptive_field
# expect: right
# question: q_receptive_field
# why: cumulative products of strides with numpy, converted to ints
import numpy as np


def receptive_field(layers):
    ks = np.array([k for k, _ in layers])
    ss = np.array([s for _, s in layers])
    jumps = np.concatenate([[1], np.cumprod(ss)[:-1]])
    return int(1 + np.sum((ks - 1) * jumps)), int(np.prod(ss))
