# replaces: receptive_field
# expect: wrong
# question: q_receptive_field
# why: multiplies kernel sizes
def receptive_field(layers):
    r, j = 1, 1
    for k, s in layers:
        r *= k
        j *= s
    return r, j
