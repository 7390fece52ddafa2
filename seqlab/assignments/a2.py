"""Assignment A2 -- GRU and LSTM step by step: checks, hidden tests, mistake diagnostics.

The five questions, in the course's notation (every W_* is (n_a, n_a + n_x) and acts on
the stacked [a^<t-1>; x^<t>], previous state first):

* ``gru_cell_forward(xt, c_prev, parameters) -> c_next, yt_pred, cache`` -- the full GRU
  (Cho et al.): Γ_r = σ(W_r[c^<t-1>; x^<t>] + b_r), Γ_u = σ(W_u[c^<t-1>; x^<t>] + b_u),
  c̃^<t> = tanh(W_c[Γ_r ⊙ c^<t-1>; x^<t>] + b_c), c^<t> = Γ_u ⊙ c̃^<t> + (1 − Γ_u) ⊙ c^<t-1>,
  ŷ^<t> = softmax(W_y c^<t> + b_y); cache = (c_next, c_prev, gamma_r, gamma_u, c_tilde, xt, parameters);
* ``lstm_cell_forward(xt, a_prev, c_prev, parameters) -> a_next, c_next, yt_pred, cache``:
  Γ_f, Γ_u, Γ_o = σ(W_*[a^<t-1>; x^<t>] + b_*), c̃^<t> = tanh(W_c[a^<t-1>; x^<t>] + b_c),
  c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃^<t>, a^<t> = Γ_o ⊙ tanh(c^<t>);
  cache = (a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters);
* ``lstm_forward(x, a0, parameters) -> a, y, c, caches`` (c^<0> = 0);
* ``lstm_cell_backward(da_next, dc_next, cache) -> gradients``;
* ``lstm_backward(da, caches) -> gradients`` (BPTT, t = T_x … 1).

Expected results come from :mod:`seqlab.numpy.gru` and :mod:`seqlab.numpy.lstm`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..numpy.activations import sigmoid, softmax
from ..numpy.gru import gru_cell_forward as _ref_gru_cell_forward
from ..numpy.lstm import lstm_backward as _ref_lstm_backward
from ..numpy.lstm import lstm_cell_backward as _ref_lstm_cell_backward
from ..numpy.lstm import lstm_cell_forward as _ref_lstm_cell_forward
from ..numpy.lstm import lstm_forward as _ref_lstm_forward
from ._core import (A, L, Mistake, Output, Probe, Question, R, T, Case, CaseReport, first_wrong_step,
                    last_wrong_step, params_node, run_check, run_hidden_tests, zeros_like)

__all__ = ["QUESTIONS", "check_gru_cell_forward", "check_lstm_cell_forward", "check_lstm_forward",
           "check_lstm_cell_backward", "check_lstm_backward", "hidden_tests"]

_GRU_KEYS = ("Wr", "br", "Wu", "bu", "Wc", "bc", "Wy", "by")
_LSTM_KEYS = ("Wf", "bf", "Wu", "bu", "Wc", "bc", "Wo", "bo", "Wy", "by")
_LSTM_CORE = ("Wf", "bf", "Wu", "bu", "Wc", "bc", "Wo", "bo")


def _variant(fn: Callable, **kw) -> Callable[[Case], dict]:
    return lambda case: fn(case, **kw)


def _gated(rng, d, keys) -> dict[str, np.ndarray]:
    n_x, n_a, n_y = d["n_x"], d["n_a"], d["n_y"]
    out = {}
    for k in keys:
        if k == "Wy":
            out[k] = rng.standard_normal((n_y, n_a))
        elif k == "by":
            out[k] = rng.standard_normal((n_y, 1))
        elif k.startswith("W"):
            out[k] = rng.standard_normal((n_a, n_a + n_x))
        else:
            out[k] = rng.standard_normal((n_a, 1))
    return out


def _random_dims(rng, *, sequence: bool) -> list[dict]:
    def one(**fixed):
        d = {"n_x": int(rng.integers(2, 6)), "n_a": int(rng.integers(2, 7)),
             "n_y": int(rng.integers(2, 5)), "m": int(rng.integers(2, 7))}
        if sequence:
            d["T_x"] = int(rng.integers(2, 6))
        d.update(fixed)
        return d
    return [one(), one(m=1), one(n_x=1, **({"T_x": 1} if sequence else {}))]


def _dims(sequence: bool):
    return lambda rng: _random_dims(rng, sequence=sequence)


def _relabel(fn):
    return lambda case: {f'gradients["{k}"]': v for k, v in fn(case).items()}


# =========================================================================== GRU
def _gru_case(rng, d) -> Case:
    arrays = _gated(rng, d, _GRU_KEYS)
    arrays["xt"] = rng.standard_normal((d["n_x"], d["m"]))
    arrays["c_prev"] = rng.standard_normal((d["n_a"], d["m"]))
    return Case(arrays, [A("xt"), A("c_prev"), R("parameters")], defs=[("parameters", params_node(_GRU_KEYS))],
                dims=d)


def _gru_variant(case: Case, *, reset="before", order="cx", interp="ok", cand=np.tanh, gate=sigmoid,
                 u_weights="u", y_from="c_next") -> dict[str, np.ndarray]:
    p = {k: case.arrays[k] for k in _GRU_KEYS}
    xt, c_prev = case.arrays["xt"], case.arrays["c_prev"]
    n_a = c_prev.shape[0]

    def stack(c):
        return np.concatenate([c, xt] if order == "cx" else [xt, c], axis=0)
    concat = stack(c_prev)
    gamma_r = gate(p["Wr"] @ concat + p["br"])
    Wu, bu = (p["Wu"], p["bu"]) if u_weights == "u" else (p["Wr"], p["br"])
    gamma_u = gate(Wu @ concat + bu)
    if reset == "before":
        c_tilde = cand(p["Wc"] @ stack(gamma_r * c_prev) + p["bc"])
    elif reset == "after":
        Wca, Wcx = (p["Wc"][:, :n_a], p["Wc"][:, n_a:]) if order == "cx" else (p["Wc"][:, -n_a:], p["Wc"][:, :-n_a])
        c_tilde = cand(Wcx @ xt + p["bc"] + gamma_r * (Wca @ c_prev))
    else:  # no reset gate
        c_tilde = cand(p["Wc"] @ concat + p["bc"])
    c_next = (gamma_u * c_tilde + (1 - gamma_u) * c_prev if interp == "ok"
              else gamma_u * c_prev + (1 - gamma_u) * c_tilde)
    src = c_next if y_from == "c_next" else c_prev
    return {"c_next": c_next, "yt_pred": softmax(p["Wy"] @ src + p["by"]), "Γ_r": gamma_r, "Γ_u": gamma_u,
            "c̃": c_tilde}


def _gru_reference(case: Case) -> dict[str, np.ndarray]:
    p = {k: case.arrays[k] for k in _GRU_KEYS}
    c_next, yt_pred, cache = _ref_gru_cell_forward(case.arrays["xt"], case.arrays["c_prev"], p, variant="full")
    _, _, _, c_tilde, gamma_u, gamma_r, _, _, _ = cache
    return {"c_next": c_next, "yt_pred": yt_pred, "Γ_r": gamma_r, "Γ_u": gamma_u, "c̃": c_tilde}


_C_EQ = "c^<t> = Γ_u ⊙ c̃^<t> + (1 − Γ_u) ⊙ c^<t-1>"
GRU_MISTAKES = [
    Mistake("reset_after", "Γ_r is applied after the product with W_c (the cuDNN / torch form); in "
            "this GRU it scales c^<t-1> before: c̃^<t> = tanh(W_c [Γ_r ⊙ c^<t-1>; x^<t>] + b_c).",
            _variant(_gru_variant, reset="after")),
    Mistake("no_reset", "The relevance gate Γ_r is not used in c̃^<t>: "
            "c̃^<t> = tanh(W_c [Γ_r ⊙ c^<t-1>; x^<t>] + b_c).", _variant(_gru_variant, reset="none")),
    Mistake("interp_swapped", f"Γ_u and 1 − Γ_u are swapped in the update: {_C_EQ}.",
            _variant(_gru_variant, interp="swapped")),
    Mistake("order_xc", "[x^<t>; c^<t-1>] is stacked in the wrong order: every W_* acts on "
            "[c^<t-1>; x^<t>] (the previous state first, np.concatenate([c_prev, xt])).",
            _variant(_gru_variant, order="xc")),
    Mistake("cand_sigmoid", "c̃^<t> uses σ; the candidate uses tanh: c̃^<t> = tanh(W_c [Γ_r ⊙ c^<t-1>; x^<t>] + b_c).",
            _variant(_gru_variant, cand=sigmoid)),
    Mistake("gates_tanh", "The gates Γ_r and Γ_u use tanh; gates use the sigmoid σ (values in (0, 1)).",
            _variant(_gru_variant, gate=np.tanh)),
    Mistake("u_with_Wr", "Γ_u is computed with W_r and b_r; it has its own W_u and b_u.",
            _variant(_gru_variant, u_weights="r")),
    Mistake("y_from_c_prev", "ŷ^<t> is computed from c^<t-1>; it uses the new state: ŷ^<t> = softmax(W_y c^<t> + b_y).",
            _variant(_gru_variant, y_from="c_prev")),
]

_GRU_OUTPUTS = [
    Output("c_next", ("r", 0), "c^<t>", ("n_a", "m")),
    Output("yt_pred", ("r", 1), "ŷ^<t>", ("n_y", "m")),
    Output("Γ_r", ("r", 2, 2), "cache[2]", ("n_a", "m")),
    Output("Γ_u", ("r", 2, 3), "cache[3]", ("n_a", "m")),
    Output("c̃", ("r", 2, 4), "cache[4] = c̃^<t>", ("n_a", "m")),
]


# =========================================================================== LSTM cell
def _lstm_cell_case(rng, d) -> Case:
    arrays = _gated(rng, d, _LSTM_KEYS)
    arrays["xt"] = rng.standard_normal((d["n_x"], d["m"]))
    arrays["a_prev"] = rng.standard_normal((d["n_a"], d["m"]))
    arrays["c_prev"] = rng.standard_normal((d["n_a"], d["m"]))
    return Case(arrays, [A("xt"), A("a_prev"), A("c_prev"), R("parameters")],
                defs=[("parameters", params_node(_LSTM_KEYS))], dims=d)


def lstm_step(xt, a_prev, c_prev, p, *, order="ax", forget="ok", a_from="c_next", a_tanh=True,
              cand=np.tanh, gate=sigmoid) -> dict[str, np.ndarray]:
    """One LSTM step with optional deliberate mistakes (defaults: correct)."""
    concat = np.concatenate([a_prev, xt] if order == "ax" else [xt, a_prev], axis=0)
    gf = gate(p["Wf"] @ concat + p["bf"])
    gu = gate(p["Wu"] @ concat + p["bu"])
    cct = cand(p["Wc"] @ concat + p["bc"])
    go = gate(p["Wo"] @ concat + p["bo"])
    c_next = {"ok": gf * c_prev + gu * cct, "dropped": c_prev + gu * cct, "no_c_prev": gu * cct,
              "swapped": gu * c_prev + gf * cct}[forget]
    src = c_next if a_from == "c_next" else c_prev
    a_next = go * (np.tanh(src) if a_tanh else src)
    return {"a_next": a_next, "c_next": c_next, "Γ_f": gf, "Γ_u": gu, "c̃": cct, "Γ_o": go}


def _lstm_cell_variant(case: Case, *, y_from="a_next", **kw) -> dict[str, np.ndarray]:
    p = {k: case.arrays[k] for k in _LSTM_KEYS}
    out = lstm_step(case.arrays["xt"], case.arrays["a_prev"], case.arrays["c_prev"], p, **kw)
    out["yt_pred"] = softmax(p["Wy"] @ (out["a_next"] if y_from == "a_next" else out["c_next"]) + p["by"])
    return out


def _lstm_cell_reference(case: Case) -> dict[str, np.ndarray]:
    p = {k: case.arrays[k] for k in _LSTM_KEYS}
    a_next, c_next, yt_pred, cache = _ref_lstm_cell_forward(case.arrays["xt"], case.arrays["a_prev"],
                                                            case.arrays["c_prev"], p)
    return {"a_next": a_next, "c_next": c_next, "yt_pred": yt_pred, "Γ_f": cache[4], "Γ_u": cache[5],
            "c̃": cache[6], "Γ_o": cache[7]}


_LSTM_C = "c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃^<t>"
LSTM_CELL_MISTAKES = [
    Mistake("forget_dropped", f"The forget gate Γ_f is missing from the memory cell: {_LSTM_C}.",
            _variant(_lstm_cell_variant, forget="dropped")),
    Mistake("c_prev_dropped", f"c^<t-1> is missing from the memory cell: {_LSTM_C}.",
            _variant(_lstm_cell_variant, forget="no_c_prev")),
    Mistake("gates_swapped", f"Γ_u and Γ_f are swapped in the memory cell: Γ_f (forget) multiplies "
            f"c^<t-1> and Γ_u (update) multiplies c̃^<t>: {_LSTM_C}.", _variant(_lstm_cell_variant, forget="swapped")),
    Mistake("order_xa", "[x^<t>; a^<t-1>] is stacked in the wrong order: every W_* acts on "
            "[a^<t-1>; x^<t>] (the previous state first, np.concatenate([a_prev, xt])).",
            _variant(_lstm_cell_variant, order="xa")),
    Mistake("a_from_c_prev", "a^<t> uses c^<t-1>; it uses the new memory cell: a^<t> = Γ_o ⊙ tanh(c^<t>).",
            _variant(_lstm_cell_variant, a_from="c_prev")),
    Mistake("a_no_tanh", "a^<t> is missing the tanh of the memory cell: a^<t> = Γ_o ⊙ tanh(c^<t>).",
            _variant(_lstm_cell_variant, a_tanh=False)),
    Mistake("cand_sigmoid", "c̃^<t> uses σ; the candidate uses tanh: c̃^<t> = tanh(W_c [a^<t-1>; x^<t>] + b_c).",
            _variant(_lstm_cell_variant, cand=sigmoid)),
    Mistake("gates_tanh", "The gates Γ_f, Γ_u, Γ_o use tanh; gates use the sigmoid σ (values in (0, 1)).",
            _variant(_lstm_cell_variant, gate=np.tanh)),
    Mistake("y_from_c", "ŷ^<t> is computed from c^<t>; it uses the hidden state: ŷ^<t> = softmax(W_y a^<t> + b_y).",
            _variant(_lstm_cell_variant, y_from="c_next")),
]

LSTM_CELL_PROBES = [
    Probe(f"b{g}", (lambda g: lambda c: zeros_like(c, f"b{g}"))(g),
          f"The result becomes right when b_{g} = 0, so the mistake is in how b_{g} enters {gate}.")
    for g, gate in (("f", "Γ_f"), ("u", "Γ_u"), ("c", "c̃^<t>"), ("o", "Γ_o"))
] + [
    Probe("c_prev", lambda c: zeros_like(c, "c_prev"),
          "The result becomes right when c^<t-1> = 0, so the mistake is in the term Γ_f ⊙ c^<t-1>."),
    Probe("a_prev", lambda c: zeros_like(c, "a_prev"),
          "The result becomes right when a^<t-1> = 0, so the mistake is in how a^<t-1> enters "
          "[a^<t-1>; x^<t>] (its order or its columns of W_*)."),
]

_GATE_EQS = {
    "Γ_f": "Γ_f = σ(W_f [a^<t-1>; x^<t>] + b_f)", "Γ_u": "Γ_u = σ(W_u [a^<t-1>; x^<t>] + b_u)",
    "c̃": "c̃^<t> = tanh(W_c [a^<t-1>; x^<t>] + b_c)", "Γ_o": "Γ_o = σ(W_o [a^<t-1>; x^<t>] + b_o)",
    "Γ_r": "Γ_r = σ(W_r [c^<t-1>; x^<t>] + b_r)",
}


def _localize_gates(gates: tuple[str, ...], equations: dict[str, str]):
    """If exactly one gate is wrong, point at its equation; if none is, at the state update."""
    def localize(case: Case, report: CaseReport, expected) -> str | None:
        wrong = [g for g in gates if g in report.wrong]
        if len(wrong) == 1:
            return f"Of the gates, only {wrong[0]} is wrong: check {equations[wrong[0]]}."
        if not wrong and all(g in report.right for g in gates):
            return "All the gates are right, so the mistake is in how they are combined into the new state."
        return None
    return localize


_LSTM_CELL_OUTPUTS = [
    Output("a_next", ("r", 0), "a^<t>", ("n_a", "m")),
    Output("c_next", ("r", 1), "c^<t>", ("n_a", "m")),
    Output("yt_pred", ("r", 2), "ŷ^<t>", ("n_y", "m")),
    Output("Γ_f", ("r", 3, 4), "cache[4]", ("n_a", "m")),
    Output("Γ_u", ("r", 3, 5), "cache[5]", ("n_a", "m")),
    Output("c̃", ("r", 3, 6), "cache[6] = c̃^<t>", ("n_a", "m")),
    Output("Γ_o", ("r", 3, 7), "cache[7]", ("n_a", "m")),
]


# =========================================================================== LSTM forward
def _lstm_seq_case(rng, d) -> Case:
    arrays = _gated(rng, d, _LSTM_KEYS)
    arrays["x"] = rng.standard_normal((d["n_x"], d["m"], d["T_x"]))
    arrays["a0"] = rng.standard_normal((d["n_a"], d["m"]))
    return Case(arrays, [A("x"), A("a0"), R("parameters")], defs=[("parameters", params_node(_LSTM_KEYS))],
                dims=d)


def _lstm_forward_variant(case: Case, *, carry_a=True, carry_c=True, fill_y=True, swap_store=False) -> dict:
    p = {k: case.arrays[k] for k in _LSTM_KEYS}
    x, a0 = case.arrays["x"], case.arrays["a0"]
    n_a, m = a0.shape
    T_x = x.shape[2]
    a, c = np.zeros((n_a, m, T_x)), np.zeros((n_a, m, T_x))
    y = np.zeros((p["Wy"].shape[0], m, T_x))
    a_next, c_next = a0, np.zeros_like(a0)
    for t in range(T_x):
        s = lstm_step(x[:, :, t], a_next if carry_a else a0, c_next if carry_c else np.zeros_like(a0), p)
        a_next, c_next = s["a_next"], s["c_next"]
        a[:, :, t], c[:, :, t] = (c_next, a_next) if swap_store else (a_next, c_next)
        if fill_y:
            y[:, :, t] = softmax(p["Wy"] @ a_next + p["by"])
    return {"a": a, "y": y, "c": c, "caches[1]": x}


def _lstm_forward_reference(case: Case) -> dict:
    p = {k: case.arrays[k] for k in _LSTM_KEYS}
    a, y, c, _ = _ref_lstm_forward(case.arrays["x"], case.arrays["a0"], p)
    return {"a": a, "y": y, "c": c, "caches[1]": case.arrays["x"]}


LSTM_FORWARD_MISTAKES = [
    Mistake("c_not_carried", "c^<t-1> is not carried from one step to the next: every step starts from "
            "c = 0. After step t, its c_next is the c_prev of step t+1.", _variant(_lstm_forward_variant, carry_c=False)),
    Mistake("a_not_carried", "a^<t-1> is never updated: every step starts again from a^<0>. After step t, "
            "its a_next is the a_prev of step t+1.", _variant(_lstm_forward_variant, carry_a=False)),
    Mistake("y_not_stored", "y is not filled in: store ŷ^<t> in y[:, :, t] at every step.",
            _variant(_lstm_forward_variant, fill_y=False)),
    Mistake("a_c_swapped", "a and c are swapped: a[:, :, t] holds a^<t> (a_next) and c[:, :, t] holds c^<t> (c_next).",
            _variant(_lstm_forward_variant, swap_store=True)),
]


def _localize_lstm_forward(case: Case, report: CaseReport, expected) -> str | None:
    for label, sym in (("c", "c"), ("a", "a")):
        if label in report.wrong:
            t = first_wrong_step(report.got[label], expected[label])
            if t is not None:
                right = f"{sym}^<1> … {sym}^<{t}> are right and " if t > 0 else "The first step is already wrong: "
                return (f"{right}{sym}^<{t + 1}> is the first wrong step: look at what step {t + 1} receives "
                        f"(x^<{t + 1}>, a^<{t}>, c^<{t}>) and where its results are stored.")
    return None


_LSTM_FORWARD_OUTPUTS = [
    Output("a", ("r", 0), "a^<1> … a^<T_x>", ("n_a", "m", "T_x")),
    Output("y", ("r", 1), "ŷ^<1> … ŷ^<T_x>", ("n_y", "m", "T_x")),
    Output("c", ("r", 2), "c^<1> … c^<T_x>", ("n_a", "m", "T_x")),
    Output("caches[1]", ("r", 3, 1), "x", ("n_x", "m", "T_x"), secondary=True),
]


# =========================================================================== LSTM cell backward
_LSTM_GRADS = ("dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWu", "dbu", "dWc", "dbc", "dWo", "dbo")
_SYMBOLS = {"dxt": "dx^<t>", "da_prev": "da^<t-1>", "dc_prev": "dc^<t-1>", "dx": "dx", "da0": "da^<0>",
            "dWf": "dW_f", "dbf": "db_f", "dWu": "dW_u", "dbu": "db_u", "dWc": "dW_c", "dbc": "db_c",
            "dWo": "dW_o", "dbo": "db_o"}
_W_SHAPE = ("n_a", "n_a + n_x")
_B_SHAPE = ("n_a", "1")


def _grad_outputs(keys, special) -> list[Output]:
    outs = []
    for k in keys:
        dims = special.get(k) or (_W_SHAPE if k.startswith("dW") else _B_SHAPE)
        outs.append(Output(f'gradients["{k}"]', ("r", k), _SYMBOLS[k], dims))
    return outs


def _cache_node(prefix: str, a_prev: str, c_prev: str) -> dict:
    return T(A(f"{prefix}a"), A(f"{prefix}c"), A(a_prev), A(c_prev), A(f"{prefix}gf"), A(f"{prefix}gu"),
             A(f"{prefix}cct"), A(f"{prefix}go"), A(f"{prefix}xt"), R("parameters"))


def _store_step(arrays: dict, prefix: str, step: dict, xt) -> None:
    arrays.update({f"{prefix}a": step["a_next"], f"{prefix}c": step["c_next"], f"{prefix}gf": step["Γ_f"],
                   f"{prefix}gu": step["Γ_u"], f"{prefix}cct": step["c̃"], f"{prefix}go": step["Γ_o"],
                   f"{prefix}xt": xt})


def _lstm_cell_backward_case(rng, d) -> Case:
    p = _gated(rng, d, _LSTM_CORE)
    xt = rng.standard_normal((d["n_x"], d["m"]))
    a_prev, c_prev = rng.standard_normal((d["n_a"], d["m"])), rng.standard_normal((d["n_a"], d["m"]))
    arrays = dict(p, a_prev=a_prev, c_prev=c_prev, da_next=rng.standard_normal((d["n_a"], d["m"])),
                  dc_next=rng.standard_normal((d["n_a"], d["m"])))
    _store_step(arrays, "", lstm_step(xt, a_prev, c_prev, p), xt)
    return Case(arrays, [A("da_next"), A("dc_next"), _cache_node("", "a_prev", "c_prev")],
                defs=[("parameters", params_node(_LSTM_CORE))], dims=d)


def lstm_step_backward(da_next, dc_next, s: dict, p, *, through_a=True, add_dc_next=True, do="ok",
                       dc_prev_gf=True, dcct="ok", du="ok", db="ok") -> dict[str, np.ndarray]:
    """One LSTM backward step with optional deliberate mistakes; ``s`` holds the step's cache."""
    n_a = s["a_prev"].shape[0]
    tanh_c = np.tanh(s["c_next"])
    dc = (dc_next if add_dc_next else 0) + (da_next * s["Γ_o"] * (1 - tanh_c ** 2) if through_a else 0)
    dgo = da_next * (tanh_c if do == "ok" else s["c_next"])
    dz_o = dgo * s["Γ_o"] * (1 - s["Γ_o"])
    dz_c = dc * s["Γ_u"] * ((1 - s["c̃"] ** 2) if dcct == "ok" else (1 - s["c̃"]))
    dz_u = dc * (s["c̃"] if du == "ok" else s["c_prev"]) * s["Γ_u"] * (1 - s["Γ_u"])
    dz_f = dc * s["c_prev"] * s["Γ_f"] * (1 - s["Γ_f"])
    concat = np.concatenate([s["a_prev"], s["xt"]], axis=0)
    g: dict[str, np.ndarray] = {}
    dconcat = np.zeros_like(concat)
    for k, dz in (("f", dz_f), ("u", dz_u), ("c", dz_c), ("o", dz_o)):
        g["dW" + k] = dz @ concat.T
        g["db" + k] = dz.sum(axis=1, keepdims=True) if db == "ok" else dz.sum(axis=1)
        dconcat += p["W" + k].T @ dz
    g["da_prev"], g["dxt"] = dconcat[:n_a], dconcat[n_a:]
    g["dc_prev"] = dc * s["Γ_f"] if dc_prev_gf else dc
    return g


