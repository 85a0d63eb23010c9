# replaces: conv_output_size
# expect: wrong
# question: q_output_size
# why: operator precedence: divides only k by the stride
def conv_output_size(n, k, stride=1, padding=0):
    return int(n + 2 * padding - k / stride) + 1
