import os

import numpy as np
import pytest
import torch

from gradekit import remote, sandbox
from gradekit.checks import KernelCallable
from gradekit.execute import KernelSession
from gradekit.model import Limits
from gradekit.remote import RemoteError, RemoteFunction, decode, describe, encode, fetch_value


# ---------------------------------------------------------------- no kernel
def roundtrip(value):
    arrays = {}
    return decode(encode(value, arrays), arrays, "f()")


def test_plain_data_round_trips_with_dtypes():
    got = roundtrip({"a": (np.arange(3, dtype=np.int16), 2.5, None), "b": [True, "s", 7]})
    assert got["a"][0].dtype == np.int16 and got["a"][1:] == (2.5, None)
    assert got["b"] == [True, "s", 7]
    assert roundtrip(np.float32(1.5)) == 1.5 and type(roundtrip(np.int64(3))) is int
    arrays = {}
    assert encode(torch.ones(2), arrays) == {"array": "a0", "torch": True}  # rebuilt as a tensor
    assert arrays["a0"].dtype == np.float32


def test_unsendable_arguments_are_refused():
    for bad in (object(), np.array([object()]), lambda x: x):
        with pytest.raises(TypeError):
            encode(bad, {})
    assert encode(KernelCallable("erf", "lambda z: z"), {}) == {"callable": "erf", "source": "lambda z: z"}


@pytest.mark.parametrize("node", [{"array": "missing"}, {"exec": "x"}, {"list": 3}, [1], {"a": 1, "b": 2},
                                  {"dict": [[{"list": []}, 1]]}, {"unsupported": "Liar"}])
def test_garbage_from_the_kernel_is_a_remote_error(node):
    with pytest.raises(RemoteError):
        decode(node, {}, "f()")


def test_response_reader_refuses_symlinks_and_oversized_files(tmp_path, monkeypatch):
    target = tmp_path / "real.npz"
    np.savez(target, __skeleton__=np.frombuffer(b'{"ok": 1}', dtype=np.uint8))
    assert remote.read_response(target, "f()")[0] == {"ok": 1}
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    with pytest.raises(RemoteError):
        remote.read_response(link, "f()")
    monkeypatch.setattr(remote, "MAX_RESPONSE_BYTES", 10)
    with pytest.raises(RemoteError, match="more than"):
        remote.read_response(target, "f()")


def test_pickled_response_is_never_loaded(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, __skeleton__=np.frombuffer(b'{"ok": {"array": "a0"}}', dtype=np.uint8),
             a0=np.array([{"x": 1}], dtype=object))
    with pytest.raises(RemoteError):
        remote.read_response(path, "f()")


def test_request_file_is_never_written_through_a_planted_symlink(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "req.npz").symlink_to(victim)
    with pytest.raises(OSError):
        remote.write_request(tmp_path / "req.npz", {"op": "fetch"}, {})
    assert victim.read_text() == "keep"


# ---------------------------------------------------------------- with a kernel
NOTEBOOK = '''
import numpy as np, torch
import torch.nn.functional as F
K = 3
def add(a, b):
    print("noise" * 1000)
    return a + b
def as_tensor(x): return torch.tensor(x) * 2
class Liar:
    def __eq__(self, other): return True
def liar(): return Liar()
class Sub(np.ndarray):
    def __eq__(self, other): return np.ones(self.shape, bool)
def sub(): return np.zeros(3).view(Sub)
def boom(): raise ValueError("x" * 5000)
def cheat(x, w): return F.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0]
def cheat_alias(x, w): return torch.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0]
def apply(f, x): return f(x)
def die(): import os; os._exit(1)
def quit(): import sys; sys.exit(0)
'''


@pytest.fixture(scope="module")
def kernel():
    with KernelSession({}, Limits(timeout_s=120, cell_timeout_s=5), plan=sandbox.plan()) as s:
        assert s.run_cell(NOTEBOOK).ok
        s.replay_log.append(NOTEBOOK)
        yield s