def _cell_state(case: Case) -> dict:
    c = case.arrays
    return {"a_next": c["a"], "c_next": c["c"], "a_prev": c["a_prev"], "c_prev": c["c_prev"], "Γ_f": c["gf"],
            "Γ_u": c["gu"], "c̃": c["cct"], "Γ_o": c["go"], "xt": c["xt"]}


def _lstm_cell_backward_variant(case: Case, **kw) -> dict:
    p = {k: case.arrays[k] for k in _LSTM_CORE}
    return lstm_step_backward(case.arrays["da_next"], case.arrays["dc_next"], _cell_state(case), p, **kw)


def _lstm_cell_backward_reference(case: Case) -> dict:
    c = case.arrays
    p = {k: c[k] for k in _LSTM_CORE}
    cache = (c["a"], c["c"], c["a_prev"], c["c_prev"], c["gf"], c["gu"], c["cct"], c["go"], c["xt"], p)
    return dict(_ref_lstm_cell_backward(c["da_next"], c["dc_next"], cache))


_DC = "dc = dc^<t> + da^<t> ⊙ Γ_o ⊙ (1 − tanh²(c^<t>))"
LSTM_CELL_BACKWARD_MISTAKES = [
    Mistake("no_path_through_a", f"The gradient reaching c^<t> through a^<t> = Γ_o ⊙ tanh(c^<t>) is missing: {_DC}.",
            _variant(_lstm_cell_backward_variant, through_a=False)),
    Mistake("dc_next_not_added", f"dc_next (the gradient from step t+1 on c^<t>) is not added: {_DC}.",
            _variant(_lstm_cell_backward_variant, add_dc_next=False)),
    Mistake("dgo_uses_c", "dΓ_o = da^<t> ⊙ tanh(c^<t>): the output gate multiplies tanh(c^<t>), not c^<t>.",
            _variant(_lstm_cell_backward_variant, do="c")),
    Mistake("dc_prev_no_forget", "dc^<t-1> = dc ⊙ Γ_f: the forget gate Γ_f is missing from dc_prev.",
            _variant(_lstm_cell_backward_variant, dc_prev_gf=False)),
    Mistake("dcct_not_squared", "The derivative of c̃^<t> = tanh(·) is 1 − (c̃^<t>)², squared "
            "(in dz_c = dc ⊙ Γ_u ⊙ (1 − (c̃^<t>)²)).", _variant(_lstm_cell_backward_variant, dcct="not_squared")),
    Mistake("dgu_uses_c_prev", "dΓ_u = dc ⊙ c̃^<t>: the update gate multiplies c̃^<t>, not c^<t-1>.",
            _variant(_lstm_cell_backward_variant, du="c_prev")),
    Mistake("db_no_keepdims", "The bias gradients db_f, db_u, db_c, db_o must keep the column shape (n_a, 1): "
            "np.sum(dz, axis=1, keepdims=True).", _variant(_lstm_cell_backward_variant, db="flat")),
]


