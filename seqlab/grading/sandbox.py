"""Start one submission's worker behind its supervisor, and talk to it (trusted side).

:class:`Sandbox` owns one temporary directory, one supervisor process (see
:mod:`seqlab.grading._supervisor`) and the two pipes to the worker (see
:mod:`seqlab.grading._worker`).  Every read has a deadline; anything the worker sends is
parsed as JSON frames of bounded size, and arrays are rebuilt with ``numpy.frombuffer``
after their length has been checked against their shape -- never with pickle.

Layers, all on by default (Linux only):

* a separate ``python -I -S`` process in a fresh temporary directory (not the course
  directory), in its own session, with a scrubbed environment;
* resource limits: address space (``--memory``), CPU time, file size, open files, no core
  dumps, and a process count limit;
* a wall-clock limit (``--timeout``) enforced by the supervisor, which also kills every
  descendant (it is a child subreaper) before it reports;
* when the grader runs as root, the worker drops to the unprivileged user ``nobody``
  before any submitted code runs (so it cannot raise its limits, signal the grader or
  read root-only files);
* Linux Landlock where the kernel has it: the worker may read only the Python standard
  library, NumPy and system libraries, write only its temporary directory, execute
  nothing, open no TCP connection, and (kernel ≥ 6.12) signal no process outside its
  sandbox.  So the course directory, the source notebooks, the grade file and the other
  submissions are out of reach;
* imports of the reference (``seqlab``) and of other numerical libraries are refused.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import struct
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import numpy as np

from . import _worker

_HERE = Path(__file__).resolve().parent
WORKER_SOURCE = (_HERE / "_worker.py").read_text(encoding="utf-8")
SUPERVISOR_SOURCE = (_HERE / "_supervisor.py").read_text(encoding="utf-8")

#: Frames from a worker larger than this are a protocol violation.
MAX_FRAME = 32 * 1024 * 1024
#: Top-level packages a submission may not import.
BLOCKED_IMPORTS = ("seqlab", "torch", "scipy", "sklearn", "jax", "jaxlib", "tensorflow", "keras",
                   "numba", "autograd", "nbgrader", "IPython", "ipykernel", "pandas")
NOBODY = 65534


class WorkerGone(Exception):
    """The worker ended, broke the protocol, or ran out of time before answering."""


def landlock_abi() -> int:
    """The Landlock ABI version of this kernel (0 when Landlock is unavailable)."""
    if not sys.platform.startswith("linux"):
        return 0
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(abi), 0)


def _readable_roots() -> list[str]:
    """Directories the worker may read: the standard library, NumPy, system libraries."""
    numpy_dir = Path(np.__file__).resolve().parent
    roots = {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"],
             str(Path(os.__file__).resolve().parent), str(numpy_dir),
             str(numpy_dir.parent / "numpy.libs"), "/lib", "/lib64", "/usr/lib", "/usr/lib64",
             "/etc/ld.so.cache", "/usr/share/zoneinfo"}
    dynload = Path(sysconfig.get_paths()["platstdlib"]) / "lib-dynload"
    roots.add(str(dynload))
    return sorted(r for r in roots if os.path.exists(r))


def _count_processes(uid: int) -> int:
    n = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


class Sandbox:
    """One worker for one submission.  Use as a context manager."""

    def __init__(self, *, timeout: float, memory_mb: int, landlock: bool = True,
                 drop_privileges: bool = True, blocked=BLOCKED_IMPORTS):
        self.timeout = float(timeout)
        self.memory_mb = int(memory_mb)
        self.landlock = landlock
        self.drop = drop_privileges and os.geteuid() == 0
        self.blocked = tuple(blocked)
        self.report: dict | None = None
        self.protocol_error: str | None = None
        self._buffer = b""

    # ------------------------------------------------------------------ start / stop
    def __enter__(self) -> "Sandbox":
        self.tmp = tempfile.mkdtemp(prefix="seqlab-grade-")
        if self.drop:
            os.chown(self.tmp, NOBODY, NOBODY)
        os.chmod(self.tmp, 0o700)
        self.log = tempfile.TemporaryFile()
        job_r, self._job_w = os.pipe()
        self._res_r, res_w = os.pipe()
        python = sys.executable
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": self.tmp,
               "TMPDIR": self.tmp, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        uid = NOBODY if self.drop else os.getuid()
        config = {
            "parent": os.getpid(), "result_fd": res_w, "timeout": self.timeout,
            "memory_bytes": self.memory_mb * 1024 * 1024,
            "cpu_seconds": int(self.timeout) + 1,
            "nproc": _count_processes(uid) + 64,
            "argv": [sys.executable, "-I", "-S", "-c", WORKER_SOURCE], "env": env,
        }
        self.started = time.monotonic()
        self.deadline = self.started + self.timeout + 5.0
        try:
            self.proc = subprocess.Popen(
                [python, "-I", "-S", "-c", SUPERVISOR_SOURCE, json.dumps(config)],
                stdin=job_r, stdout=subprocess.PIPE, stderr=self.log, pass_fds=(res_w,),
                cwd=self.tmp, env=env, close_fds=True)
        except BaseException:
            for fd in (self._job_w, self._res_r):
                os.close(fd)
            self.log.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        finally:
            os.close(job_r)
            os.close(res_w)
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> dict:
        """Wait for the supervisor (which kills every process of the submission) and clean up."""
        if self.report is not None:
            return self.report
        for fd in (self._job_w,):
            try:
                os.close(fd)
            except OSError:
                pass
        # drain the result channel until every holder of its write end is gone
        try:
            while self._read_some(max(0.1, self.deadline + 5.0 - time.monotonic())):
                if len(self._buffer) > MAX_FRAME:
                    self._buffer = b""
        except WorkerGone:
            pass
        os.close(self._res_r)
        try:
            out, _ = self.proc.communicate(timeout=max(1.0, self.deadline + 10.0 - time.monotonic()))
        except subprocess.TimeoutExpired:  # the supervisor itself is stuck: last resort
            self.proc.kill()
            out, _ = self.proc.communicate()
        try:
            self.report = json.loads(out.decode("utf-8", "replace").strip().splitlines()[-1])
        except (ValueError, IndexError):
            self.report = {"exit_code": None, "signal": None, "timed_out": False,
                           "supervisor_failed": self.proc.returncode}
        self.report["log_tail"] = self._log_tail()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return self.report

    def _log_tail(self, n: int = 2000) -> str:
        self.log.seek(0, os.SEEK_END)
        size = self.log.tell()
        self.log.seek(max(0, size - n))
        return self.log.read().decode("utf-8", "replace")

    # ------------------------------------------------------------------ frames
    def send(self, message: dict) -> None:
        data = _worker.encode_frame(message)
        view = memoryview(data)
        try:
            while view:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    raise WorkerGone("timeout")
                _, ready, _ = select.select([], [self._job_w], [], remaining)
                if ready:
                    view = view[os.write(self._job_w, view[:65536]):]
        except (BrokenPipeError, OSError) as exc:
            raise WorkerGone(f"channel closed ({type(exc).__name__})") from None

    def _read_some(self, timeout: float) -> bool:
        if timeout <= 0:
            raise WorkerGone("timeout")
        ready, _, _ = select.select([self._res_r], [], [], timeout)
        if not ready:
            raise WorkerGone("timeout")
        chunk = os.read(self._res_r, 1 << 20)
        if not chunk:
            return False
        self._buffer += chunk
        return True

    def receive(self) -> dict:
        """The next frame from the worker, as validated JSON."""
        while True:
            if len(self._buffer) >= 4:
                (n,) = struct.unpack(">I", self._buffer[:4])
                if n > MAX_FRAME:
                    self.protocol_error = "the worker sent an oversized message"
                    raise WorkerGone(self.protocol_error)
                if len(self._buffer) >= 4 + n:
                    body, self._buffer = self._buffer[4:4 + n], self._buffer[4 + n:]
                    try:
                        message = json.loads(body.decode("utf-8"))
                    except (ValueError, UnicodeDecodeError, RecursionError):
                        self.protocol_error = "the worker sent a malformed message"
                        raise WorkerGone(self.protocol_error) from None
                    if not isinstance(message, dict):
                        self.protocol_error = "the worker sent a malformed message"
                        raise WorkerGone(self.protocol_error)
                    return message
            if not self._read_some(self.deadline - time.monotonic()):
                raise WorkerGone("the worker ended")

    # ------------------------------------------------------------------ high level
    def start(self, *, setup_code: str, cells: list[tuple[str, str]], modules: dict[str, str]) -> dict:
        """Send the setup (answer cells included); returns the worker's ``ready`` message."""
        sandbox = {"uid": NOBODY if self.drop else None, "landlock": self.landlock,
                   "read": _readable_roots(), "write": [self.tmp],
                   "files_rw": ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"]}
        self.send({"type": "setup", "numpy_parent": str(Path(np.__file__).resolve().parent.parent),
                   "sandbox": sandbox, "blocked": list(self.blocked), "modules": modules,
                   "setup_code": setup_code, "cells": [list(c) for c in cells]})
        ready = self.receive()
        if ready.get("type") != "ready":
            self.protocol_error = "the worker sent an unexpected message"
            raise WorkerGone(self.protocol_error)
        return ready

    def call(self, tag: str, function: str, cases: list[dict], arrays: dict[str, np.ndarray],
             outputs: list[tuple[str, tuple]]) -> list[dict]:
        """Call ``function`` on every case in the worker; returns one raw result per case."""
        self.send({"type": "call", "tag": tag, "function": function, "cases": cases,
                   "arrays": {k: _worker.pack_array(v) for k, v in arrays.items()},
                   "outputs": [[label, list(path)] for label, path in outputs]})
        message = self.receive()
        results = message.get("cases")
        if message.get("type") != "result" or message.get("tag") != tag or not isinstance(results, list) \
                or len(results) != len(cases):
            self.protocol_error = "the worker sent an unexpected message"
            raise WorkerGone(self.protocol_error)
        return results

    def finish(self) -> None:
        try:
            self.send({"type": "done"})
        except WorkerGone:
            pass

