"""The untrusted side of ``seqlab grade``: runs the answer cells of ONE submission.

This file is self-contained (standard library and NumPy only) because it is not imported
as part of :mod:`seqlab` in the sandbox: the grader starts it as
``python -I -S -c <this source>`` in an empty temporary directory, so neither the
installed ``seqlab`` (the reference implementation) nor any other site package is on its
path.  It is also imported by the trusted side for the few pure helpers it shares
(:func:`build_value`, :func:`extract`, :func:`pack_array`): one definition of how a call
is assembled and how its results become plain numbers, in the notebook checks and in the
grader alike.

Protocol (every message is a frame: 4-byte big-endian length, then UTF-8 JSON):

* fd 0, trusted → worker: first a ``setup`` message (paths, sandbox settings, the modules
  the notebook may import, the setup code, the answer cells), then ``call`` messages,
  then ``done``.
* fd 3, worker → trusted: ``ready`` (after the cells ran: which cells raised what), then
  one ``result`` per ``call``.  Results hold only numbers: every output is converted
  *here* with ``numpy.asarray(..., dtype=float64)`` and sent as its shape and raw
  little-endian float64 bytes (base64); the trusted side rebuilds arrays with
  ``numpy.frombuffer``.  No pickle, no object crosses.

Nothing the code in the submission does here can change a grade except the numbers it
returns for the inputs it is given: comparisons run in the trusted process.
"""
from __future__ import annotations

import base64
import builtins
import json
import os
import struct
import sys
import traceback

RESULT_FD = 3
MAX_MESSAGE = 256 * 1024 * 1024
_CELL_PREFIX = "<answer cell "


# --------------------------------------------------------------------------- frames
def encode_frame(obj) -> bytes:
    data = json.dumps(obj, separators=(",", ":"), allow_nan=True).encode("utf-8")
    return struct.pack(">I", len(data)) + data