# =========================================================================== LSTM backward
_LSTM_SEQ_GRADS = ("dx", "da0", "dWf", "dbf", "dWu", "dbu", "dWc", "dbc", "dWo", "dbo")


def _lstm_backward_case(rng, d) -> Case:
    p = _gated(rng, d, _LSTM_CORE)
    x = rng.standard_normal((d["n_x"], d["m"], d["T_x"]))
    a0 = rng.standard_normal((d["n_a"], d["m"]))
    arrays = dict(p, x=x, a0=a0, c0=np.zeros_like(a0))
    cells = []
    a_prev, c_prev = a0, arrays["c0"]
    for t in range(d["T_x"]):
        s = lstm_step(x[:, :, t], a_prev, c_prev, p)
        _store_step(arrays, f"{t}_", s, x[:, :, t])
        cells.append(_cache_node(f"{t}_", "a0" if t == 0 else f"{t - 1}_a", "c0" if t == 0 else f"{t - 1}_c"))
        a_prev, c_prev = s["a_next"], s["c_next"]
    arrays["da"] = rng.standard_normal((d["n_a"], d["m"], d["T_x"]))
    return Case(arrays, [A("da"), T(L(*cells), A("x"))], defs=[("parameters", params_node(_LSTM_CORE))], dims=d)


