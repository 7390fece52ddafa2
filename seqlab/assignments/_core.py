"""The machinery shared by the notebook checks and ``seqlab grade``.

A :class:`Question` says how to call one function of an assignment (its :class:`Case`\\ s:
named input arrays and how they are assembled into arguments), which results to read
back (:class:`Output`: a path into the return value, its symbol and shape in notation),
how the reference computes the expected results, and how to explain a wrong answer:

1. a catalogue of typical mistakes (:class:`Mistake`): the reference with one deliberate
   error.  If a wrong answer equals what a mistake produces, its message names the place
   (the term, the gate, the time step, the shape) in the course's notation;
2. probes (:class:`Probe`): the same case with one term switched off (W_aa = 0, b_a = 0,
   ...).  If the answer becomes right, the mistake is in that term;
3. a localizer: the first wrong time step of a sequence, the wrong gradients, ...

:func:`assess` runs all of this through a ``run(cases)`` callback that returns the raw
results of :func:`seqlab.grading._worker.call_function`.  In a notebook the callback
calls the student's function directly; in ``seqlab grade`` it goes through the
sandboxed worker and only plain numbers come back.  Either way, every comparison is made
here, on arrays this module rebuilt itself.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..grading import _worker

#: Tolerances of every comparison (float64 results; summation order may differ).
RTOL, ATOL = 1e-5, 1e-7


# --------------------------------------------------------------------------- argument nodes
def A(name: str) -> dict:
    """The named input array (a fresh copy for every call)."""
    return {"$": "arr", "n": name}


def T(*items) -> dict:
    """A tuple of nodes."""
    return {"$": "tuple", "v": list(items)}


def L(*items) -> dict:
    """A list of nodes."""
    return {"$": "list", "v": list(items)}


def D(**items) -> dict:
    """A dict of nodes."""
    return {"$": "dict", "v": dict(items)}


def R(name: str) -> dict:
    """An object defined earlier in the case's ``defs`` (shared, as in a real forward pass)."""
    return {"$": "ref", "n": name}


NONE = {"$": "none"}


def params_node(keys: Sequence[str]) -> dict:
    """``{key: A(key)}`` for a parameter dict."""
    return D(**{k: A(k) for k in keys})


@dataclass
class Case:
    """One call: input arrays, how they form the arguments, and what the reference needs."""

    arrays: dict[str, np.ndarray]
    args: list
    defs: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    dims: dict[str, int] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def call(self) -> dict:
        return {"defs": [[n, v] for n, v in self.defs], "args": self.args, "kwargs": self.kwargs}

    def with_arrays(self, **changes: np.ndarray) -> "Case":
        """A copy with some input arrays replaced (used by probes)."""
        arrays = dict(self.arrays)
        arrays.update(changes)
        return Case(arrays, self.args, self.defs, self.kwargs, dict(self.dims), dict(self.meta))


def pack_cases(cases: Sequence[Case]) -> tuple[list[dict], dict[str, np.ndarray]]:
    """The cases as JSON-able call descriptions sharing one namespace of arrays."""
    arrays: dict[str, np.ndarray] = {}
    packed = []
    for i, case in enumerate(cases):
        def rename(node, i=i):
            if isinstance(node, dict):
                if node.get("$") == "arr":
                    return {"$": "arr", "n": f"{i}:{node['n']}"}
                if node.get("$") in ("tuple", "list"):
                    return {"$": node["$"], "v": [rename(v) for v in node["v"]]}
                if node.get("$") == "dict":
                    return {"$": "dict", "v": {k: rename(v) for k, v in node["v"].items()}}
            return node
        call = case.call()
        packed.append({"defs": [[n, rename(v)] for n, v in call["defs"]],
                       "args": [rename(v) for v in call["args"]],
                       "kwargs": {k: rename(v) for k, v in call["kwargs"].items()}})
        for name, value in case.arrays.items():
            arrays[f"{i}:{name}"] = np.asarray(value, dtype=np.float64)
    return packed, arrays


def run_locally(fn: Callable, function: str, cases: Sequence[Case], outputs) -> list[dict]:
    """Raw results of calling ``fn`` on ``cases`` in this process (the notebook checks)."""
    packed, arrays = pack_cases(cases)
    paths = [(o.label, o.path) for o in outputs]
    return [_worker.call_function(fn, case, arrays, paths) for case in packed]