def _read_exact(fd: int, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("channel closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd: int):
    (n,) = struct.unpack(">I", _read_exact(fd, 4))
    if n > MAX_MESSAGE:
        raise ValueError("message too large")
    return json.loads(_read_exact(fd, n).decode("utf-8"))


def write_frame(fd: int, obj) -> None:
    data = encode_frame(obj)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


# --------------------------------------------------------------------------- arrays
def pack_array(a) -> dict:
    """A float64 array as plain data: its shape and base64 little-endian bytes."""
    import numpy as np
    arr = np.array(a, dtype="<f8", order="C")  # (ascontiguousarray would make a scalar 1-D)
    return {"shape": [int(s) for s in arr.shape], "data": base64.b64encode(arr.tobytes()).decode("ascii")}


def unpack_array(d: dict):
    """The inverse of :func:`pack_array` (used on messages from the trusted side only)."""
    import numpy as np
    return np.frombuffer(base64.b64decode(d["data"]), dtype="<f8").reshape(d["shape"]).astype(np.float64)


# --------------------------------------------------------------------------- calls
def build_value(node, arrays: dict, refs: dict):
    """Assemble one argument from its description.

    ``{"$": "arr", "n": name}`` is a fresh copy of a named input array; ``"tuple"``,
    ``"list"``, ``"dict"`` build containers; ``{"$": "ref", "n": name}`` is an object
    built earlier (so that, as in a real forward pass, every cache shares one parameter
    dict); ``{"$": "none"}`` is ``None``; JSON numbers, strings and booleans are themselves.
    """
    if isinstance(node, dict):
        kind = node.get("$")
        if kind == "arr":
            return arrays[node["n"]].copy()
        if kind == "tuple":
            return tuple(build_value(v, arrays, refs) for v in node["v"])
        if kind == "list":
            return [build_value(v, arrays, refs) for v in node["v"]]
        if kind == "dict":
            return {k: build_value(v, arrays, refs) for k, v in node["v"].items()}
        if kind == "ref":
            return refs[node["n"]]
        if kind == "none":
            return None
        raise ValueError(f"unknown argument node {kind!r}")
    return node


def build_call(case: dict, arrays: dict):
    """(args, kwargs) of one call; ``case`` has ``defs``, ``args`` and ``kwargs``."""
    refs: dict = {}
    for name, node in case.get("defs", []):
        refs[name] = build_value(node, arrays, refs)
    args = [build_value(v, arrays, refs) for v in case.get("args", [])]
    kwargs = {k: build_value(v, arrays, refs) for k, v in case.get("kwargs", {}).items()}
    return args, kwargs


def extract(root, path):
    """Follow ``path`` (ints index tuples/lists, strings key dicts) into ``root``."""
    value = root
    for step in path:
        value = value[step]
    return value


def convert_output(value) -> dict:
    """One returned value as plain numbers: ``{"shape", "data", "dtype", "type"}``,
    ``{"none": True}`` or ``{"error": message}`` if it is not an array of numbers."""
    import numpy as np
    if value is None:
        return {"none": True}
    type_name = type(value).__name__[:40]
    dtype = str(getattr(value, "dtype", ""))[:20]
    try:
        arr = np.array(value, dtype=np.float64, copy=True)
    except Exception as exc:  # anything the value's own methods raise
        return {"error": f"{type_name} is not an array of numbers ({type(exc).__name__})", "type": type_name}
    if not isinstance(arr, np.ndarray) or arr.dtype != np.float64:
        return {"error": f"{type_name} is not an array of numbers", "type": type_name}
    out = pack_array(arr)
    out.update(dtype=dtype, type=type_name)
    return out


def describe_exception(exc: BaseException) -> dict:
    """Type, message and the line of the answer cell where ``exc`` was raised."""
    where = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(_CELL_PREFIX):
            where = {"cell": frame.filename[len(_CELL_PREFIX):-1], "line": frame.lineno,
                     "code": (frame.line or "")[:200]}
    try:
        message = str(exc)[:500]
    except Exception:
        message = "(message unavailable)"
    return {"type": type(exc).__name__[:80], "message": message, "where": where,
            "not_implemented": isinstance(exc, NotImplementedError),
            "memory": isinstance(exc, MemoryError)}


def call_function(fn, case: dict, arrays: dict, outputs: list) -> dict:
    """Call ``fn`` on one case and convert the requested outputs."""
    try:
        args, kwargs = build_call(case, arrays)
        returned = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 -- SystemExit/KeyboardInterrupt included
        return {"exception": describe_exception(exc)}
    roots = {"r": returned, "a": args, "k": kwargs}
    converted = {}
    for label, path in outputs:
        try:
            value = extract(roots[path[0]], path[1:])
        except BaseException as exc:  # noqa: BLE001
            converted[label] = {"missing": f"{type(exc).__name__}: {str(exc)[:200]}"}
            continue
        try:
            converted[label] = convert_output(value)
        except BaseException as exc:  # noqa: BLE001
            converted[label] = {"error": f"could not be read ({type(exc).__name__})"}
    return {"outputs": converted}


# --------------------------------------------------------------------------- sandbox
def _landlock(paths_ro, paths_rw, files_rw):  # pragma: no cover - runs only in the sandboxed worker
    """Prepare a Linux Landlock ruleset: read only ``paths_ro``, write only ``paths_rw``, no
    execve anywhere, no TCP, no signals or abstract sockets outside the sandbox (where the
    kernel supports them).  The rules are made now (while every path can be opened);
    returns a function that applies them to this process and its future children and
    says what was done."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    SYS_CREATE, SYS_ADD, SYS_RESTRICT = 444, 445, 446
    abi = syscall(SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return lambda: "unavailable"
    EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1, 2, 4, 8
    fs_all = (1 << 13) - 1
    if abi >= 2:
        fs_all |= 1 << 13          # REFER
    if abi >= 3:
        fs_all |= 1 << 14          # TRUNCATE
    if abi >= 5:
        fs_all |= 1 << 15          # IOCTL_DEV
    file_rights = EXECUTE | WRITE_FILE | READ_FILE | (1 << 14 if abi >= 3 else 0) | (1 << 15 if abi >= 5 else 0)
    net = 3 if abi >= 4 else 0       # BIND_TCP | CONNECT_TCP
    scoped = 3 if abi >= 6 else 0    # ABSTRACT_UNIX_SOCKET | SIGNAL

    class RulesetAttr(ctypes.Structure):
        _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]

    attr = RulesetAttr(fs_all, net, scoped)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    rfd = syscall(SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if rfd < 0:
        return lambda: "unavailable"
    rw_dir = fs_all & ~EXECUTE
    for path, rights in ([(p, READ_FILE | READ_DIR) for p in paths_ro]
                         + [(p, rw_dir) for p in paths_rw]
                         + [(p, READ_FILE | WRITE_FILE) for p in files_rw]):
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            if not os.path.isdir(path):
                rights &= file_rights
            rule = PathBeneath(rights, fd)
            syscall(SYS_ADD, ctypes.c_int(rfd), ctypes.c_int(1), ctypes.byref(rule), ctypes.c_uint32(0))
        finally:
            os.close(fd)

    def enforce() -> str:
        try:
            if libc.prctl(38, 1, 0, 0, 0) != 0:   # PR_SET_NO_NEW_PRIVS
                raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
            if syscall(SYS_RESTRICT, ctypes.c_int(rfd), ctypes.c_uint32(0)) != 0:
                raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
        finally:
            os.close(rfd)
        return f"landlock ABI {abi}"
    return enforce


def _drop_privileges(uid: int | None) -> bool:  # pragma: no cover - runs only in the sandboxed worker
    """When started as root, become ``uid`` (nobody) for good: no capability is left to
    raise a limit, signal the grader or read its files, and the process-count limit
    applies.  Returns whether privileges were dropped."""
    if uid is None or os.geteuid() != 0:
        return False
    import_roots = _import_roots()
    fds = {root: os.open(root, os.O_RDONLY | os.O_DIRECTORY) for root in import_roots}
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.geteuid() == 0 or os.getuid() == 0:
        raise RuntimeError("could not drop root privileges")
    _keep_imports_reachable({root: f"/proc/self/fd/{fd}" for root, fd in fds.items()})
    return True


def _import_roots() -> list[str]:  # pragma: no cover - runs only in the sandboxed worker
    """The directories imports come from: the standard library and NumPy's packages."""
    roots = [p for p in sys.path if p and os.path.isdir(p)]
    numpy = sys.modules["numpy"]
    roots.extend(os.path.realpath(p) for p in numpy.__path__)
    return sorted(set(roots), key=len, reverse=True)


def _keep_imports_reachable(mapping: dict) -> None:  # pragma: no cover - runs only in the sandboxed worker
    """After dropping root, the Python installation may sit in a directory ``nobody`` cannot
    enter (``/root/...``).  Directories opened before the drop stay usable through
    ``/proc/self/fd/N``: point ``sys.path`` and the packages' ``__path__`` there."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(4, 1, 0, 0, 0)   # PR_SET_DUMPABLE: own /proc/self/fd

    def remap(path):
        for root, alias in mapping.items():
            if path == root or path.startswith(root + os.sep):
                return alias + path[len(root):]
        return path
    sys.path[:] = [remap(p) for p in sys.path]
    for module in list(sys.modules.values()):
        paths = getattr(module, "__path__", None)
        if isinstance(paths, list):
            paths[:] = [remap(os.path.realpath(p)) for p in paths]
    sys.path_importer_cache.clear()


class _ImportBlocker:  # pragma: no cover - runs only in the sandboxed worker
    """A meta-path finder that refuses the reference implementation and its kin."""

    def __init__(self, blocked):
        self.blocked = tuple(blocked)

    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in self.blocked:
            raise ImportError(f"import of {name!r} is not allowed while grading "
                              "(write the code yourself; only numpy and the standard library are available)")
        return None

    def find_module(self, name, path=None):  # pragma: no cover - legacy protocol
        self.find_spec(name, path)
        return None


def _install_modules(modules: dict) -> None:  # pragma: no cover - runs only in the sandboxed worker
    """Register the helper modules the notebook imports (sources sent by the grader)."""
    import types
    for name in sorted(modules, key=lambda n: n.count(".")):
        parts = name.split(".")
        for i in range(1, len(parts)):
            parent = ".".join(parts[:i])
            if parent not in sys.modules:
                pkg = types.ModuleType(parent)
                pkg.__path__ = []
                sys.modules[parent] = pkg
        module = types.ModuleType(name)
        module.__file__ = f"<{name}>"
        sys.modules[name] = module
        exec(compile(modules[name], f"<{name}>", "exec"), module.__dict__)
        if len(parts) > 1:
            setattr(sys.modules[".".join(parts[:-1])], parts[-1], module)


def _prepare(setup: dict) -> dict:  # pragma: no cover - runs only in the sandboxed worker
    """Import NumPy from the grader's environment, then lock the process down."""
    sys.path.append(setup["numpy_parent"])
    import numpy  # noqa: F401
    for sub in ("numpy.random", "numpy.linalg", "numpy.fft", "numpy.lib.stride_tricks"):
        __import__(sub)
    sys.path.remove(setup["numpy_parent"])
    import copy, math, random, itertools, functools, collections  # noqa: F401,E401
    sandbox = setup.get("sandbox", {})
    enforce = None
    if sandbox.get("landlock", True):
        enforce = _landlock(sandbox.get("read", []), sandbox.get("write", []), sandbox.get("files_rw", []))
    _drop_privileges(sandbox.get("uid"))
    state = enforce() if enforce is not None else "off"
    sys.meta_path.insert(0, _ImportBlocker(setup.get("blocked", [])))
    for name in list(sys.modules):
        if name.split(".")[0] in setup.get("blocked", []):
            del sys.modules[name]
    _install_modules(setup.get("modules", {}))
    return {"landlock": state, "uid": os.geteuid()}


def _run_cells(setup: dict, namespace: dict) -> dict:  # pragma: no cover - runs only in the sandboxed worker
    errors = {}
    exec(compile(setup.get("setup_code", ""), "<setup>", "exec"), namespace)
    import linecache
    for grade_id, source in setup.get("cells", []):
        filename = f"{_CELL_PREFIX}{grade_id}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            exec(compile(source, filename, "exec"), namespace)
        except BaseException as exc:  # noqa: BLE001 -- a cell may raise anything, even SystemExit
            errors[grade_id] = describe_exception(exc)
    return errors


def main() -> None:  # pragma: no cover - runs only in the sandboxed worker
    out = RESULT_FD
    setup = read_frame(0)
    state = _prepare(setup)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    errors = _run_cells(setup, namespace)
    write_frame(out, {"type": "ready", "cell_errors": errors, "sandbox": state})
    while True:
        msg = read_frame(0)
        if msg.get("type") != "call":
            break
        fn = namespace.get(msg["function"])
        arrays = {k: unpack_array(v) for k, v in msg["arrays"].items()}
        if not callable(fn):
            results = [{"undefined": True}] * len(msg["cases"])
        else:
            results = []
            for case in msg["cases"]:
                # after an exception the question has failed: do not run (or wait for) the rest
                results.append(results[-1] if results and "exception" in results[-1]
                               else call_function(fn, case, arrays, msg["outputs"]))
        write_frame(out, {"type": "result", "tag": msg["tag"], "cases": results})
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
