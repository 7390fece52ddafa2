"""The per-submission supervisor of ``seqlab grade`` (trusted, standard library only).

Started by the grader as ``python -I -S -c <this source> CONFIG_JSON`` with

* fd 0: the channel the grader writes to (handed to the worker as its fd 0),
* fd 1: where this supervisor writes its one-line JSON report at the end,
* fd 2: the log file that becomes the worker's stdout and stderr,
* ``CONFIG["result_fd"]``: the channel the worker answers on (handed to it as fd 3).

It makes itself a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``), so every
process the worker starts -- even one that double-forks and calls ``setsid()`` to detach --
is re-parented to it when its parent exits.  It starts the worker in a new session with
resource limits, waits for it with a wall-clock limit, then SIGKILLs and reaps every
remaining descendant until it has no child left, and only then reports and exits.  The
grader writes the grade file only after every supervisor has exited, so no process a
submission started can outlive the grading of that submission.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


class _Stop(Exception):
    """Raised by the signal handler: the grader is shutting down."""


def _on_signal(signum, frame):  # pragma: no cover - runs only in the supervisor process
    raise _Stop(signum)


def _children(me: int) -> list[int]:
    """The pids whose parent is ``me`` (from /proc)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == me:
            kids.append(int(entry))
    return kids


def sweep() -> int:  # pragma: no cover - runs only in the supervisor process
    """SIGKILL and reap every child (re-parented descendants included) until none is left."""
    me = os.getpid()
    killed = 0
    while True:
        kids = _children(me)
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        reaped = False
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return killed
            if pid == 0:
                break
            reaped = True
        if not kids and not reaped:
            time.sleep(0.002)


def _limits(cfg: dict) -> None:  # pragma: no cover - runs only in the supervisor process
    """Resource limits of the worker (set in the child before exec)."""
    def setlim(which, soft, hard=None):
        hard = soft if hard is None else hard
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass
    if cfg.get("memory_bytes"):
        setlim(resource.RLIMIT_AS, cfg["memory_bytes"])
    if cfg.get("cpu_seconds"):
        setlim(resource.RLIMIT_CPU, cfg["cpu_seconds"], cfg["cpu_seconds"] + 2)
    setlim(resource.RLIMIT_FSIZE, cfg.get("file_bytes", 64 << 20))
    setlim(resource.RLIMIT_NOFILE, 256)
    setlim(resource.RLIMIT_CORE, 0)
    if cfg.get("nproc"):
        setlim(resource.RLIMIT_NPROC, cfg["nproc"])


def _start_worker(cfg: dict) -> int:  # pragma: no cover - runs only in the supervisor process
    pid = os.fork()
    if pid == 0:  # the worker, before exec
        try:
            os.setsid()
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            os.dup2(2, 1)
            if cfg["result_fd"] != 3:
                os.dup2(cfg["result_fd"], 3)
                os.close(cfg["result_fd"])
            os.set_inheritable(3, True)
            os.closerange(4, 1 << 16)
            _limits(cfg)
            os.execve(cfg["argv"][0], cfg["argv"], cfg["env"])
        finally:
            os._exit(127)
    return pid


def _wait(pid: int, deadline: float):  # pragma: no cover - runs only in the supervisor process
    """Wait for the worker until ``deadline``; returns (status or None if still running)."""
    pidfd = os.pidfd_open(pid)
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([pidfd], [], [], remaining)
            if ready:
                _, status = os.waitpid(pid, 0)
                return status
    finally:
        os.close(pidfd)


def main() -> None:  # pragma: no cover - runs only in the supervisor process
    cfg = json.loads(sys.argv[1])
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("prctl(PR_SET_CHILD_SUBREAPER) failed")
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    report = {"exit_code": None, "signal": None, "timed_out": False, "stopped": False}
    start = time.monotonic()
    try:
        if os.getppid() != cfg["parent"]:
            raise _Stop(0)
        pid = _start_worker(cfg)
        os.close(0)
        os.close(cfg["result_fd"])
        status = _wait(pid, start + cfg["timeout"])
        if status is None:
            report["timed_out"] = True
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status):
            report["exit_code"] = os.WEXITSTATUS(status)
        elif os.WIFSIGNALED(status):
            report["signal"] = os.WTERMSIG(status)
    except _Stop:
        report["stopped"] = True
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        report["descendants_killed"] = sweep()
        report["wall_seconds"] = round(time.monotonic() - start, 3)
        os.write(1, (json.dumps(report) + "\n").encode())


if __name__ == "__main__":  # pragma: no cover
    main()
