# replaces: n_dense_weights
# expect: wrong
# question: q_param_counts
# why: calls the locally connected count the fully connected one (as older notes do)
n_dense_weights = 3 * 3 * 1 * 4 * 32 * 32
