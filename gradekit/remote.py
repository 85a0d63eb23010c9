"""The data-only channel between the grader and the student's kernel.

A call writes a request file (``.npz`` written by ``np.savez``: the arrays, plus
a JSON skeleton of the argument structure) into the kernel's workdir and runs
the harness (:data:`HARNESS`, installed once under a random name) in the
kernel; the harness calls the student's function and writes the result back
the same way. Both sides load with ``allow_pickle=False``: nothing executable
crosses, only arrays, numbers, strings, None and lists/tuples/dicts of them.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from gradekit.checks import KernelCallable
from gradekit.execute import KernelSession, SessionError

MAX_RESPONSE_BYTES = 64 * 2**20
MAX_DEPTH = 32
SKELETON = "__skeleton__"


class RemoteError(AssertionError):
    """The student's side failed: it raised, returned garbage, hung or died.
    ``str(err)`` is safe to show the student."""


class KernelFailure(RemoteError):
    """The call hung or took the kernel down (not just an exception)."""

# Kernel-side half of the channel; defined in the notebook's namespace under
# a random name. It must import nothing from gradekit (not on the kernel's path).
HARNESS = r'''
def make(user_ns):
    """Built once, before any student code runs, with every library function
    it needs captured now: a student who later rebinds json.dumps, np.savez
    or builtins.sorted does not change what the harness reports."""
    import contextlib, importlib, io, json, math, sys
    import numpy as np
    dumps, loads, savez, load = json.dumps, json.loads, np.savez, np.load
    ndarray, generic, as_plain = np.ndarray, np.generic, np.array
    np_bool, np_int, np_float = np.bool_, np.integer, np.floating
    frombuffer, uint8 = np.frombuffer, np.uint8
    redirect_out, redirect_err = contextlib.redirect_stdout, contextlib.redirect_stderr
    modules, import_module = sys.modules, importlib.import_module
    list_iter, tuple_iter, dict_items = list.__iter__, tuple.__iter__, dict.items
    to_int, to_float, to_str = int.__int__, float.__float__, str.__str__

    class Sink(io.TextIOBase):
        def write(self, s):
            return len(s)

    def torch_module():
        return modules.get("torch") or import_module("torch")

    def store(arr, arrays):
        key = "a%d" % len(arrays)
        arrays[key] = arr
        return key

    def enc(v, arrays, depth=0):
        t = type(v)
        if depth > 32:
            return {"unsupported": "deeply nested value"}
        if v is None or t in (bool, int, float, str):
            return v
        if isinstance(v, generic):
            if isinstance(v, (np_bool, np_int, np_float)):
                return v.item()
            return {"unsupported": t.__name__}
        torch = modules.get("torch")
        if torch is not None and isinstance(v, torch.Tensor):
            T = torch.Tensor
            v = T.numpy(T.resolve_neg(T.resolve_conj(T.cpu(T.detach(v)))))
        if isinstance(v, ndarray):
            if v.dtype.kind not in "biuf":
                return {"unsupported": "array of dtype %s" % v.dtype}
            return {"array": store(as_plain(v, copy=True, subok=False), arrays)}
        if isinstance(v, int) and not isinstance(v, bool):
            return to_int(v)
        if isinstance(v, float):
            return to_float(v)
        if isinstance(v, str):
            return to_str(v)
        if isinstance(v, list):
            return {"list": [enc(x, arrays, depth + 1) for x in list_iter(v)]}
        if isinstance(v, tuple):
            return {"tuple": [enc(x, arrays, depth + 1) for x in tuple_iter(v)]}
        if isinstance(v, dict):
            return {"dict": [[enc(k, arrays, depth + 1), enc(x, arrays, depth + 1)]
                             for k, x in dict_items(v)]}
        return {"unsupported": t.__name__[:80]}

    def dec(node, arrays):
        if not isinstance(node, dict):
            return node
        if "array" in node:
            a = arrays[node["array"]]
            return torch_module().from_numpy(a) if node.get("torch") else a
        if "callable" in node:
            return eval(node["source"], {"np": np, "math": math, "torch": torch_module()})
        if "list" in node:
            return [dec(x, arrays) for x in node["list"]]
        if "tuple" in node:
            return tuple(dec(x, arrays) for x in node["tuple"])
        if "dict" in node:
            return {dec(k, arrays): dec(x, arrays) for k, x in node["dict"]}
        raise TypeError("bad request")

    def resolve(dotted):
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            # Only modules already imported: importing torch here would cost
            # seconds; code importing it later is caught by the static scan.
            obj = modules.get(".".join(parts[:cut]))
            if obj is None:
                continue
            try:
                for attr in parts[cut:]:
                    obj = getattr(obj, attr)
                return obj, ".".join(parts[:cut])
            except AttributeError:
                return None, None
        return None, None

    def rebind(owner, key, target, spy, undo):
        owner[key] = spy
        undo.append(lambda: owner.__setitem__(key, target))

    def rebind_captured(fn, target, spy, undo):
        """Default arguments and closure cells of notebook functions."""
        defaults = getattr(fn, "__defaults__", None) or ()
        if any(d is target for d in defaults):
            fn.__defaults__ = tuple(spy if d is target else d for d in defaults)
            undo.append(lambda: setattr(fn, "__defaults__", defaults))
        kw = getattr(fn, "__kwdefaults__", None) or {}
        for key, val in list(kw.items()):
            if val is target:
                rebind(kw, key, target, spy, undo)
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                if cell.cell_contents is target:
                    cell.cell_contents = spy
                    undo.append(lambda c=cell: setattr(c, "cell_contents", target))
            except ValueError:  # empty cell
                pass

    def arm(forbid, used):
        """Replace each forbidden callable, wherever it is bound, by a recorder."""
        undo = []
        for dotted in forbid:
            target, module = resolve(dotted)
            if target is None:
                continue
            def spy(*a, __d=dotted, __f=target, **k):
                used.append(__d)
                return __f(*a, **k)
            owners = [modules.get(module), modules.get(module.split(".")[0])]
            owners = [vars(m) for m in owners if m is not None] + [user_ns]
            for owner in owners:
                for key, val in list(owner.items()):
                    if val is target:
                        rebind(owner, key, target, spy, undo)
            for val in list(user_ns.values()):
                if callable(val) and hasattr(val, "__code__"):
                    rebind_captured(val, target, spy, undo)
        return undo

    def respond(resp_path, body, arrays):
        skeleton = frombuffer(dumps(body).encode(), dtype=uint8)
        with open(resp_path, "wb") as f:
            savez(f, __skeleton__=skeleton, **arrays)

    def harness(req_path, resp_path):
        out, used = {}, []
        try:
            with load(req_path, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
            req = loads(arrays.pop("__skeleton__").tobytes().decode())
            name = req["name"]
            if req["op"] == "describe":
                kind = "missing" if name not in user_ns else (
                    "callable" if callable(user_ns[name]) else "value")
                return respond(resp_path, {"ok": kind}, {})
            if name not in user_ns:
                raise NameError("name %r is not defined in your notebook" % name)
            if req["op"] == "fetch":
                return respond(resp_path, {"ok": enc(user_ns[name], out)}, out)
            args, kwargs = dec(req["args"], arrays), dec(req["kwargs"], arrays)
            undo = arm(req.get("forbid", []), used)
            try:
                with redirect_out(Sink()), redirect_err(Sink()):
                    result = user_ns[name](*args, **kwargs)
            finally:  # also on KeyboardInterrupt (a timed-out call)
                for restore in reversed(undo):
                    restore()
            respond(resp_path, {"ok": enc(result, out), "forbidden_used": sorted(set(used))}, out)
        except (Exception, SystemExit) as exc:
            try:
                message = str(exc)[:2000]
            except Exception:
                message = ""
            respond(resp_path, {"error": {"type": type(exc).__name__[:100], "message": message},
                                "forbidden_used": sorted(set(used))}, {})

    return harness
'''

# The install cell: the factory runs with a private snapshot of the builtins
# (later rebinding of builtins.* by the notebook does not reach it).
INSTALL = (
    "exec(compile({source!r}, '<gradekit harness>', 'exec'),"
    " __gradekit_g := {{'__builtins__': dict(vars(__import__('builtins')))}})\n"
    "{name} = __gradekit_g['make'](globals())\n"
    "del __gradekit_g\n"
)


# ------------------------------------------------------------- encoding
def encode(value: Any, arrays: dict[str, np.ndarray], depth: int = 0) -> Any:
    """Grader-side value -> JSON skeleton (arrays stored in ``arrays``)."""
    if depth > MAX_DEPTH:
        raise TypeError("argument nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, KernelCallable):
        return {"callable": value.name, "source": value.source}
    if type(value).__module__.startswith("torch") and hasattr(value, "numpy"):
        return {"array": store(np.asarray(value.detach().cpu().numpy()), arrays), "torch": True}
    if isinstance(value, np.ndarray):
        return {"array": store(value, arrays)}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [encode(v, arrays, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[encode(k, arrays, depth + 1), encode(v, arrays, depth + 1)]
                         for k, v in value.items()]}
    raise TypeError(f"cannot send a {type(value).__name__} to the kernel")


def store(arr: np.ndarray, arrays: dict[str, np.ndarray]) -> str:
    if arr.dtype == object:
        raise TypeError("cannot send an object array")
    key = f"a{len(arrays)}"
    arrays[key] = np.array(arr, copy=True, subok=False)
    return key


def decode(node: Any, arrays: dict[str, np.ndarray], what: str, depth: int = 0) -> Any:
    """Kernel-side skeleton -> plain grader values; garbage -> RemoteError."""
    if depth > MAX_DEPTH:
        raise RemoteError(f"{what} returned a value nested too deeply")
    if node is None or type(node) in (bool, int, float, str):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise RemoteError(f"{what} returned a value the grader cannot read")
    (tag, body), = node.items()
    if tag == "array" and isinstance(body, str) and body in arrays:
        return arrays[body]
    if tag in ("list", "tuple") and isinstance(body, list):
        items = [decode(v, arrays, what, depth + 1) for v in body]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and isinstance(body, list) and all(
            isinstance(kv, list) and len(kv) == 2 for kv in body):
        out = {}
        for k, v in body:
            key = decode(k, arrays, what, depth + 1)
            if not isinstance(key, (str, int, float, bool, tuple, type(None))):
                raise RemoteError(f"{what} returned a dict with unusable keys")
            out[key] = decode(v, arrays, what, depth + 1)
        return out
    if tag == "unsupported":
        name = str(body)[:80]
        raise RemoteError(f"{what} returned an unsupported type {name}: "
                          "return NumPy arrays, numbers, or tuples/lists of them")
    raise RemoteError(f"{what} returned a value the grader cannot read")


# ------------------------------------------------------------- files
def write_request(path: Path, request: dict, arrays: dict[str, np.ndarray]) -> None:
    buf = io.BytesIO()
    skeleton = np.frombuffer(json.dumps(request).encode(), dtype=np.uint8)
    np.savez(buf, **{SKELETON: skeleton}, **arrays)
    # O_EXCL|O_NOFOLLOW: the kernel owns this directory; a planted symlink
    # must not make the grader (maybe root) write somewhere else.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(buf.getvalue())


def read_response(path: Path, what: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The skeleton and arrays of a response file, checked for size and shape."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        raise RemoteError(f"{what}: the notebook's kernel gave no answer") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not (st.st_mode & 0o170000 == 0o100000) or st.st_size > MAX_RESPONSE_BYTES:
            raise RemoteError(f"{what} returned more than {MAX_RESPONSE_BYTES // 2**20} MB")
        data = f.read(MAX_RESPONSE_BYTES + 1)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_RESPONSE_BYTES:
                raise RemoteError(f"{what} returned more than {MAX_RESPONSE_BYTES // 2**20} MB")
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        skeleton = json.loads(arrays.pop(SKELETON).tobytes().decode())
    except RemoteError:
        raise
    except Exception:  # any malformed file is the student's side failing
        raise RemoteError(f"{what}: the kernel's answer was unreadable") from None
    if not isinstance(skeleton, dict):
        raise RemoteError(f"{what}: the kernel's answer was unreadable")
    return skeleton, arrays


# ------------------------------------------------------------- calls
def install_harness(session: KernelSession) -> str:
    """Define the harness in the kernel (once per kernel; replayed on restart)."""
    if getattr(session, "harness", None):
        return session.harness
    name = f"_gradekit_{os.urandom(8).hex()}"
    source = INSTALL.format(source=HARNESS, name=name)
    run = session.run_cell(source, capture=False)
    if not run.ok:
        raise RemoteError("the notebook's kernel could not be prepared for grading"
                          + (f" ({run.reason})" if run.reason else ""))
    session.replay_log.append(source)
    session.harness = name
    return name


def request(session: KernelSession, op: dict, arrays: dict[str, np.ndarray],
            what: str) -> tuple[dict, dict[str, np.ndarray]]:
    """Send one request; the raw response (skeleton, arrays)."""
    ensure_kernel(session, what)
    harness = install_harness(session)
    nonce = os.urandom(8).hex()
    req, resp = session.workdir / f".req-{nonce}.npz", session.workdir / f".resp-{nonce}.npz"
    write_request(req, op, arrays)
    run = session.run_cell(f"{harness}({str(req)!r}, {str(resp)!r})", capture=False)
    try:
        if run.died or run.timed_out:
            incident = f"{what}: {run.reason or 'the kernel died'}"
            session.incidents.append(incident)
            raise KernelFailure(incident)
        return read_response(resp, what)
    finally:
        for p in (req, resp):
            try:
                p.unlink()
            except OSError:
                pass


def ensure_kernel(session: KernelSession, what: str) -> None:
    """A kernel killed by an earlier call is restarted (and replayed) first."""
    if session.alive():
        return
    try:
        session.revive()  # the replay log holds the harness too
    except SessionError as exc:
        raise RemoteError(f"{what}: the notebook's kernel could not be restarted ({exc})") \
            from None


def error_from(skeleton: dict, what: str) -> RemoteError | None:
    err = skeleton.get("error")
    if err is None:
        return None
    if not isinstance(err, dict):
        return RemoteError(f"{what}: the kernel's answer was unreadable")
    kind = str(err.get("type", "Exception"))[:100]
    message = str(err.get("message", ""))[:2000]
    return RemoteError(f"{what} raised {kind}: {message}" if message else f"{what} raised {kind}")


class RemoteFunction:
    """A callable proxy for a function defined in the student's notebook."""

    def __init__(self, session: KernelSession, name: str, forbid: tuple[str, ...] = ()):
        self.session, self.name, self.forbid = session, name, tuple(forbid)
        self.forbidden_used: set[str] = set()

    def __repr__(self) -> str:
        return f"<notebook function {self.name}>"

    def __call__(self, *args, **kwargs):
        failed = self.session.failed_calls.get(self.name)
        if failed:  # a function that hung or crashed once would cost that again per test
            raise RemoteError(f"{self.name}() was not called again after: {failed}")
        arrays: dict[str, np.ndarray] = {}
        op = {"op": "call", "name": self.name, "forbid": list(self.forbid),
              "args": encode(list(args), arrays), "kwargs": encode(kwargs, arrays)}
        try:
            skeleton, out = request(self.session, op, arrays, f"{self.name}()")
        except KernelFailure as exc:
            self.session.failed_calls[self.name] = str(exc).split(": ", 1)[-1]
            raise
        used = skeleton.get("forbidden_used", [])
        self.forbidden_used.update(str(u) for u in used if isinstance(used, list))
        error = error_from(skeleton, f"{self.name}()")
        if error is not None:
            raise error
        return decode(skeleton.get("ok"), out, f"{self.name}()")


def fetch_value(session: KernelSession, name: str) -> Any:
    """A notebook variable's value as plain data (RemoteError if it cannot be)."""
    skeleton, out = request(session, {"op": "fetch", "name": name}, {}, name)
    error = error_from(skeleton, name)
    if error is not None:
        raise error
    return decode(skeleton.get("ok"), out, name)


def describe(session: KernelSession, name: str) -> str:
    """"callable", "value" or "missing" for a name in the notebook's namespace."""
    skeleton, _ = request(session, {"op": "describe", "name": name}, {}, name)
    kind = skeleton.get("ok")
    return kind if kind in ("callable", "value", "missing") else "missing"
