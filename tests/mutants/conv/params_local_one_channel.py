# replaces: n_local_weights
# expect: wrong
# question: q_param_counts
# why: forgets the 4 output channels in the locally connected count
n_local_weights = 3 * 3 * 32 * 32
