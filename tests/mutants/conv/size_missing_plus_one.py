# replaces: conv_output_size
# expect: wrong
# question: q_output_size
# why: forgets the +1 (counts steps between windows, not windows)
def conv_output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k) // stride
