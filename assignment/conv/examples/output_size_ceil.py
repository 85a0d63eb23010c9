# replaces: conv_output_size
# why: rounds up instead of down, wrong whenever (n + 2p - k) is not divisible by the stride
import math


def conv_output_size(n, k, stride=1, padding=0):
    return math.ceil((n + 2 * padding - k) / stride) + 1
