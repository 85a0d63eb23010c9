# replaces: receptive_field
# expect: wrong
# question: q_receptive_field
# why: multiplies by this layer's stride instead of the accumulated jump
def receptive_field(layers):
    r, j = 1, 1
    for k, s in layers:
        r += (k - 1) * s
        j *= s
    return r, j