def _step_state(case: Case, t: int) -> dict:
    c = case.arrays
    prev_a = c["a0"] if t == 0 else c[f"{t - 1}_a"]
    prev_c = c["c0"] if t == 0 else c[f"{t - 1}_c"]
    return {"a_next": c[f"{t}_a"], "c_next": c[f"{t}_c"], "a_prev": prev_a, "c_prev": prev_c,
            "Γ_f": c[f"{t}_gf"], "Γ_u": c[f"{t}_gu"], "c̃": c[f"{t}_cct"], "Γ_o": c[f"{t}_go"], "xt": c[f"{t}_xt"]}


def _lstm_backward_variant(case: Case, *, carry_dc=True, add_da=True, accumulate=True, steps="all") -> dict:
    c = case.arrays
    p = {k: c[k] for k in _LSTM_CORE}
    n_a, m, T_x = c["da"].shape
    dx = np.zeros(c["x"].shape)
    g = {k: np.zeros_like(p[k[1:]]) for k in _LSTM_SEQ_GRADS[2:]}
    da_prevt, dc_prevt = np.zeros((n_a, m)), np.zeros((n_a, m))
    order = {"all": reversed(range(T_x)), "skip_last": reversed(range(T_x - 1)),
             "forward": range(T_x)}[steps]
    for t in order:
        step = lstm_step_backward((c["da"][:, :, t] if add_da else 0) + da_prevt,
                                  dc_prevt if carry_dc else np.zeros((n_a, m)), _step_state(case, t), p)
        dx[:, :, t] = step["dxt"]
        da_prevt, dc_prevt = step["da_prev"], step["dc_prev"]
        for k in g:
            g[k] = g[k] + step[k] if accumulate else step[k]
    return {"dx": dx, "da0": da_prevt, **g}


