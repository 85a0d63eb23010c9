# replaces: receptive_field
# expect: right
# question: q_receptive_field
# why: walks from the output back to the input: r <- (r - 1) s + k
def receptive_field(layers):
    r = 1
    for k, s in reversed(layers):
        r = (r - 1) * s + k
    j = 1
    for _, s in layers:
        j *= s
    return r, j
