# replaces: receptive_field
# expect: wrong
# question: q_receptive_field
# why: updates the jump before growing the field (uses this layer's stride too early)
def receptive_field(layers):
    r, j = 1, 1
    for k, s in layers:
        j *= s
        r += (k - 1) * j
    return r, j
