"""Grade a batch of submissions: one sandboxed worker each, grades.csv, feedback files.

Everything that decides a grade happens in this (trusted) process: the hidden inputs are
drawn here from a fresh random seed for every submission, the expected results are
computed here with the reference (:mod:`seqlab.numpy`), and the comparisons run here on
arrays rebuilt from plain numbers.  The worker only runs the answer cells and returns the
numbers its functions produce (see :mod:`seqlab.grading.sandbox`).
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import signal
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..assignments._core import Case, Question, Verdict, _str, assess, pack_cases
from .sandbox import Sandbox, WorkerGone, landlock_abi
from .spec import AssignmentSpec

#: A submission larger than this is not read.
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
_MAGIC = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)


@dataclass
class SubmissionResult:
    """The grade of one submission."""

    submission: str
    scores: dict[str, float]
    verdicts: dict[str, Verdict]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))


# --------------------------------------------------------------------------- reading
def read_answer_cells(path: str | Path, spec: AssignmentSpec) -> tuple[list[tuple[str, str]], list[str]]:
    """The code of the submission's answer cells, matched by nbgrader ``grade_id``.

    Only code cells whose ``grade_id`` is one of the spec's answer cells are kept, in
    notebook order; every other cell (setup, tests, cells the student added) is ignored.
    Lines that are IPython magics or shell escapes (``%...``, ``!...``) become ``pass``:
    there is no IPython in the worker.
    """
    notes: list[str] = []
    with open(path, "rb") as f:
        data = f.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the notebook is larger than {MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB")
    nb = json.loads(data.decode("utf-8"))
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("not a Jupyter notebook (no list of cells)")
    wanted = set(spec.solution_cells)
    cells: list[tuple[str, str]] = []
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata")
        grade_id = meta.get("nbgrader", {}).get("grade_id") if isinstance(meta, dict) \
            and isinstance(meta.get("nbgrader"), dict) else None
        if grade_id not in wanted:
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        source, n = _MAGIC.subn(lambda m: m.group(1) + "pass", source)
        if n:
            notes.append(f"{n} IPython magic line(s) in cell '{grade_id}' were ignored.")
        cells.append((grade_id, source))
    found = {g for g, _ in cells}
    for grade_id in spec.solution_cells:
        if grade_id not in found:
            notes.append(f"the answer cell '{grade_id}' is missing from the notebook.")
    return cells, notes


# --------------------------------------------------------------------------- one submission
def _gone_message(report: dict, timeout: float, memory_mb: int, protocol_error: str | None) -> str:
    """Why the worker stopped answering, in words."""
    sig = report.get("signal")
    log = report.get("log_tail", "")
    if report.get("timed_out"):
        return f"timed out after {timeout:g} s"
    if sig == signal.SIGXCPU:
        return f"timed out: used more than {int(timeout) + 1} s of CPU time"
    if "MemoryError" in log or (sig in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS)
                                and "memory" in log.lower()):
        return f"exceeded the memory limit of {memory_mb} MB"
    if protocol_error:
        return f"crashed: {protocol_error} (the submission interfered with the grader's channel)"
    if sig is not None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        hint = f"; it may have exceeded the memory limit of {memory_mb} MB" if sig in (
            signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS) else ""
        return f"crashed: the submission's process was killed by {name}{hint}"
    if report.get("exit_code") is not None:
        return (f"crashed: the submission's process exited with status {report['exit_code']} before answering "
                "(does the code call os._exit, sys.exit or exit?)")
    if report.get("stopped"):
        return "grading was interrupted"
    return "crashed before answering"


def _cell_error_notes(errors: object, memory_mb: int) -> list[str]:
    notes = []
    if not isinstance(errors, dict):
        return notes
    for grade_id, exc in list(errors.items())[:20]:
        if not isinstance(exc, dict):
            continue
        where = exc.get("where")
        line = f" (line {where['line']})" if isinstance(where, dict) and isinstance(where.get("line"), int) else ""
        kind = _str(exc.get("type", "Exception"), 80)
        message = _str(exc.get("message", ""))
        what = f"{kind}: {message}" if message else kind
        if exc.get("memory") is True:
            what = f"MemoryError: it exceeded the memory limit of {memory_mb} MB"
        notes.append(f"running the answer cell '{str(grade_id)[:80]}' raised {what}{line}")
    return notes


def _memory_message(verdict: Verdict, memory_mb: int) -> Verdict:
    if "ran out of memory" in verdict.message:
        verdict.message = verdict.message.replace(
            "ran out of memory (MemoryError)", f"exceeded the memory limit of {memory_mb} MB (MemoryError)")
    return verdict


def grade_submission(path: str, spec: AssignmentSpec, *, timeout: float = 60.0, memory_mb: int = 1024,
                     landlock: bool = True, seed: int | None = None) -> SubmissionResult:
    """Grade one notebook in its own sandboxed worker."""
    started = time.monotonic()
    questions = spec.questions
    scores = {q.id: 0.0 for q in questions}
    verdicts: dict[str, Verdict] = {}
    try:
        cells, notes = read_answer_cells(path, spec)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        message = f"could not read the notebook: {exc}"
        for q in questions:
            verdicts[q.id] = Verdict(False, "unreadable", message)
        return SubmissionResult(path, scores, verdicts, [message], time.monotonic() - started)
    rng = np.random.default_rng(secrets.randbits(128) if seed is None else seed)
    pending: list[Question] = list(questions)
    gone = False
    with Sandbox(timeout=timeout, memory_mb=memory_mb, landlock=landlock) as box:
        try:
            ready = box.start(setup_code=spec.setup_code, cells=cells, modules=spec.module_sources())
            notes.extend(_cell_error_notes(ready.get("cell_errors"), memory_mb))
            while pending:
                q = pending[0]
                try:
                    verdict = _grade_question(box, q, rng)
                except WorkerGone:
                    raise
                except Exception as exc:  # a fault of the grader must not stop the batch
                    verdict = Verdict(False, "error", f"{q.function}: could not be graded "
                                      f"(internal error {type(exc).__name__}: {exc}); please report it.")
                verdicts[q.id] = _memory_message(verdict, memory_mb)
                scores[q.id] = float(q.points) if verdict.passed else 0.0
                pending.pop(0)
        except WorkerGone:
            gone = True
        box.finish()
    report = box.report or {}
    if gone or pending:
        reason = _gone_message(report, timeout, memory_mb, box.protocol_error)
        for q in pending:
            verdicts[q.id] = Verdict(False, "gone", f"{q.function}: not graded -- {reason}.")
        notes.append(f"the submission's process stopped: {reason}.")
    _add_dependency_hints(questions, verdicts)
    return SubmissionResult(path, scores, verdicts, notes, time.monotonic() - started)


def _grade_question(box: Sandbox, q: Question, rng: np.random.Generator) -> Verdict:
    cases = q.hidden_cases(rng)
    paths = [(o.label, o.path) for o in q.outputs]
    counter = iter(range(1_000_000))

    def run(batch: list[Case]) -> list:
        packed, arrays = pack_cases(batch)
        return box.call(f"{q.id}:{next(counter)}", q.function, packed, arrays, paths)

    return assess(q, cases, run)  # WorkerGone from the graded call propagates


def _add_dependency_hints(questions: list[Question], verdicts: dict[str, Verdict]) -> None:
    functions = {q.id: q.function for q in questions}
    for q in questions:
        v = verdicts.get(q.id)
        if v is None or v.passed or v.status in ("not_implemented", "gone", "undefined"):
            continue
        failed = [d for d in q.depends_on if d in verdicts and not verdicts[d].passed]
        if failed:
            deps = ", ".join(functions[d] for d in failed)
            v.message += f" (Note: {q.function} calls your {deps}, which did not pass: fix it first.)"


# --------------------------------------------------------------------------- output files
def _fmt(x: float) -> str:
    return f"{x:g}"


def write_grades(path: str | Path, spec: AssignmentSpec, results: list[SubmissionResult]) -> None:
    """grades.csv, written atomically: submission, one column per question, total, max_total."""
    path = Path(path)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    ids = [q.id for q in spec.questions]
    writer.writerow(["submission", *ids, "total", "max_total"])
    for r in results:
        writer.writerow([r.submission, *(_fmt(r.scores[i]) for i in ids), _fmt(r.total), _fmt(spec.max_total)])
    _atomic_write(path, buf.getvalue())


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def feedback_name(submission: str, used: set[str]) -> str:
    """A file name for a submission's feedback, unique within ``used``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", submission.strip("/").replace(os.sep, "__"))
    stem = stem.removesuffix(".ipynb")[-150:] or "submission"
    name, i = f"{stem}.txt", 2
    while name in used:
        name, i = f"{stem}-{i}.txt", i + 1
    used.add(name)
    return name