# --------------------------------------------------------------------------- outputs
@dataclass(frozen=True)
class Output:
    """One result read back: ``path`` starts with "r" (return value) or "a" (arguments after the call)."""

    label: str                 #: name in messages, e.g. ``"a_next"`` or ``'gradients["dWax"]'``
    path: tuple                #: e.g. ("r", 0) or ("r", "dWax")
    symbol: str                #: notation, e.g. ``"a^<t>"``
    dims: tuple[str, ...]      #: shape in notation, e.g. ("n_a", "m")
    secondary: bool = False    #: a copy of another result (a cache entry): named only if nothing else is wrong

    def shape(self, dims: Mapping[str, int]) -> tuple[int, ...]:
        return tuple(int(_eval_dim(d, dims)) for d in self.dims)

    def shape_text(self, dims: Mapping[str, int]) -> str:
        concrete = self.shape(dims)
        if not self.dims:
            return "a scalar"
        return f"({', '.join(self.dims)}) = {_fmt(concrete)}"


def _eval_dim(d: str, dims: Mapping[str, int]) -> int:
    total = 0
    for term in d.split("+"):
        term = term.strip()
        if term.isdigit():
            total += int(term)
        else:
            parts = term.split()
            total += (int(parts[0]) if len(parts) == 2 else 1) * dims[parts[-1]]
    return total


def _fmt(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def parse_array(entry) -> np.ndarray:
    """Rebuild a float64 array from an untrusted ``{"shape", "data"}`` entry (or raise ValueError)."""
    if not isinstance(entry, dict):
        raise ValueError("not an array entry")
    shape, data = entry.get("shape"), entry.get("data")
    if not (isinstance(shape, list) and len(shape) <= 8
            and all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 1 << 31 for s in shape)):
        raise ValueError("bad shape")
    if not isinstance(data, str):
        raise ValueError("bad data")
    raw = base64.b64decode(data.encode("ascii"), validate=True)
    if len(raw) != 8 * int(np.prod(shape, dtype=np.int64)):
        raise ValueError("data does not match the shape")
    return np.frombuffer(raw, dtype="<f8").reshape(shape).astype(np.float64)


def close(got: np.ndarray, expected: np.ndarray) -> bool:
    """Same shape and every entry within the tolerances (NaN never matches)."""
    expected = np.asarray(expected, dtype=np.float64)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=RTOL, atol=ATOL))


# --------------------------------------------------------------------------- verdicts
@dataclass
class CaseReport:
    """How one call went."""

    status: str                      #: ok, wrong, shape, exception, not_implemented, undefined, protocol
    got: dict[str, np.ndarray] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)     #: labels with wrong values
    right: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  #: shape / type messages
    exception: dict | None = None
    float32: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"


_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _str(value, limit: int = 300) -> str:
    """A message from the function's side: a string, cut short, with decimal numbers
    replaced by "…" (they could only be values of the inputs, never worth showing)."""
    return _FLOAT.sub("…", value[:limit]) if isinstance(value, str) else ""


def evaluate(question: "Question", case: Case, raw: Any, expected: Mapping[str, np.ndarray]) -> CaseReport:
    """Compare one raw result with the expected arrays (computed by the reference)."""
    if not isinstance(raw, dict):
        return CaseReport("protocol")
    if raw.get("undefined"):
        return CaseReport("undefined")
    if "exception" in raw:
        exc = raw["exception"] if isinstance(raw["exception"], dict) else {}
        status = "not_implemented" if exc.get("not_implemented") is True else "exception"
        return CaseReport(status, exception={k: exc.get(k) for k in ("type", "message", "where", "memory")})
    outputs = raw.get("outputs")
    if not isinstance(outputs, dict):
        return CaseReport("protocol")
    report = CaseReport("ok")
    for out in question.outputs:
        entry = outputs.get(out.label)
        want = np.asarray(expected[out.label], dtype=np.float64)
        problem = None
        if not isinstance(entry, dict):
            problem = f"{out.label} was not returned"
        elif "missing" in entry:
            problem = f"{out.label} is missing from what {question.function} returns ({_str(entry['missing'])})"
        elif entry.get("none") is True:
            problem = f"{out.label} ({out.symbol}) is None; it must be an array of shape {out.shape_text(case.dims)}"
        elif "error" in entry:
            problem = f"{out.label} ({out.symbol}): {_str(entry['error'])}"
        else:
            try:
                got = parse_array(entry)
            except (ValueError, TypeError):
                problem = f"{out.label} could not be read"
            else:
                report.got[out.label] = got
                if _str(entry.get("dtype")) == "float32":
                    report.float32 = True
                if got.shape != want.shape:
                    problem = (f"{out.label} ({out.symbol}) has shape {_fmt(got.shape)}; "
                               f"expected {out.shape_text(case.dims)}")
                elif close(got, want):
                    report.right.append(out.label)
                    continue
                else:
                    report.wrong.append(out.label)
                    continue
        report.problems.append(problem)
    if report.problems:
        report.status = "shape"
    elif report.wrong:
        report.status = "wrong"
    return report


