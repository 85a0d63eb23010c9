# replaces: n_dense_weights
# expect: wrong
# question: q_param_counts
# why: adds the dense biases although only weights were asked
n_dense_weights = (1 * 32 * 32) * (4 * 32 * 32) + 4 * 32 * 32