def _lstm_backward_reference(case: Case) -> dict:
    c = case.arrays
    p = {k: c[k] for k in _LSTM_CORE}
    T_x = c["x"].shape[2]
    cells = []
    for t in range(T_x):
        s = _step_state(case, t)
        cells.append((s["a_next"], s["c_next"], s["a_prev"], s["c_prev"], s["Γ_f"], s["Γ_u"], s["c̃"],
                      s["Γ_o"], s["xt"], p))
    grads = _ref_lstm_backward(c["da"], (cells, c["x"]))
    return {k: grads[k] for k in _LSTM_SEQ_GRADS}


LSTM_BACKWARD_MISTAKES = [
    Mistake("dc_not_carried", "dc_prevt, the gradient on the memory cell coming back from step t+1, is not "
            "carried: give lstm_cell_backward dc_prevt as dc_next at every step.",
            _variant(_lstm_backward_variant, carry_dc=False)),
    Mistake("da_not_added", "The gradient from the output at step t, da[:, :, t], is not added: the gradient "
            "reaching a^<t> is da[:, :, t] + da_prevt.", _variant(_lstm_backward_variant, add_da=False)),
    Mistake("not_accumulated", "The weight and bias gradients hold only one time step (t = 1): W_f, W_u, W_c, "
            "W_o and the biases are shared by all time steps, so add up (+=) their gradients over t.",
            _variant(_lstm_backward_variant, accumulate=False)),
    Mistake("skip_last", "The backward loop skips the last step t = T_x (off by one): loop over reversed(range(T_x)).",
            _variant(_lstm_backward_variant, steps="skip_last")),
    Mistake("forward_order", "The backward loop runs forward in time; backpropagation through time goes from "
            "t = T_x down to t = 1 (reversed(range(T_x))).", _variant(_lstm_backward_variant, steps="forward")),
]


