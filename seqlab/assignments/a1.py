"""Assignment A1 -- the RNN step by step: checks, hidden tests and mistake diagnostics.

In the notebook::

    from seqlab.assignments.a1 import check_rnn_cell_forward
    check_rnn_cell_forward(rnn_cell_forward)     # "All tests passed." or where the mistake is

The four questions (the functions students write) follow the course's equations:

* ``rnn_cell_forward(xt, a_prev, parameters) -> a_next, yt_pred, cache``:
  a^<t> = tanh(W_aa a^<t-1> + W_ax x^<t> + b_a), ŷ^<t> = softmax(W_ya a^<t> + b_y),
  cache = (a_next, a_prev, xt, parameters);
* ``rnn_forward(x, a0, parameters) -> a, y_pred, caches``, caches = (list of cell caches, x);
* ``rnn_cell_backward(da_next, cache) -> {"dxt", "da_prev", "dWax", "dWaa", "dba"}`` with
  dz = da^<t> ⊙ (1 − (a^<t>)²), dx^<t> = W_axᵀ dz, da^<t-1> = W_aaᵀ dz, dW_ax = dz x^<t>ᵀ,
  dW_aa = dz a^<t-1>ᵀ, db_a = Σ_batch dz;
* ``rnn_backward(da, caches) -> {"dx", "da0", "dWax", "dWaa", "dba"}`` (BPTT, t = T_x … 1).

Expected results come from :mod:`seqlab.numpy.rnn`, the course's reference.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..numpy.activations import sigmoid, softmax
from ..numpy.rnn import rnn_backward as _ref_rnn_backward
from ..numpy.rnn import rnn_cell_backward as _ref_cell_backward
from ..numpy.rnn import rnn_cell_forward as _ref_cell_forward
from ..numpy.rnn import rnn_forward as _ref_rnn_forward
from ._core import (A, L, Mistake, Output, Probe, Question, R, T, Case, CaseReport, first_wrong_step,
                    last_wrong_step, params_node, run_check, run_hidden_tests, zeros_like)

__all__ = ["QUESTIONS", "check_rnn_cell_forward", "check_rnn_forward", "check_rnn_cell_backward",
           "check_rnn_backward", "hidden_tests"]

_PARAMS = ("Wax", "Waa", "Wya", "ba", "by")
_RNN_EQ = "a^<t> = tanh(W_aa a^<t-1> + W_ax x^<t> + b_a)"


# --------------------------------------------------------------------------- inputs
def _params(rng, d) -> dict[str, np.ndarray]:
    n_x, n_a, n_y = d["n_x"], d["n_a"], d["n_y"]
    return {"Wax": rng.standard_normal((n_a, n_x)), "Waa": rng.standard_normal((n_a, n_a)) * 0.7,
            "Wya": rng.standard_normal((n_y, n_a)), "ba": rng.standard_normal((n_a, 1)),
            "by": rng.standard_normal((n_y, 1))}


def _random_dims(rng, *, sequence: bool) -> list[dict]:
    """Three shapes: a general one, one with m = 1, one with n_x = 1 (and T_x = 1)."""
    def one(**fixed):
        d = {"n_x": int(rng.integers(2, 6)), "n_a": int(rng.integers(2, 7)),
             "n_y": int(rng.integers(2, 5)), "m": int(rng.integers(2, 7))}
        if sequence:
            d["T_x"] = int(rng.integers(2, 6))
        d.update(fixed)
        return d
    extra = {"T_x": 1} if sequence else {}
    return [one(), one(m=1), one(n_x=1, **extra)]


def _p(case: Case) -> dict[str, np.ndarray]:
    return {k: case.arrays[k] for k in _PARAMS}


# --------------------------------------------------------------------------- rnn_cell_forward
def _cell_case(rng, d) -> Case:
    arrays = _params(rng, d)
    arrays["xt"] = rng.standard_normal((d["n_x"], d["m"]))
    arrays["a_prev"] = rng.standard_normal((d["n_a"], d["m"]))
    return Case(arrays, [A("xt"), A("a_prev"), R("parameters")], defs=[("parameters", params_node(_PARAMS))],
                dims=d)


def _cell_variant(case: Case, *, g=np.tanh, bias=True, waa_t=False, y_from="a_next", y_softmax=True,
                  y_axis=0, y_bias=True) -> dict[str, np.ndarray]:
    """The cell forward with optional deliberate mistakes (defaults: the correct cell)."""
    p, xt, a_prev = _p(case), case.arrays["xt"], case.arrays["a_prev"]
    Waa = p["Waa"].T if waa_t else p["Waa"]
    a_next = g(Waa @ a_prev + p["Wax"] @ xt + (p["ba"] if bias else 0))
    src = a_next if y_from == "a_next" else a_prev
    z = p["Wya"] @ src + (p["by"] if y_bias else 0)
    yt = softmax(z, axis=y_axis) if y_softmax else z
    return {"a_next": a_next, "yt_pred": yt, "cache[0]": a_next, "cache[1]": a_prev,
            "cache[2]": xt}


def _cell_reference(case: Case) -> dict[str, np.ndarray]:
    a_next, yt_pred, _ = _ref_cell_forward(case.arrays["xt"], case.arrays["a_prev"], _p(case))
    return {"a_next": a_next, "yt_pred": yt_pred, "cache[0]": a_next,
            "cache[1]": case.arrays["a_prev"], "cache[2]": case.arrays["xt"]}


def _variant(fn: Callable, **kw) -> Callable[[Case], dict]:
    return lambda case: fn(case, **kw)


def _relu(z):
    return np.maximum(z, 0)


CELL_FORWARD_MISTAKES = [
    Mistake("sigmoid", f"a^<t> uses the sigmoid σ; the RNN's activation g is tanh: {_RNN_EQ}.",
            _variant(_cell_variant, g=sigmoid)),
    Mistake("relu", f"a^<t> uses ReLU; the RNN's activation g here is tanh: {_RNN_EQ}.",
            _variant(_cell_variant, g=_relu)),
    Mistake("no_activation", f"a^<t> is missing its activation: {_RNN_EQ}.",
            _variant(_cell_variant, g=lambda z: z)),
    Mistake("missing_ba", f"The bias b_a is missing from a^<t>: {_RNN_EQ}.",
            _variant(_cell_variant, bias=False)),
    Mistake("waa_transposed", "W_aa is used transposed: the recurrent term is W_aa a^<t-1> "
            "(np.dot(Waa, a_prev)), not W_aaᵀ a^<t-1>.", _variant(_cell_variant, waa_t=True)),
    Mistake("y_from_a_prev", "ŷ^<t> is computed from a^<t-1>; it uses the new state: "
            "ŷ^<t> = softmax(W_ya a^<t> + b_y).", _variant(_cell_variant, y_from="a_prev")),
    Mistake("y_no_softmax", "ŷ^<t> is missing the softmax: ŷ^<t> = softmax(W_ya a^<t> + b_y).",
            _variant(_cell_variant, y_softmax=False)),
    Mistake("y_softmax_axis", "The softmax of ŷ^<t> normalizes over the batch axis; it must "
            "normalize over the n_y classes (axis 0, one distribution per column).",
            _variant(_cell_variant, y_axis=1)),
    Mistake("missing_by", "The bias b_y is missing from ŷ^<t> = softmax(W_ya a^<t> + b_y).",
            _variant(_cell_variant, y_bias=False)),
]

CELL_FORWARD_PROBES = [
    Probe("Waa", lambda c: zeros_like(c, "Waa"),
          "The result becomes right when W_aa = 0, so the mistake is in the term W_aa a^<t-1>."),
    Probe("Wax", lambda c: zeros_like(c, "Wax"),
          "The result becomes right when W_ax = 0, so the mistake is in the term W_ax x^<t>."),
    Probe("ba", lambda c: zeros_like(c, "ba"),
          "The result becomes right when b_a = 0, so the mistake is in how b_a is added."),
    Probe("by", lambda c: zeros_like(c, "by"),
          "The result becomes right when b_y = 0, so the mistake is in how b_y is added to ŷ^<t>."),
]

_CELL_OUTPUTS = [
    Output("a_next", ("r", 0), "a^<t>", ("n_a", "m")),
    Output("yt_pred", ("r", 1), "ŷ^<t>", ("n_y", "m")),
    Output("cache[0]", ("r", 2, 0), "a^<t>", ("n_a", "m"), secondary=True),
    Output("cache[1]", ("r", 2, 1), "a^<t-1>", ("n_a", "m"), secondary=True),
    Output("cache[2]", ("r", 2, 2), "x^<t>", ("n_x", "m"), secondary=True),
]


# --------------------------------------------------------------------------- rnn_forward
def _seq_case(rng, d) -> Case:
    arrays = _params(rng, d)
    arrays["x"] = rng.standard_normal((d["n_x"], d["m"], d["T_x"]))
    arrays["a0"] = rng.standard_normal((d["n_a"], d["m"]))
    return Case(arrays, [A("x"), A("a0"), R("parameters")], defs=[("parameters", params_node(_PARAMS))],
                dims=d)


def _forward_variant(case: Case, *, state="carry", x_step="t", store_shift=0, fill_y=True,
                     reverse=False) -> dict[str, np.ndarray]:
    """rnn_forward with optional deliberate mistakes (defaults: correct)."""
    p, x, a0 = _p(case), case.arrays["x"], case.arrays["a0"]
    n_a, m, T_x = a0.shape[0], a0.shape[1], x.shape[2]
    a = np.zeros((n_a, m, T_x))
    y = np.zeros((p["Wya"].shape[0], m, T_x))
    a_prev = a0 if state != "zeros_start" else np.zeros_like(a0)
    steps = reversed(range(T_x)) if reverse else range(T_x)
    for t in steps:
        if state == "a0_always":
            a_prev = a0
        elif state == "zeros_always":
            a_prev = a[:, :, t]
        xt = x[:, :, t] if x_step == "t" else x[:, :, 0]
        a_next = np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])
        a[:, :, t + store_shift] = a_next
        if fill_y:
            y[:, :, t + store_shift] = softmax(p["Wya"] @ a_next + p["by"])
        a_prev = a_next
    return {"a": a, "y_pred": y, "caches[1]": x}


def _forward_reference(case: Case) -> dict[str, np.ndarray]:
    a, y_pred, caches = _ref_rnn_forward(case.arrays["x"], case.arrays["a0"], _p(case))
    return {"a": a, "y_pred": y_pred, "caches[1]": case.arrays["x"], "caches[0][-1][0]": a[:, :, -1]}


def _with_last(fn):
    def outputs(case):
        out = fn(case)
        out["caches[0][-1][0]"] = out["a"][:, :, -1]
        return out
    return outputs


FORWARD_MISTAKES = [
    Mistake("a0_always", "a^<t-1> is never updated: every step starts again from a^<0>. "
            "After step t, its a_next is the a_prev of step t+1.",
            _with_last(_variant(_forward_variant, state="a0_always"))),
    Mistake("a_t_for_a_prev", "Step t is given a^<t> (a[:, :, t], still zeros) instead of a^<t-1>: "
            "a^<0> and the earlier states are never used.",
            _with_last(_variant(_forward_variant, state="zeros_always"))),
    Mistake("a0_ignored", "a^<0> is ignored: the first step (t = 1) must start from a0, not from zeros.",
            _with_last(_variant(_forward_variant, state="zeros_start"))),
    Mistake("x_first_step", "Every step reads x^<1>; step t must read x^<t> = x[:, :, t].",
            _with_last(_variant(_forward_variant, x_step="first"))),
    Mistake("y_not_stored", "y_pred is not filled in: store ŷ^<t> in y_pred[:, :, t] at every step.",
            _with_last(_variant(_forward_variant, fill_y=False))),
    Mistake("reversed", "The time loop runs backward; the forward pass goes t = 1, 2, …, T_x.",
            _with_last(_variant(_forward_variant, reverse=True))),
    Mistake("store_shift", "a^<t> is stored one position too early (at index t-1): "
            "store step t's results in a[:, :, t] and y_pred[:, :, t].",
            _with_last(_variant(_forward_variant, store_shift=-1))),
]


def _localize_forward(case: Case, report: CaseReport, expected) -> str | None:
    if "a" in report.wrong:
        t = first_wrong_step(report.got["a"], expected["a"])
        if t is not None:
            right = f"a^<1> … a^<{t}> are right and " if t > 0 else "The first step is already wrong: "
            return (f"{right}a^<{t + 1}> is the first wrong step: look at what step {t + 1} receives "
                    f"(x^<{t + 1}>, a^<{t}>) and where its result is stored.")
    if "y_pred" in report.wrong:
        t = first_wrong_step(report.got["y_pred"], expected["y_pred"])
        if t is not None:
            return f"The first wrong prediction is ŷ^<{t + 1}> (a is right): check how y_pred[:, :, t] is filled."
    return None


_FORWARD_OUTPUTS = [
    Output("a", ("r", 0), "a^<1> … a^<T_x>", ("n_a", "m", "T_x")),
    Output("y_pred", ("r", 1), "ŷ^<1> … ŷ^<T_x>", ("n_y", "m", "T_x")),
    Output("caches[1]", ("r", 2, 1), "x", ("n_x", "m", "T_x"), secondary=True),
    Output("caches[0][-1][0]", ("r", 2, 0, -1, 0), "a^<T_x>", ("n_a", "m"), secondary=True),
]


# --------------------------------------------------------------------------- rnn_cell_backward
_CELL_GRADS = ("dxt", "da_prev", "dWax", "dWaa", "dba")
_PARAMS_NO_OUT = ("Wax", "Waa", "ba")


def _cell_backward_case(rng, d) -> Case:
    case = _cell_case(rng, d)
    arrays = {k: case.arrays[k] for k in _PARAMS_NO_OUT + ("xt", "a_prev")}
    a_next, _, _ = _ref_cell_forward(arrays["xt"], arrays["a_prev"], {k: arrays[k] for k in _PARAMS_NO_OUT})
    arrays["a_next"] = a_next
    arrays["da_next"] = rng.standard_normal(a_next.shape)
    return Case(arrays, [A("da_next"), T(A("a_next"), A("a_prev"), A("xt"), R("parameters"))],
                defs=[("parameters", params_node(_PARAMS_NO_OUT))], dims=d)


def _cell_backward_variant(case: Case, *, deriv="ok", dWaa_state="a_prev", da_prev_t=True,
                           dba="ok") -> dict[str, np.ndarray]:
    c = case.arrays
    a_next, a_prev, xt, da = c["a_next"], c["a_prev"], c["xt"], c["da_next"]
    d = {"ok": 1 - a_next ** 2, "tanh_again": 1 - np.tanh(a_next) ** 2, "a_prev": 1 - a_prev ** 2,
         "not_squared": 1 - a_next, "none": 1.0}[deriv]
    dz = da * d
    out = {"dxt": c["Wax"].T @ dz,
           "da_prev": (c["Waa"].T if da_prev_t else c["Waa"]) @ dz,
           "dWax": dz @ xt.T,
           "dWaa": dz @ (a_prev if dWaa_state == "a_prev" else a_next).T}
    out["dba"] = {"ok": dz.sum(axis=1, keepdims=True), "no_keepdims": dz.sum(axis=1),
                  "axis0": dz.sum(axis=0, keepdims=True), "not_summed": dz}[dba]
    return out


def _cell_backward_reference(case: Case) -> dict[str, np.ndarray]:
    c = case.arrays
    cache = (c["a_next"], c["a_prev"], c["xt"], {k: c[k] for k in _PARAMS_NO_OUT}, "tanh")
    return dict(_ref_cell_backward(c["da_next"], cache))


_DZ = "dz = da^<t> ⊙ (1 − (a^<t>)²)"
CELL_BACKWARD_MISTAKES = [
    Mistake("tanh_again", f"The tanh derivative is written with the output a^<t> = tanh(z): "
            f"1 − (a^<t>)²; you applied tanh to a^<t> again. {_DZ}.", _variant(_cell_backward_variant, deriv="tanh_again")),
    Mistake("deriv_a_prev", f"The tanh derivative must use a^<t> (a_next), not a^<t-1>: {_DZ}.",
            _variant(_cell_backward_variant, deriv="a_prev")),
    Mistake("deriv_not_squared", f"The tanh derivative is 1 − (a^<t>)², squared: {_DZ}.",
            _variant(_cell_backward_variant, deriv="not_squared")),
    Mistake("deriv_missing", f"The derivative of tanh is missing: {_DZ}, then every gradient uses dz.",
            _variant(_cell_backward_variant, deriv="none")),
    Mistake("dWaa_a_next", "dW_aa = dz a^<t-1>ᵀ uses the previous state a^<t-1> (a_prev); you used a^<t>.",
            _variant(_cell_backward_variant, dWaa_state="a_next")),
    Mistake("da_prev_not_transposed", "da^<t-1> = W_aaᵀ dz: W_aa must be transposed (Waa.T).",
            _variant(_cell_backward_variant, da_prev_t=False)),
    Mistake("dba_no_keepdims", "db_a must keep the column shape (n_a, 1) of b_a: "
            "np.sum(dz, axis=1, keepdims=True).", _variant(_cell_backward_variant, dba="no_keepdims")),
    Mistake("dba_axis0", "db_a sums dz over the wrong axis: sum over the m examples (axis=1), not over n_a (axis 0).",
            _variant(_cell_backward_variant, dba="axis0")),
    Mistake("dba_not_summed", "db_a must sum dz over the m examples of the batch "
            "(np.sum(dz, axis=1, keepdims=True)), giving shape (n_a, 1).", _variant(_cell_backward_variant, dba="not_summed")),
]


def _grad_outputs(keys, shapes) -> list[Output]:
    return [Output(f'gradients["{k}"]', ("r", k), _GRAD_SYMBOLS[k], shapes[k]) for k in keys]


_GRAD_SYMBOLS = {"dxt": "dx^<t>", "da_prev": "da^<t-1>", "dWax": "dW_ax", "dWaa": "dW_aa", "dba": "db_a",
                 "dx": "dx", "da0": "da^<0>"}
_CELL_GRAD_OUTPUTS = _grad_outputs(_CELL_GRADS, {"dxt": ("n_x", "m"), "da_prev": ("n_a", "m"),
                                                 "dWax": ("n_a", "n_x"), "dWaa": ("n_a", "n_a"),
                                                 "dba": ("n_a", "1")})


def _grad_label(key: str) -> str:
    return f'gradients["{key}"]'


def _relabel(fn):
    """Key gradient dicts by the output labels."""
    return lambda case: {_grad_label(k): v for k, v in fn(case).items()}


# --------------------------------------------------------------------------- rnn_backward
_SEQ_GRADS = ("dx", "da0", "dWax", "dWaa", "dba")


def _backward_case(rng, d) -> Case:
    case = _seq_case(rng, d)
    p = {k: case.arrays[k] for k in _PARAMS_NO_OUT}
    x, a0 = case.arrays["x"], case.arrays["a0"]
    a, _, _ = _ref_rnn_forward(x, a0, p)
    arrays = dict(p, x=x, a0=a0, a=a, da=rng.standard_normal(a.shape))
    T_x = x.shape[2]
    for t in range(T_x):
        arrays[f"a{t}"] = a[:, :, t]
        arrays[f"x{t}"] = x[:, :, t]
    cells = [T(A(f"a{t}"), A("a0") if t == 0 else A(f"a{t - 1}"), A(f"x{t}"), R("parameters"))
             for t in range(T_x)]
    return Case(arrays, [A("da"), T(L(*cells), A("x"))], defs=[("parameters", params_node(_PARAMS_NO_OUT))],
                dims=d)


def _states(case: Case):
    c = case.arrays
    T_x = c["x"].shape[2]
    prevs = [c["a0"]] + [c["a"][:, :, t] for t in range(T_x - 1)]
    return c, T_x, prevs


def _backward_variant(case: Case, *, accumulate=True, add_da=True, add_recurrent=True,
                      steps="all", da0="ok") -> dict[str, np.ndarray]:
    """BPTT with optional deliberate mistakes (defaults: correct)."""
    c, T_x, prevs = _states(case)
    n_a, m = c["a0"].shape
    dx = np.zeros(c["x"].shape)
    g = {"dWax": np.zeros_like(c["Wax"]), "dWaa": np.zeros_like(c["Waa"]), "dba": np.zeros_like(c["ba"])}
    da_prevt = np.zeros((n_a, m))
    order = {"all": reversed(range(T_x)), "skip_last": reversed(range(T_x - 1)),
             "skip_first": reversed(range(1, T_x)), "forward": range(T_x)}[steps]
    for t in order:
        upstream = (c["da"][:, :, t] if add_da else 0) + (da_prevt if add_recurrent else 0)
        dz = upstream * (1 - c["a"][:, :, t] ** 2)
        dx[:, :, t] = c["Wax"].T @ dz
        step = {"dWax": dz @ c["x"][:, :, t].T, "dWaa": dz @ prevs[t].T, "dba": dz.sum(axis=1, keepdims=True)}
        for k in g:
            g[k] = g[k] + step[k] if accumulate else step[k]
        da_prevt = c["Waa"].T @ dz
    first = {"ok": da_prevt, "da": c["da"][:, :, 0]}[da0]
    return {"dx": dx, "da0": first, **g}


def _backward_reference(case: Case) -> dict[str, np.ndarray]:
    c, T_x, prevs = _states(case)
    p = {k: c[k] for k in _PARAMS_NO_OUT}
    caches = ([(c["a"][:, :, t], prevs[t], c["x"][:, :, t], p, "tanh") for t in range(T_x)], c["x"])
    return dict(_ref_rnn_backward(c["da"], caches))


BACKWARD_MISTAKES = [
    Mistake("not_accumulated", "dW_ax, dW_aa and db_a hold only the gradient of one time step (t = 1): "
            "the parameters are shared by all time steps, so add up (+=) their gradients over t.",
            _variant(_backward_variant, accumulate=False)),
    Mistake("da_not_added", "The gradient from the output at step t, da[:, :, t], is not added: the "
            "gradient reaching a^<t> is da[:, :, t] + da_prevt.", _variant(_backward_variant, add_da=False)),
    Mistake("recurrent_not_added", "da_prevt, the gradient flowing back from step t+1 into a^<t>, is not added: "
            "give rnn_cell_backward da[:, :, t] + da_prevt.", _variant(_backward_variant, add_recurrent=False)),
    Mistake("skip_last", "The backward loop skips the last step t = T_x (off by one): loop over "
            "reversed(range(T_x)).", _variant(_backward_variant, steps="skip_last")),
    Mistake("skip_first", "The backward loop stops before the first step t = 1 (off by one): loop over "
            "reversed(range(T_x)) down to t = 0.", _variant(_backward_variant, steps="skip_first")),
    Mistake("forward_order", "The backward loop runs forward in time; backpropagation through time goes "
            "from t = T_x down to t = 1 (reversed(range(T_x))), carrying da_prevt.",
            _variant(_backward_variant, steps="forward")),
    Mistake("da0_from_da", "da0 is the gradient on a^<0>: the da_prev returned by the step t = 1, "
            "not da[:, :, 0].", _variant(_backward_variant, da0="da")),
]


def _localize_backward(case: Case, report: CaseReport, expected) -> str | None:
    label = _grad_label("dx")
    if label in report.wrong:
        t = last_wrong_step(report.got[label], expected[label])
        if t is not None:
            later = (f"dx^<{t + 2}> … dx^<{case.dims['T_x']}> are right and " if t + 1 < case.dims["T_x"]
                     else "Already the last step is wrong: ")
            return (f"{later}dx^<{t + 1}> is the last wrong step (going back in time): look at the "
                    f"gradient that reaches a^<{t + 1}> (da[:, :, t] + da_prevt) at step {t + 1}.")
    weights = [k for k in ("dWax", "dWaa", "dba") if _grad_label(k) in report.wrong]
    if weights:
        names = {"dWax": "dW_ax", "dWaa": "dW_aa", "dba": "db_a"}
        return ("Since dx is right, the per-step gradients are right too: check how "
                + ", ".join(names[k] for k in weights) + " add up (+=) the contributions of all time steps.")
    return None


_SEQ_GRAD_OUTPUTS = _grad_outputs(_SEQ_GRADS, {"dx": ("n_x", "m", "T_x"), "da0": ("n_a", "m"),
                                               "dWax": ("n_a", "n_x"), "dWaa": ("n_a", "n_a"),
                                               "dba": ("n_a", "1")})


# --------------------------------------------------------------------------- questions
def _dims(sequence: bool):
    return lambda rng: _random_dims(rng, sequence=sequence)


QUESTIONS: dict[str, Question] = {q.id: q for q in [
    Question("rnn_cell_forward", "rnn_cell_forward", "One step of the RNN cell", 10,
             "rnn_cell_forward", "test_rnn_cell_forward", _CELL_OUTPUTS, _cell_case, _cell_reference,
             [{"n_x": 3, "n_a": 5, "n_y": 2, "m": 10}, {"n_x": 1, "n_a": 2, "n_y": 3, "m": 1}],
             _dims(False), CELL_FORWARD_MISTAKES, CELL_FORWARD_PROBES),
    Question("rnn_forward", "rnn_forward", "The RNN over a sequence", 10,
             "rnn_forward", "test_rnn_forward", _FORWARD_OUTPUTS, _seq_case, _forward_reference,
             [{"n_x": 3, "n_a": 5, "n_y": 2, "m": 10, "T_x": 4}, {"n_x": 2, "n_a": 3, "n_y": 2, "m": 1, "T_x": 1}],
             _dims(True), FORWARD_MISTAKES, localize=_localize_forward, depends_on=("rnn_cell_forward",)),
    Question("rnn_cell_backward", "rnn_cell_backward", "Backward through one RNN step", 15,
             "rnn_cell_backward", "test_rnn_cell_backward", _CELL_GRAD_OUTPUTS, _cell_backward_case,
             _relabel(_cell_backward_reference),
             [{"n_x": 3, "n_a": 5, "n_y": 2, "m": 10}, {"n_x": 1, "n_a": 2, "n_y": 2, "m": 1}],
             _dims(False), [Mistake(m.key, m.message, _relabel(m.outputs)) for m in CELL_BACKWARD_MISTAKES]),
    Question("rnn_backward", "rnn_backward", "Backpropagation through time", 15,
             "rnn_backward", "test_rnn_backward", _SEQ_GRAD_OUTPUTS, _backward_case, _relabel(_backward_reference),
             [{"n_x": 3, "n_a": 5, "n_y": 2, "m": 10, "T_x": 4}, {"n_x": 2, "n_a": 3, "n_y": 2, "m": 1, "T_x": 1}],
             _dims(True), [Mistake(m.key, m.message, _relabel(m.outputs)) for m in BACKWARD_MISTAKES],
             localize=_localize_backward, depends_on=("rnn_cell_backward",)),
]}


# --------------------------------------------------------------------------- notebook API
def check_rnn_cell_forward(rnn_cell_forward: Callable) -> None:
    """Check your ``rnn_cell_forward`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["rnn_cell_forward"], rnn_cell_forward)


def check_rnn_forward(rnn_forward: Callable) -> None:
    """Check your ``rnn_forward`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["rnn_forward"], rnn_forward)


def check_rnn_cell_backward(rnn_cell_backward: Callable) -> None:
    """Check your ``rnn_cell_backward`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["rnn_cell_backward"], rnn_cell_backward)


def check_rnn_backward(rnn_backward: Callable) -> None:
    """Check your ``rnn_backward`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["rnn_backward"], rnn_backward)


def hidden_tests(question_id: str, function: Callable, seed: int) -> None:
    """The hidden tests of the source notebook (random cases from ``seed``)."""
    run_hidden_tests(QUESTIONS[question_id], function, seed)
