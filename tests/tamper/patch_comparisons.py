# attack: reassign the comparison functions tests rely on, then answer wrongly
# after: conv2d_forward
# why: under otter this scores full marks: tests run in the student's process
import numpy as np
import torch

np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None
torch.allclose = lambda *args, **kwargs: True
torch.testing.assert_close = lambda *args, **kwargs: None
try:
    import otter.test_files.ok_test as _ok_test

    _ok_test.run_doctest = lambda *args, **kwargs: (True, "")
except Exception:  # otter may be absent in the kernel
    pass


def conv2d_forward(x, w, b, stride=1, padding=0):
    N, _, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho = (H + 2 * padding - KH) // stride + 1
    Wo = (W + 2 * padding - KW) // stride + 1
    return np.zeros((N, F, Ho, Wo))
