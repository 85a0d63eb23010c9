# replaces: conv_output_size
# expect: right
# question: q_output_size
# why: divmod, keeping only the quotient
def conv_output_size(n, k, stride=1, padding=0):
    steps, _ = divmod(n + 2 * padding - k, stride)
    return steps + 1
