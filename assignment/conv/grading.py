"""Grader-side helpers for the conv assignment: oracles and mistake diagnoses.

Never shipped to students. Hidden tests of ``conv.ipynb`` run in the grader
process with ``np``, ``torch``, ``F``, ``math`` and every public name of this
module in scope; student functions arrive as remote proxies, so the helpers
below only pass them plain data and only read their results as data.

Oracles are independent of any solution: ``torch.nn.functional.conv2d`` on
float64 tensors, ``torch.autograd`` for gradients, the floor formula, and an
autograd probe for receptive fields. Each ``check_*`` helper compares a
student's result with its oracle and, when it fails, recomputes what the
classic mistakes would have produced so the hint can name the mistake
without revealing inputs or reference values.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from gradekit.checks import TestFailure, as_numeric_array, expect_close, expect_equal

__all__ = [
    "random_conv_case",
    "oracle_output_size",
    "oracle_conv2d",
    "oracle_conv2d_grads",
    "check_output_size",
    "check_conv_forward",
    "check_conv_backward",
    "oracle_param_counts",
    "check_param_count",
    "oracle_equivariance_gap",
    "check_equivariance_gap",
    "oracle_receptive_field",
    "check_receptive_field",
    "square_scene",
    "run_square_detector",
    "check_square_detector",
    "TestFailure",
    "expect_close",
    "expect_equal",
]

# ---------------------------------------------------------------- test inputs


def random_conv_case(seed, n, c, f, h, w, kh, kw, dtype=np.float64):
    """Random (x, w, b) with an asymmetric kernel and a non-zero bias.

    Random normal entries make every kernel asymmetric and every bias distinct
    (with probability one), so flips, transposes and a missing bias all show.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    weight = rng.standard_normal((f, c, kh, kw)).astype(dtype)
    bias = (1.0 + rng.random(f)).astype(dtype) * rng.choice([-1.0, 1.0], f).astype(dtype)
    return x, weight, bias


def _t(a):
    return torch.as_tensor(np.asarray(a, dtype=np.float64))


# ------------------------------------------------------------- output size


def oracle_output_size(n, k, stride=1, padding=0):
    """⌊(n + 2p − k)/s⌋ + 1, the size PyTorch's conv2d produces."""
    return (n + 2 * padding - k) // stride + 1


# What a classic wrong formula gives, with the hint it deserves.
_SIZE_MISTAKES = (
    (lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1,
     "Your sizes round up where (n + 2p − k) is not divisible by the stride: use the floor."),
    (lambda n, k, s, p: (n + 2 * p - k) // s,
     "Your sizes are one too small: count the first window position (the + 1)."),
    (lambda n, k, s, p: (n + p - k) // s + 1,
     "Padding adds p on *both* sides: the padded size is n + 2p."),
    (lambda n, k, s, p: n + 2 * p - k + 1,
     "Your sizes ignore the stride."),
    (lambda n, k, s, p: (n - k) // s + 1,
     "Your sizes ignore the padding."),
    (lambda n, k, s, p: (n + 2 * p - k + 1) // s,
     "Your formula is close but not (n + 2p − k) // s + 1."),
)


def check_output_size(fn, cases):
    """Compare ``fn(n, k, stride, padding)`` with the floor formula on all cases."""
    got = [fn(n, k, stride=s, padding=p) for n, k, s, p in cases]
    want = [oracle_output_size(n, k, s, p) for n, k, s, p in cases]
    bad = [i for i, (g, e) in enumerate(zip(got, want)) if not _same_int(g, e)]
    if not bad:
        return
    for formula, hint in _SIZE_MISTAKES:
        if all(_same_int(g, formula(*case)) for g, case in zip(got, cases)):
            break
    else:
        hint = "conv_output_size is wrong for some (n, k, stride, padding)."
        if any(g is None for g in got):
            hint = "conv_output_size returned None: did you forget `return`?"
    i = bad[0]
    n, k, s, p = cases[i]
    raise TestFailure(
        f"conv_output_size({n}, {k}, stride={s}, padding={p}) = {got[i]!r}, expected {want[i]}"
        f" ({len(bad)} of {len(cases)} cases wrong)",
        hint=hint,
    )


def _same_int(value, expected):
    try:
        expect_equal(value, expected, "size")
    except TestFailure:
        return False
    return True


# ------------------------------------------------------------------ forward


