# replaces: conv_output_size
# expect: right
# question: q_output_size
# why: counts window start positions with range
def conv_output_size(n, k, stride=1, padding=0):
    return len(range(0, n + 2 * padding - k + 1, stride))