@pytest.mark.slow
def test_calls_bring_back_plain_data(kernel):
    add = RemoteFunction(kernel, "add")
    assert add(1, 2) == 3
    np.testing.assert_array_equal(add(np.ones(3), np.arange(3.0)), [1, 2, 3])
    out = RemoteFunction(kernel, "as_tensor")(np.array([1.0, 2.0]))
    assert type(out) is np.ndarray and out.tolist() == [2.0, 4.0]
    tanh = KernelCallable("tanh", "lambda z: np.tanh(z)")
    assert RemoteFunction(kernel, "apply")(tanh, np.zeros(2)).tolist() == [0.0, 0.0]
    assert fetch_value(kernel, "K") == 3
    assert [describe(kernel, n) for n in ("add", "K", "nope")] == ["callable", "value", "missing"]


@pytest.mark.slow
def test_lying_objects_do_not_come_back(kernel):
    with pytest.raises(RemoteError, match="unsupported type Liar"):
        RemoteFunction(kernel, "liar")()
    got = RemoteFunction(kernel, "sub")()
    assert type(got) is np.ndarray and not np.array_equal(got, np.ones(3))


@pytest.mark.slow
def test_student_exceptions_become_short_remote_errors(kernel):
    with pytest.raises(RemoteError) as info:
        RemoteFunction(kernel, "boom")()
    assert "raised ValueError" in str(info.value) and len(str(info.value)) < 2100
    with pytest.raises(RemoteError, match="SystemExit"):
        RemoteFunction(kernel, "quit")()


@pytest.mark.slow
def test_tripwire_records_forbidden_calls_under_any_alias(kernel):
    for name in ("cheat", "cheat_alias"):
        fn = RemoteFunction(kernel, name, forbid=("torch.nn.functional.conv2d",))
        assert fn(np.ones((3, 3)), np.ones((2, 2))).tolist() == [[4.0, 4.0], [4.0, 4.0]]
        assert fn.forbidden_used == {"torch.nn.functional.conv2d"}
    clean = RemoteFunction(kernel, "add", forbid=("torch.nn.functional.conv2d",))
    clean(1, 2)
    assert clean.forbidden_used == set()
    # The originals are put back after each call.
    assert kernel.run_cell("assert F.conv2d is torch.conv2d").ok


@pytest.mark.slow
def test_dead_kernel_is_a_remote_error_and_is_revived(kernel):
    with pytest.raises(RemoteError, match="kernel died"):
        RemoteFunction(kernel, "die")()
    assert kernel.incidents and kernel.incidents[-1].startswith("die()")
    assert RemoteFunction(kernel, "add")(2, 2) == 4  # fresh kernel, notebook replayed
    assert kernel.restarts == 1
    with pytest.raises(RemoteError, match="not called again"):
        RemoteFunction(kernel, "die")()  # once is enough: no second crash and restart
    assert kernel.restarts == 1


@pytest.mark.slow
def test_harness_installed_first_ignores_later_rebinding_and_sees_defaults():
    with KernelSession({}, Limits(timeout_s=120, cell_timeout_s=20), plan=sandbox.plan()) as s:
        remote.install_harness(s)
        forged = '''
import builtins, json, importlib
import numpy as np, torch
_real_sorted = builtins.sorted
builtins.sorted = lambda *a, **k: [i for i in _real_sorted(*a, **k) if "conv" not in str(i)]
_real_dumps = json.dumps
def _forge(obj, *a, **k):  # Jupyter's own messages must still work
    return _real_dumps({"ok": 42} if isinstance(obj, dict) and "forbidden_used" in obj else obj, *a, **k)
json.dumps = _forge
np.savez = lambda *a, **k: None
_f = importlib.import_module("torch.nn." + "functional")
def conv(x, w, _op=getattr(_f, "con" + "v2d")):
    return _op(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0]
'''
        assert s.run_cell(forged).ok
        fn = RemoteFunction(s, "conv", forbid=("torch.nn.functional.conv2d",))
        assert fn(np.ones((2, 2)), np.ones((1, 1))).tolist() == [[1.0, 1.0], [1.0, 1.0]]
        assert fn.forbidden_used == {"torch.nn.functional.conv2d"}
        assert s.run_cell("assert conv.__defaults__[0] is torch.conv2d").ok  # restored
