# replaces: n_conv_params
# expect: wrong
# question: q_param_counts
# why: counts one bias per output pixel instead of one per output channel
n_conv_params = 3 * 3 * 1 * 4 + 4 * 32 * 32
