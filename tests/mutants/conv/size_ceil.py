# replaces: conv_output_size
# expect: wrong
# question: q_output_size
# why: rounds up (ceil) instead of down: counts a last window that does not fit
import math


def conv_output_size(n, k, stride=1, padding=0):
    return math.ceil((n + 2 * padding - k) / stride) + 1