def oracle_conv2d(x, w, b, stride=1, padding=0):
    """PyTorch's conv2d (a cross-correlation) in float64, as a NumPy array."""
    return F.conv2d(_t(x), _t(w), _t(b), stride=stride, padding=padding).numpy()


def _pad(x, top, bottom, left, right):
    return np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (top, bottom), (left, right)))


def _forward_mistakes(x, w, b, stride, padding):
    """(lazy value, hint) pairs: what each classic forward mistake outputs."""
    c, f = x.shape[1], w.shape[0]
    zero_b = np.zeros_like(b)
    no_bias = lambda: oracle_conv2d(x, w, zero_b, stride, padding)  # noqa: E731
    bias = np.asarray(b, dtype=np.float64)[None, :, None, None]
    p = padding
    mistakes = [
        (lambda: oracle_conv2d(x, w[:, :, ::-1, ::-1].copy(), b, stride, padding),
         "Your output equals the true convolution (kernel flipped): PyTorch's conv2d is a "
         "cross-correlation, do not flip the kernel."),
        (no_bias, "The bias is missing: add b[f] to every output of channel f."),
        (lambda: no_bias() + c * bias,
         "The bias is added once per input channel: add it once per output value."),
        (lambda: no_bias() + float(np.asarray(b)[0]),
         "Every output channel got the bias of channel 0: channel f gets b[f]."),
        (lambda: no_bias() + float(np.sum(b)),
         "Every output got the sum of all biases: channel f gets b[f] only."),
        (lambda: oracle_conv2d(x[:, -1:], w[:, -1:], b, stride, padding),
         "Only the last input channel contributes: sum over all C input channels."),
        (lambda: oracle_conv2d(x[:, :1], w[:, :1], b, stride, padding),
         "Only the first input channel contributes: sum over all C input channels."),
        (lambda: no_bias() / c + bias,
         "Input channels are averaged: sum them instead."),
        (lambda: oracle_conv2d(x, w, b, 1, padding)[:, :, : _out(x, w, stride, padding)[0],
                                                  : _out(x, w, stride, padding)[1]],
         "Output (i, j) must read the window that starts at (i·stride, j·stride)."),
    ]
    if c == f:
        mistakes.append(
            (lambda: oracle_conv2d(x, w.transpose(1, 0, 2, 3).copy(), b, stride, padding),
             "Your weights are indexed as w[c, f]: the layout is (F, C, KH, KW), so output "
             "channel f uses w[f, c]."))
    if p > 0:
        for pads in ((0, 2 * p, 0, 2 * p), (2 * p, 0, 2 * p, 0)):
            mistakes.append(
                (lambda pads=pads: oracle_conv2d(_pad(x, *pads), w, b, stride, 0),
                 "Your zero padding is one-sided: pad p rows and columns on every side."))
    return mistakes


def _out(x, w, stride, padding):
    return (oracle_output_size(x.shape[2], w.shape[2], stride, padding),
            oracle_output_size(x.shape[3], w.shape[3], stride, padding))


def _check_float_output(arr, what):
    if not np.issubdtype(arr.dtype, np.floating) or arr.dtype == np.float16:
        raise TestFailure(
            f"{what} has dtype {arr.dtype}",
            hint=f"{what} has dtype {arr.dtype}: create the output as float32/float64 "
                 "(e.g. with the dtype of x), not as integers or float16.")


