# replaces: conv_output_size
# expect: wrong
# question: q_output_size
# why: rounds to nearest instead of flooring
def conv_output_size(n, k, stride=1, padding=0):
    return round((n + 2 * padding - k) / stride) + 1
