# replaces: conv_output_size
# expect: right
# question: q_output_size
# why: floor via numpy, converted to a Python int
import numpy as np


def conv_output_size(n, k, stride=1, padding=0):
    return int(np.floor((n + 2 * padding - k) / stride)) + 1