# --------------------------------------------------------------------------- questions
@dataclass
class Mistake:
    """A typical mistake: ``outputs(case)`` is what the mistaken code returns."""

    key: str
    message: str
    outputs: Callable[[Case], Mapping[str, np.ndarray]]


@dataclass
class Probe:
    """The case with one term switched off; if the answer becomes right, ``message`` applies."""

    key: str
    transform: Callable[[Case], Case]
    message: str


@dataclass
class Question:
    """One graded function of an assignment."""

    id: str
    function: str
    title: str
    points: float
    solution_cell: str
    test_cell: str
    outputs: list[Output]
    make_case: Callable[[np.random.Generator, dict], Case]
    reference: Callable[[Case], dict[str, np.ndarray]]
    check_dims: list[dict]
    hidden_dims: Callable[[np.random.Generator], list[dict]]
    mistakes: list[Mistake] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    localize: Callable[[Case, CaseReport, Mapping[str, np.ndarray]], str | None] | None = None
    depends_on: tuple[str, ...] = ()
    returns: str = ""          #: what the function returns, for messages

    def check_cases(self) -> list[Case]:
        """The fixed, public cases of the notebook check."""
        return [self.make_case(np.random.default_rng(1000 + i), dict(d)) for i, d in enumerate(self.check_dims)]

    def hidden_cases(self, rng: np.random.Generator) -> list[Case]:
        """Fresh cases drawn from ``rng`` (the grader seeds it anew on every run)."""
        return [self.make_case(rng, d) for d in self.hidden_dims(rng)]


@dataclass
class Verdict:
    """The outcome of a question: passed or not, and what to tell the student."""

    passed: bool
    status: str
    message: str
    cases: int = 0


def _where(exc: Mapping) -> str:
    where = exc.get("where") if isinstance(exc, Mapping) else None
    if isinstance(where, Mapping) and isinstance(where.get("line"), int):
        code = _str(where.get("code"), 120)
        return f" (line {where['line']} of your cell{': ' + code if code else ''})"
    return ""


def not_implemented_message(question: Question) -> str:
    return (f"{question.function} is not implemented yet: write your code where it says "
            "# YOUR CODE HERE and delete the line raise NotImplementedError().")


def explain(question: Question, case: Case, report: CaseReport, expected: Mapping[str, np.ndarray],
            run: Callable[[list[Case]], list[Any]] | None) -> str:
    """A message that localizes what is wrong in ``report`` (a failing case)."""
    fn = question.function
    if report.status == "undefined":
        return (f"{fn} is not defined: keep the line def {fn}(...) in its answer cell "
                "(only the answer cells are graded).")
    if report.status == "not_implemented":
        return not_implemented_message(question)
    if report.status == "exception":
        exc = report.exception or {}
        if exc.get("memory"):
            return f"{fn} ran out of memory (MemoryError){_where(exc)}."
        return f"{fn} raised {_str(exc.get('type'), 80)}: {_str(exc.get('message'))}{_where(exc)}."
    if report.status == "protocol":
        return f"the results of {fn} could not be read."
    lines = []
    diagnosis = _match_mistake(question, case, report)
    if report.status == "shape":
        lines.append("; ".join(report.problems) + ".")
    else:
        lines.append(_summary(question, report))
    if diagnosis is None and report.status == "wrong" and run is not None:
        diagnosis = _probe(question, case, run)
    if diagnosis is None and question.localize is not None and report.status == "wrong":
        diagnosis = question.localize(case, report, expected)
    if diagnosis is None and report.float32:
        diagnosis = "the result is float32: compute in the dtype of the inputs (float64)."
    if diagnosis:
        lines.append(diagnosis)
    return f"{fn}: " + " ".join(lines)