def feedback_text(spec: AssignmentSpec, result: SubmissionResult) -> str:
    """Per-question results and diagnostics (never hidden inputs or test source)."""
    lines = [f"seqlab grade -- {spec.id}: {spec.title}", f"submission: {result.submission}",
             f"score: {_fmt(result.total)} / {_fmt(spec.max_total)}", ""]
    for q in spec.questions:
        v = result.verdicts.get(q.id)
        mark = "passed" if v and v.passed else "not passed"
        lines.append(f"[{q.id}] {_fmt(result.scores[q.id])} / {_fmt(q.points)}  {mark}  ({q.title})")
        if v is not None and not v.passed:
            lines.append(f"    {v.message}")
    if result.notes:
        lines += ["", "notes:"] + [f"  - {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def write_feedback(directory: str | Path, spec: AssignmentSpec, results: list[SubmissionResult]) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    written = []
    for r in results:
        target = directory / feedback_name(r.submission, used)
        _atomic_write(target, feedback_text(spec, r))
        written.append(target)
    return written


# --------------------------------------------------------------------------- the batch
def _become_subreaper() -> bool:
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _sweep_orphans(keep: set[int]) -> int:
    """Kill and reap children of this process that it did not have before the batch."""
    from ._supervisor import _children
    killed = 0
    for _ in range(1000):
        kids = [k for k in _children(os.getpid()) if k not in keep]
        if not kids:
            break
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        for pid in kids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    return killed


def grade_batch(spec: AssignmentSpec, submissions: list[str], out: str | Path, *, jobs: int = 1,
                timeout: float = 60.0, memory_mb: int = 1024, feedback_dir: str | Path | None = None,
                landlock: bool = True, reap_orphans: bool = False,
                progress=None) -> list[SubmissionResult]:
    """Grade every submission (``jobs`` at a time) and write ``out`` once all are done."""
    keep: set[int] = set()
    if reap_orphans and _become_subreaper():
        from ._supervisor import _children
        keep = set(_children(os.getpid()))
    lock = threading.Lock()

    def one(path: str) -> SubmissionResult:
        try:
            result = grade_submission(path, spec, timeout=timeout, memory_mb=memory_mb, landlock=landlock)
        except Exception as exc:  # the batch goes on; this submission is reported, with 0
            message = f"could not be graded (internal error {type(exc).__name__}: {exc}); please report it."
            result = SubmissionResult(path, {q.id: 0.0 for q in spec.questions},
                                      {q.id: Verdict(False, "error", message) for q in spec.questions}, [message])
        if progress is not None:
            with lock:
                progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        results = list(pool.map(one, submissions))
    if reap_orphans:
        _sweep_orphans(keep)
    if feedback_dir is not None:
        write_feedback(feedback_dir, spec, results)
    write_grades(out, spec, results)
    return results


def sandbox_warning(landlock: bool) -> str | None:
    """A warning when this machine cannot isolate submissions from the file system."""
    if landlock and landlock_abi() == 0:
        return ("warning: this kernel has no Landlock; submissions run with resource limits and "
                "without file-system isolation")
    return None
