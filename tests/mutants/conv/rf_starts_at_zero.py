# replaces: receptive_field
# expect: wrong
# question: q_receptive_field
# why: starts the field at 0 instead of 1 pixel
def receptive_field(layers):
    r, j = 0, 1
    for k, s in layers:
        r += (k - 1) * j
        j *= s
    return r, j
