# replaces: conv_output_size
# expect: wrong
# question: q_output_size
# why: counts the padding once, as if it were added on one side only
def conv_output_size(n, k, stride=1, padding=0):
    return (n + padding - k) // stride + 1