def _localize_lstm_backward(case: Case, report: CaseReport, expected) -> str | None:
    label = 'gradients["dx"]'
    if label in report.wrong:
        t = last_wrong_step(report.got[label], expected[label])
        if t is not None:
            T_x = case.dims["T_x"]
            later = f"dx^<{t + 2}> … dx^<{T_x}> are right and " if t + 1 < T_x else "Already the last step is wrong: "
            return (f"{later}dx^<{t + 1}> is the last wrong step (going back in time): look at the gradients "
                    f"that reach a^<{t + 1}> and c^<{t + 1}> at step {t + 1}.")
    return None


# =========================================================================== questions
QUESTIONS: dict[str, Question] = {q.id: q for q in [
    Question("gru_cell_forward", "gru_cell_forward", "One step of the full GRU", 10,
             "gru_cell_forward", "test_gru_cell_forward", _GRU_OUTPUTS, _gru_case, _gru_reference,
             [{"n_x": 3, "n_a": 5, "n_y": 2, "m": 10}, {"n_x": 1, "n_a": 2, "n_y": 3, "m": 1}],
             _dims(False), GRU_MISTAKES, localize=_localize_gates(("Γ_r", "Γ_u", "c̃"), {
                 **_GATE_EQS, "Γ_u": "Γ_u = σ(W_u [c^<t-1>; x^<t>] + b_u)",
                 "c̃": "c̃^<t> = tanh(W_c [Γ_r ⊙ c^<t-1>; x^<t>] + b_c)"})),
    Question("lstm_cell_forward", "lstm_cell_forward", "One step of the LSTM", 10,
             "lstm_cell_forward", "test_lstm_cell_forward", _LSTM_CELL_OUTPUTS, _lstm_cell_case,
             _lstm_cell_reference,
             [{"n_x": 3, "n_a": 5, "n_y": 2, "m": 10}, {"n_x": 1, "n_a": 2, "n_y": 3, "m": 1}],
             _dims(False), LSTM_CELL_MISTAKES, LSTM_CELL_PROBES,
             localize=_localize_gates(("Γ_f", "Γ_u", "c̃", "Γ_o"), _GATE_EQS)),
    Question("lstm_forward", "lstm_forward", "The LSTM over a sequence", 10,
             "lstm_forward", "test_lstm_forward", _LSTM_FORWARD_OUTPUTS, _lstm_seq_case, _lstm_forward_reference,
             [{"n_x": 3, "n_a": 5, "n_y": 2, "m": 10, "T_x": 7}, {"n_x": 2, "n_a": 3, "n_y": 2, "m": 1, "T_x": 1}],
             _dims(True), LSTM_FORWARD_MISTAKES, localize=_localize_lstm_forward,
             depends_on=("lstm_cell_forward",)),
    Question("lstm_cell_backward", "lstm_cell_backward", "Backward through one LSTM step", 15,
             "lstm_cell_backward", "test_lstm_cell_backward",
             _grad_outputs(_LSTM_GRADS, {"dxt": ("n_x", "m"), "da_prev": ("n_a", "m"), "dc_prev": ("n_a", "m")}),
             _lstm_cell_backward_case, _relabel(_lstm_cell_backward_reference),
             [{"n_x": 3, "n_a": 5, "n_y": 2, "m": 10}, {"n_x": 1, "n_a": 2, "n_y": 2, "m": 1}],
             _dims(False), [Mistake(m.key, m.message, _relabel(m.outputs)) for m in LSTM_CELL_BACKWARD_MISTAKES]),
    Question("lstm_backward", "lstm_backward", "Backpropagation through time in the LSTM", 15,
             "lstm_backward", "test_lstm_backward",
             _grad_outputs(_LSTM_SEQ_GRADS, {"dx": ("n_x", "m", "T_x"), "da0": ("n_a", "m")}),
             _lstm_backward_case, _relabel(_lstm_backward_reference),
             [{"n_x": 3, "n_a": 5, "n_y": 2, "m": 10, "T_x": 4}, {"n_x": 2, "n_a": 3, "n_y": 2, "m": 1, "T_x": 1}],
             _dims(True), [Mistake(m.key, m.message, _relabel(m.outputs)) for m in LSTM_BACKWARD_MISTAKES],
             localize=_localize_lstm_backward, depends_on=("lstm_cell_backward",)),
]}


# =========================================================================== notebook API
def check_gru_cell_forward(gru_cell_forward: Callable) -> None:
    """Check your ``gru_cell_forward`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["gru_cell_forward"], gru_cell_forward)


def check_lstm_cell_forward(lstm_cell_forward: Callable) -> None:
    """Check your ``lstm_cell_forward`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["lstm_cell_forward"], lstm_cell_forward)


def check_lstm_forward(lstm_forward: Callable) -> None:
    """Check your ``lstm_forward`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["lstm_forward"], lstm_forward)


def check_lstm_cell_backward(lstm_cell_backward: Callable) -> None:
    """Check your ``lstm_cell_backward`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["lstm_cell_backward"], lstm_cell_backward)


def check_lstm_backward(lstm_backward: Callable) -> None:
    """Check your ``lstm_backward`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["lstm_backward"], lstm_backward)


def hidden_tests(question_id: str, function: Callable, seed: int) -> None:
    """The hidden tests of the source notebook (random cases from ``seed``)."""
    run_hidden_tests(QUESTIONS[question_id], function, seed)
