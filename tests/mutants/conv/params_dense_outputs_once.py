# replaces: n_dense_weights
# expect: wrong
# question: q_param_counts
# why: counts the dense outputs per channel, not per channel and position
n_dense_weights = 32 * 32 * 4
