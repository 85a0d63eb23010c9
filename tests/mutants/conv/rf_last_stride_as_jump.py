# replaces: receptive_field
# expect: wrong
# question: q_receptive_field
# why: returns the last layer's stride as the jump
def receptive_field(layers):
    r, j = 1, 1
    for k, s in layers:
        r += (k - 1) * j
        j *= s
    return r, layers[-1][1]