def _summary(question: Question, report: CaseReport) -> str:
    """``a_next (a^<t>) is wrong; yt_pred (ŷ^<t>) is right.`` -- cache copies only if needed."""
    primary = [o for o in question.outputs if not o.secondary]
    wrong = [o for o in primary if o.label in report.wrong]
    if not wrong:
        wrong = [o for o in question.outputs if o.label in report.wrong]
    right = [o for o in primary if o.label in report.right]
    text = _join([f"{o.label} ({o.symbol})" for o in wrong]) + (" is" if len(wrong) == 1 else " are") + " wrong"
    if right:
        text += "; " + _join([o.label for o in right]) + (" is" if len(right) == 1 else " are") + " right"
    return text + "."


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _match_mistake(question: Question, case: Case, report: CaseReport) -> str | None:
    for mistake in question.mistakes:
        try:
            produced = mistake.outputs(case)
        except Exception:  # a mistake that cannot even run on this case does not apply
            continue
        if produced and all(label in report.got and close(report.got[label], value)
                            for label, value in produced.items()):
            return mistake.message
    return None


def _probe(question: Question, case: Case, run) -> str | None:
    if not question.probes:
        return None
    probe_cases = [p.transform(case) for p in question.probes]
    try:
        raws = run(probe_cases)
    except Exception:
        return None
    for probe, probe_case, raw in zip(question.probes, probe_cases, raws):
        if evaluate(question, probe_case, raw, question.reference(probe_case)).ok:
            return probe.message
    return None


def assess(question: Question, cases: list[Case], run: Callable[[list[Case]], list[Any]],
           *, diagnose: bool = True) -> Verdict:
    """Run ``cases`` through ``run``, compare with the reference, explain the first failure."""
    raws = run(cases)
    for case, raw in zip(cases, raws):
        expected = question.reference(case)
        report = evaluate(question, case, raw, expected)
        if not report.ok:
            message = explain(question, case, report, expected, run if diagnose else None)
            return Verdict(False, report.status, message, len(cases))
    return Verdict(True, "ok", f"{question.function}: all tests passed.", len(cases))


# --------------------------------------------------------------------------- notebook checks
class CheckFailed(AssertionError):
    """A notebook check failed; the message says where the mistake is.

    In Jupyter only the message is shown (``_render_traceback_``), not the checker's frames.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[0;31mCheck failed\x1b[0m: {self}"]


def run_check(question: Question, fn: Callable) -> None:
    """The notebook check of one question: print ``All tests passed.`` or raise :class:`CheckFailed`."""
    if not callable(fn):
        raise CheckFailed(f"check_{question.id} needs your function {question.function}; "
                          f"got {type(fn).__name__}")
    verdict = assess(question, question.check_cases(),
                     lambda cases: run_locally(fn, question.function, cases, question.outputs))
    if not verdict.passed:
        raise CheckFailed(verdict.message)
    print(f"{question.function}: All tests passed.")


def run_hidden_tests(question: Question, fn: Callable, seed: int) -> None:
    """The hidden tests of the source notebook (nbgrader autograde): random cases drawn
    from ``seed``, compared with the reference in this same process."""
    rng = np.random.default_rng(seed)
    verdict = assess(question, question.hidden_cases(rng),
                     lambda cases: run_locally(fn, question.function, cases, question.outputs))
    if not verdict.passed:
        raise CheckFailed(verdict.message)


# --------------------------------------------------------------------------- helpers for specs
def sub(case: Case, **changes) -> Case:
    """Alias of :meth:`Case.with_arrays`."""
    return case.with_arrays(**changes)


def zeros_like(case: Case, *names: str) -> Case:
    """The case with the named arrays set to zero."""
    return case.with_arrays(**{n: np.zeros_like(case.arrays[n]) for n in names})


def first_wrong_step(got: np.ndarray, want: np.ndarray) -> int | None:
    """The first t (0-based, last axis) where ``got`` and ``want`` differ."""
    for t in range(want.shape[-1]):
        if not close(got[..., t], want[..., t]):
            return t
    return None


def last_wrong_step(got: np.ndarray, want: np.ndarray) -> int | None:
    """The last t (0-based, last axis) where ``got`` and ``want`` differ."""
    for t in reversed(range(want.shape[-1])):
        if not close(got[..., t], want[..., t]):
            return t
    return None


def steps_text(ts: Sequence[int]) -> str:
    """1-based time steps as text: ``t = 1, 2``."""
    return "t = " + ", ".join(str(t + 1) for t in ts)
