# replaces: n_dense_weights
# expect: right
# question: q_param_counts
# why: the dense count written as a literal product
n_dense_weights = 1024 * 4096
