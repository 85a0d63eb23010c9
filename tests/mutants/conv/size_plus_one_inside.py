# replaces: conv_output_size
# expect: wrong
# question: q_output_size
# why: puts the +1 inside the division: (n + 2p - k + 1) // s
def conv_output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k + 1) // stride
