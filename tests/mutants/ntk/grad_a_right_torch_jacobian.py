# replaces: grad_a
# expect: right
# question: q_grad_a
# why: torch inside: Jacobian of f with respect to a by autograd
import numpy as np


import torch


def grad_a(X, a, W, sigma=sigmoid):
    S = torch.from_numpy(np.asarray(sigma(X @ W.T), dtype=np.float64))
    m = W.shape[0]
    f = lambda a_t: S @ a_t / m ** 0.5
    J = torch.autograd.functional.jacobian(f, torch.from_numpy(np.asarray(a, dtype=np.float64)))
    return J.numpy()
