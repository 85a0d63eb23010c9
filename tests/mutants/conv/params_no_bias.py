# replaces: n_conv_params
# expect: wrong
# question: q_param_counts
# why: forgets the biases in the parameter count
n_conv_params = 3 * 3 * 1 * 4