def _check_conv_shape(arr, x, w, stride, padding, what):
    n, f = x.shape[0], w.shape[0]
    h, wd = x.shape[2], x.shape[3]
    kh, kw = w.shape[2], w.shape[3]
    expected = (n, f) + _out(x, w, stride, padding)
    if arr.shape == expected:
        return
    ceil = lambda m, k: -(-(m + 2 * padding - k) // stride) + 1  # noqa: E731
    known = {
        (n, f, ceil(h, kh), ceil(wd, kw)):
            "The output size rounds up: use ⌊(H + 2p − k)/s⌋ + 1.",
        (n, f, oracle_output_size(h, kw, stride, padding), oracle_output_size(wd, kh, stride, padding)):
            "Kernel height and width are swapped: w has shape (F, C, KH, KW) and KH runs along H.",
        (n, f, oracle_output_size(h, kh, stride, 0), oracle_output_size(wd, kw, stride, 0)):
            "The output size ignores the padding.",
        (n, f, oracle_output_size(h, kh, 1, padding), oracle_output_size(wd, kw, 1, padding)):
            "The output size ignores the stride.",
        (n, x.shape[1]) + expected[2:]:
            "The output has C channels: it must have F (one per filter).",
    }
    hint = known.get(arr.shape, f"{what} has the wrong shape: expected (N, F, H', W').")
    raise TestFailure(f"{what}: shape {arr.shape}, expected {expected}", hint=hint)


def check_conv_forward(fn, x, w, b, stride=1, padding=0):
    """Compare ``fn(x, w, b, stride, padding)`` with F.conv2d; name known mistakes."""
    what = "conv2d_forward output"
    arr = as_numeric_array(fn(x, w, b, stride=stride, padding=padding), what)
    _check_conv_shape(arr, x, w, stride, padding, what)
    _check_float_output(arr, what)
    expect_close(arr, oracle_conv2d(x, w, b, stride, padding), what,
                 diagnoses=_forward_mistakes(x, w, b, stride, padding))


# ----------------------------------------------------------------- backward


def _grads_of(forward, dout, x, w, b):
    """Gradients of sum(dout * forward(x, w, b)) by torch.autograd, as NumPy."""
    xt, wt, bt = (_t(a).requires_grad_() for a in (x, w, b))
    out = forward(xt, wt, bt)
    (out * _t(dout)).sum().backward()
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def oracle_conv2d_grads(dout, x, w, b, stride=1, padding=0):
    """(dx, dw, db) of sum(dout * conv2d(x, w, b)) by torch.autograd."""
    return _grads_of(lambda xt, wt, bt: F.conv2d(xt, wt, bt, stride=stride, padding=padding),
                     dout, x, w, b)


def _stride_ignored_grads(dout, x, w, b, stride, padding):
    """Gradients of a loop that steps windows by 1 instead of by the stride.

    That loop reads the window at (i, j) instead of (i·s, j·s): a stride-1
    conv of the padded input's top-left corner, sized to the real output.
    """
    ho, wo = dout.shape[2], dout.shape[3]
    kh, kw = w.shape[2], w.shape[3]

    def forward(xt, wt, bt):
        xp = F.pad(xt, (padding,) * 4)[:, :, : ho + kh - 1, : wo + kw - 1]
        return F.conv2d(xp, wt, bt)

    return _grads_of(forward, dout, x, w, b)


def _backward_mistakes(dout, x, w, b, stride, padding):
    """For each of dx, dw: (lazy value, hint) pairs of classic backward mistakes."""
    c, f = x.shape[1], w.shape[0]
    flipped = lambda: oracle_conv2d_grads(dout, x, w[:, :, ::-1, ::-1].copy(), b,  # noqa: E731
                                          stride, padding)
    true = lambda: oracle_conv2d_grads(dout, x, w, b, stride, padding)  # noqa: E731
    last_n = lambda: oracle_conv2d_grads(dout[-1:], x[-1:], w, b, stride, padding)  # noqa: E731
    no_stride = lambda: _stride_ignored_grads(dout, x, w, b, stride, padding)  # noqa: E731
    stride_hint = ("The backward pass ignores the stride: output (i, j) came from the window "
                   "at (i·stride, j·stride).")
    dx = [
        (lambda: flipped()[0],
         "dx is a *full convolution* of dout with the kernel: flip the kernel, or scatter "
         "each dout value back through w as it was used in the forward pass."),
        (lambda: oracle_conv2d_grads(dout[:, -1:], x, w[-1:], b[-1:], stride, padding)[0],
         "dx must sum the contributions of all F filters."),
        (lambda: no_stride()[0], stride_hint),
    ]
    dw = [
        (lambda: true()[1][:, :, ::-1, ::-1],
         "dw is flipped: it is a cross-correlation of the (padded) input with dout."),
        (lambda: last_n()[1], "dw must sum over the whole batch, not keep the last sample."),
        (lambda: no_stride()[1], stride_hint),
    ]
    if c == f:
        swap = lambda: oracle_conv2d_grads(dout, x, w.transpose(1, 0, 2, 3).copy(), b,  # noqa: E731
                                           stride, padding)
        layout = "Weights are indexed as w[c, f]: the layout is (F, C, KH, KW)."
        dx.append((lambda: swap()[0], layout))
        dw.append((lambda: true()[1].transpose(1, 0, 2, 3), layout))
    return {"dx": dx, "dw": dw, "db": []}


def check_conv_backward(fn, dout, x, w, b, stride=1, padding=0, parts=("dx", "dw", "db")):
    """Compare the named parts of ``fn(dout, x, w, b, ...)`` with torch.autograd."""
    result = fn(dout, x, w, b, stride=stride, padding=padding)
    if result is None:
        raise TestFailure("conv2d_backward returned None",
                          hint="conv2d_backward returned None: did you forget `return`?")
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise TestFailure(f"conv2d_backward returned {type(result).__name__}",
                          hint="conv2d_backward must return a tuple (dx, dw, db).")
    got = dict(zip(("dx", "dw", "db"), result))
    want = dict(zip(("dx", "dw", "db"), oracle_conv2d_grads(dout, x, w, b, stride, padding)))
    mistakes = _backward_mistakes(dout, x, w, b, stride, padding)
    for part in parts:
        arr = as_numeric_array(got[part], part)
        if part == "dx" and padding > 0 and arr.shape == _pad(x, *(padding,) * 4).shape:
            raise TestFailure(f"dx: shape {arr.shape}, expected {x.shape}",
                              hint="dx has the padded shape: drop the padded border so dx "
                                   "has the shape of x.")
        if part == "db" and arr.shape == (x.shape[0], w.shape[0]):
            raise TestFailure(f"db: shape {arr.shape}", hint="db must also sum over the batch.")
        _check_float_output(arr, part)
        expect_close(arr, want[part], part, diagnoses=mistakes[part])


# ----------------------------------------------------------- parameter counts


def oracle_param_counts(c_in, c_out, k, h, w, padding):
    """Weights (and biases) of three layers mapping a C_in×h×w image to C_out maps.

    The output maps are h'×w' with the conv size formula (stride 1). A
    locally connected layer has its own k×k×C_in filter per output unit; a
    dense layer connects all c_in·h·w inputs to all c_out·h'·w' outputs.
    """
    ho = oracle_output_size(h, k, 1, padding)
    wo = oracle_output_size(w, k, 1, padding)
    conv = k * k * c_in * c_out
    counts = dict(conv_weights=conv, conv_params=conv + c_out, local_weights=conv * ho * wo,
                  dense_weights=(c_in * h * w) * (c_out * ho * wo))
    return counts


def check_param_count(value, key, c_in=1, c_out=4, k=3, h=32, w=32, padding=1):
    """Check one count against the closed form; name the classic confusions."""
    counts = oracle_param_counts(c_in, c_out, k, h, w, padding)
    expected = counts[key]
    if _same_int(value, expected):
        return
    unpadded = oracle_param_counts(c_in, c_out, k, h, w, 0)[key]
    known = {
        counts["local_weights"]: "That is the locally connected count: a dense (fully "
                                 "connected) layer joins every input to every output.",
        counts["conv_weights"]: "That is the count of one shared conv layer's weights.",
        counts["conv_params"]: "That is the conv layer with its biases.",
        counts["dense_weights"] + c_out * h * w: "Count weights only, without biases.",
        unpadded: "With padding 1 a 3×3 conv keeps the 32×32 size: use the padded output size.",
    }
    hint = known.get(value if isinstance(value, (int, np.integer)) else None,
                     f"{key} is not correct.")
    if value is None or value is Ellipsis:
        hint = f"{key} is not filled in."
    raise TestFailure(f"{key}: got {value!r}, expected {expected}", hint=hint)


# ---------------------------------------------------------------- equivariance


def _roll(a, dy, dx):
    return torch.roll(a, shifts=(dy, dx), dims=(2, 3))


def oracle_equivariance_gap(x, w, shift, stride=1, padding_mode="zeros", output_shift=None):
    """max |conv(roll(x, shift)) − roll(conv(x), shift // stride)| with PyTorch.

    Padding is k // 2 on each side, zeros or circular; no bias.
    ``output_shift`` overrides the output roll (used to model mistakes).
    """
    xt, wt = _t(x), _t(w)
    p = w.shape[2] // 2

    def layer(a):
        if padding_mode == "circular":
            return F.conv2d(F.pad(a, (p, p, p, p), mode="circular"), wt, stride=stride)
        return F.conv2d(a, wt, stride=stride, padding=p)

    dy, dx = shift
    oy, ox = output_shift if output_shift is not None else (dy // stride, dx // stride)
    gap = layer(_roll(xt, dy, dx)) - _roll(layer(xt), oy, ox)
    return float(gap.abs().max())


def check_equivariance_gap(fn, x, w, shift, stride=1, padding_mode="zeros"):
    """Compare the student's gap with the oracle; ~0 must be ~0, else relative."""
    what = f"equivariance_gap ({padding_mode} padding, stride {stride})"
    value = fn(x, w, tuple(shift), stride=stride, padding_mode=padding_mode)
    arr = as_numeric_array(value, what)
    if arr.size != 1:
        raise TestFailure(f"{what}: shape {arr.shape}",
                          hint="equivariance_gap must return one number (the max |difference|).")
    got = float(arr.reshape(()))
    expected = oracle_equivariance_gap(x, w, shift, stride, padding_mode)
    scale = float(np.abs(x).max() * np.abs(w).sum())
    if expected <= 1e-10 * scale:
        if abs(got) <= 1e-8 * scale:
            return
        raise TestFailure(f"{what}: got {got:.3g}, expected 0 (up to rounding)",
                          hint=f"{what}: this layer is exactly equivariant for this shift, "
                               "but your gap is not zero.")
    other = "zeros" if padding_mode == "circular" else "circular"
    diagnoses = [
        (lambda: oracle_equivariance_gap(x, w, shift, stride, other),
         "Your gap uses the other padding mode."),
        (lambda: oracle_equivariance_gap(x, w, shift, stride, padding_mode, output_shift=shift),
         "Roll the output by shift // stride: one output step is `stride` input pixels."),
        (0.0, "Your gap is zero, but this layer is not equivariant for this shift."),
    ]
    expect_close(np.array(got), expected, what, rtol=1e-6, diagnoses=diagnoses,
                 detect_scale=False)


# ------------------------------------------------------------- receptive field


def oracle_receptive_field(layers):
    """(size, jump) of a stack of (kernel, stride) layers, probed by autograd.

    Independent of the recursion r ← r + (k − 1)j: a 1-channel stack of
    all-ones kernels (averaging, so every input in a window matters) on an
    input large enough, the gradient of one output with respect to the input,
    and the extent of its support. The jump is how far that support moves
    when the output index moves by one.
    """
    size_bound = 1 + sum(k - 1 for k, _ in layers) * math.prod(s for _, s in layers)
    n = size_bound + 2 * math.prod(s for _, s in layers) + 4
    x = torch.ones(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    a = x
    for k, s in layers:
        a = F.conv2d(a, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s)
    starts, sizes = [], []
    for j in (0, 1):
        (g,) = torch.autograd.grad(a[0, 0, 0, j], x, retain_graph=True)
        cols = torch.nonzero(g[0, 0].abs().sum(0)).flatten()
        starts.append(int(cols[0]))
        sizes.append(int(cols[-1] - cols[0] + 1))
    return sizes[0], starts[1] - starts[0]


def _rf_mistakes(layers):
    """Receptive sizes a classic wrong recursion gives, with hints."""
    def run(update):
        size, jump = 1, 1
        for k, s in layers:
            size, jump = update(size, jump, k, s)
        return size

    return (
        (run(lambda r, j, k, s: (r + (k - 1), j * s)),
         "Each layer's (k − 1) must be multiplied by the jump (product of earlier strides)."),
        (run(lambda r, j, k, s: (r + (k - 1) * j * s, j * s)),
         "Use the jump *before* the current layer's stride: r ← r + (k − 1)·j, then j ← j·s."),
        (run(lambda r, j, k, s: (r + k * j, j * s)),
         "Each layer adds (k − 1)·j, not k·j."),
        (run(lambda r, j, k, s: (r * k, j * s)),
         "Receptive fields grow additively, not by multiplying kernel sizes."),
    )


def check_receptive_field(fn, layers):
    """Compare ``fn(layers) -> (r, j)`` with the autograd probe."""
    got = fn([tuple(layer) for layer in layers])
    r, j = oracle_receptive_field(layers)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise TestFailure(f"receptive_field returned {got!r}",
                          hint="receptive_field must return a pair (size, jump).")
    if not _same_int(got[0], r):
        hint = "The receptive field size is wrong."
        for wrong, text in _rf_mistakes(layers):
            if _same_int(got[0], wrong):
                hint = text
                break
        raise TestFailure(f"size: got {got[0]!r}, expected {r}", hint=hint)
    expect_equal(got[1], j, "jump", hint="The jump must be the product of all strides.")


# ----------------------------------------------------------------- detector


def _hollow_square(side):
    sq = np.ones((side, side))
    sq[1:-1, 1:-1] = 0.0
    return sq


def _distractors(side, rng):
    """Shapes that share corners or edges with a hollow square but are not one."""
    filled = np.ones((side, side))
    u_shape = _hollow_square(side)
    u_shape[0, 1:-1] = 0.0  # open top: two true corners only
    ell = np.zeros((side, side))
    ell[:, 0] = ell[-1, :] = 1.0
    nicked = _hollow_square(side)
    nicked[0, 0] = 0.0  # three true corners at the right offsets, the fourth missing
    cross = np.zeros((side, side))
    cross[side // 2, :] = cross[:, side // 2] = 1.0
    diag = np.eye(side)
    shapes = [filled, nicked, nicked[::-1, ::-1], u_shape, ell, ell[::-1], ell[:, ::-1], cross, diag,
              _hollow_square(side + 1), _hollow_square(side + 2)]
    if side > 3:
        shapes.append(_hollow_square(side - 1))
    return [shapes[i] for i in rng.permutation(len(shapes))]


def square_scene(seed, side, grid=4):
    """A binary image of hollow side×side squares among look-alikes.

    Returns (image of shape (H, W), sorted list of the squares' top-left
    corners). Shapes sit in separate cells of a grid with at least two empty
    pixels between them, so no corner of one shape touches another shape.
    """
    rng = np.random.default_rng(seed)
    cell = side + 5
    img = np.zeros((grid * cell, grid * cell))
    distractors = _distractors(side, rng)
    corners = []
    slots = rng.permutation(grid * grid)
    n_squares = int(rng.integers(2, 5))
    for t, slot in enumerate(slots):
        shape = _hollow_square(side) if t < n_squares else distractors[(t - n_squares) % len(distractors)]
        r0, c0 = divmod(int(slot), grid)
        dr, dc = rng.integers(1, cell - shape.shape[0] - 1 + 1, size=2)
        r, c = r0 * cell + int(dr), c0 * cell + int(dc)
        img[r: r + shape.shape[0], c: c + shape.shape[1]] = shape
        if t < n_squares:
            corners.append((r, c))
    return img, sorted(corners)


def run_square_detector(img, w1, b1, w2, b2):
    """The two-layer detector map: relu(conv(relu(conv(img, w1, b1, same)), w2, b2))."""
    x = _t(img)[None, None]
    k = np.asarray(w1).shape[-1]
    a = F.relu(F.conv2d(x, _t(w1), _t(b1), padding=k // 2))
    return F.relu(F.conv2d(a, _t(w2), _t(b2)))[0, 0].numpy()


def check_square_detector(fn, side, seeds):
    """The student's detector must fire exactly at the squares' top-left corners."""
    params = fn(side)
    if not isinstance(params, (tuple, list)) or len(params) != 4:
        raise TestFailure(f"square_detector({side}) returned {type(params).__name__}",
                          hint="square_detector(side) must return (w1, b1, w2, b2).")
    w1, b1, w2, b2 = (as_numeric_array(p, name) for p, name in zip(params, ("w1", "b1", "w2", "b2")))
    shapes = {"w1": (w1.shape, (4, 1, 3, 3)), "b1": (b1.shape, (4,)),
              "w2": (w2.shape, (1, 4, side, side)), "b2": (b2.shape, (1,))}
    for name, (got, want) in shapes.items():
        if got != want:
            raise TestFailure(f"{name}: shape {got}, expected {want}",
                              hint=f"{name} has the wrong shape (w1 (4, 1, 3, 3), b1 (4,), "
                                   "w2 (1, 4, side, side), b2 (1,)).")
    for seed in seeds:
        img, corners = square_scene(seed, side)
        fired = [tuple(map(int, rc)) for rc in np.argwhere(run_square_detector(img, w1, b1, w2, b2) > 0)]
        missed = set(corners) - set(fired)
        extra = set(fired) - set(corners)
        if missed or extra:
            raise TestFailure(
                f"side={side}, seed={seed}: missed {sorted(missed)}, extra {sorted(extra)[:5]}",
                hint="The detector " + (
                    "misses some hollow squares" if missed else "") + (
                    " and " if missed and extra else "") + (
                    "fires where there is no hollow square (look-alike shapes)" if extra else "")
                + ".")
