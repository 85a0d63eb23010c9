# replaces: conv_output_size
# expect: wrong
# question: q_output_size
# why: true division without flooring: a fractional size when the stride does not divide
def conv_output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k) / stride + 1
