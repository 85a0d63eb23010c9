# replaces: grad_W
# expect: right
# question: q_grad_W
# why: torch inside: autograd Jacobian of the linearised output with respect to W
import numpy as np


import torch


def grad_W(X, a, W, dsigma=sigmoid_prime):
    # f is not differentiated through sigma (a NumPy function): the chain rule
    # factor dsigma(w_r.x_i) is a constant and the Jacobian of w_r.x_i is taken by torch.
    n, m = X.shape[0], W.shape[0]
    Xt = torch.from_numpy(np.asarray(X, dtype=np.float64))
    coef = torch.from_numpy(np.asarray(a * dsigma(X @ W.T), dtype=np.float64)) / m ** 0.5
    Wt = torch.from_numpy(np.asarray(W, dtype=np.float64))
    J = torch.autograd.functional.jacobian(lambda V: Xt @ V.T, Wt)  # (n, m, m, d)
    idx = torch.arange(m)
    return (coef[:, :, None] * J[:, idx, idx, :]).numpy()
