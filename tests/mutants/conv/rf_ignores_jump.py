# replaces: receptive_field
# expect: wrong
# question: q_receptive_field
# why: adds k - 1 per layer, ignoring that deeper units step by the jump
def receptive_field(layers):
    r, j = 1, 1
    for k, s in layers:
        r += k - 1
        j *= s
    return r, j
