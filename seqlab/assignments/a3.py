"""Assignment A3 -- a character-level name generator: checks, hidden tests, diagnostics.

Graded on seeded behaviour against the reference (:mod:`seqlab.numpy`):

* ``clip(gradients, maxValue) -> gradients``: every entry of dW_ax, dW_aa, dW_ya, db_a, db_y
  clipped to [−maxValue, maxValue] (:func:`seqlab.numpy.clip`);
* ``sample(parameters, char_to_ix, seed) -> indices``: x^<1> = 0⃗, a^<0> = 0⃗; at every step
  a^<t> = tanh(W_ax x^<t> + W_aa a^<t-1> + b_a), ŷ^<t> = softmax(W_ya a^<t> + b_y), the next index
  drawn with ``rng.choice(vocab_size, p=ŷ^<t>.ravel())`` from ONE generator
  ``rng = np.random.default_rng(seed)``, fed back as the one-hot x^<t+1>; stop after "\\n" or
  50 characters (:func:`seqlab.numpy.sample_sequence`);
* ``optimize(X, Y, a_prev, parameters, learning_rate) -> loss, gradients, a^<T_x>``: forward,
  backward, clip to [−5, 5], one gradient-descent step (in place);
* ``model(names, char_to_ix, num_iterations, n_a, learning_rate, seed) -> parameters, losses``.

The reference side of ``optimize`` is written with :func:`seqlab.numpy.rnn_forward`,
:func:`seqlab.numpy.rnn_backward`, :func:`seqlab.numpy.clip` and the SGD update.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..numpy.clipping import clip as _ref_clip
from ..numpy.rnn import rnn_backward as _ref_rnn_backward
from ..numpy.rnn import rnn_forward as _ref_rnn_forward
from ..numpy.sampling import sample_sequence as _ref_sample
from . import helpers
from ._core import (A, L, Mistake, Output, Question, R, Case, CaseReport, D, NONE, close, params_node,
                    run_check, run_hidden_tests)

__all__ = ["QUESTIONS", "check_clip", "check_sample", "check_optimize", "check_model", "hidden_tests",
           "reference_optimize", "reference_model"]

_KEYS = ("Wax", "Waa", "Wya", "ba", "by")
_GRAD_KEYS = ("dWaa", "dWax", "dWya", "dba", "dby")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
VOCAB = 27
MAX_LENGTH = 50
CLIP_VALUE = 5.0


def _variant(fn: Callable, **kw) -> Callable[[Case], dict]:
    return lambda case: fn(case, **kw)


def _char_to_ix_node() -> dict:
    return D(**{"\n": 0, **{ch: i + 1 for i, ch in enumerate(_ALPHABET)}})


def _char_params(rng, n_a: int, scale: float) -> dict[str, np.ndarray]:
    return {"Wax": rng.standard_normal((n_a, VOCAB)) * scale, "Waa": rng.standard_normal((n_a, n_a)) * scale,
            "Wya": rng.standard_normal((VOCAB, n_a)) * scale, "ba": rng.standard_normal((n_a, 1)) * scale,
            "by": rng.standard_normal((VOCAB, 1)) * scale}


# =========================================================================== clip
def _clip_case(rng, d) -> Case:
    n_a = d["n_a"]
    shapes = {"dWaa": (n_a, n_a), "dWax": (n_a, VOCAB), "dWya": (VOCAB, n_a), "dba": (n_a, 1), "dby": (VOCAB, 1)}
    arrays = {k: rng.standard_normal(s) * 8 for k, s in shapes.items()}
    max_value = float(np.round(rng.uniform(1, 8), 3))
    return Case(arrays, [D(**{k: A(k) for k in _GRAD_KEYS}), max_value], dims=dict(d), meta={"maxValue": max_value})


def _clip_reference(case: Case) -> dict:
    clipped = _ref_clip({k: case.arrays[k] for k in _GRAD_KEYS}, case.meta["maxValue"])
    return {f'gradients["{k}"]': clipped[k] for k in _GRAD_KEYS}


def _clip_variant(case: Case, *, skip=None, low=True, high=True, zero_low=False) -> dict:
    v = case.meta["maxValue"]
    out = {}
    for k in _GRAD_KEYS:
        g = case.arrays[k]
        if k != skip:
            g = np.minimum(g, v) if high else g
            g = np.maximum(g, 0.0 if zero_low else -v) if low else g
        out[f'gradients["{k}"]'] = g
    return out


_SYM = {"dWaa": "dW_aa", "dWax": "dW_ax", "dWya": "dW_ya", "dba": "db_a", "dby": "db_y"}
CLIP_MISTAKES = [
    Mistake(f"skip_{k}", f"{_SYM[k]} ({k}) is not clipped: clip every gradient, dW_ax, dW_aa, dW_ya, db_a and db_y.",
            _variant(_clip_variant, skip=k)) for k in _GRAD_KEYS
] + [
    Mistake("no_lower", "Only the upper bound is applied: clip to [−maxValue, maxValue] (np.clip(g, -maxValue, maxValue)).",
            _variant(_clip_variant, low=False)),
    Mistake("no_upper", "Only the lower bound is applied: clip to [−maxValue, maxValue] (np.clip(g, -maxValue, maxValue)).",
            _variant(_clip_variant, high=False)),
    Mistake("zero_lower", "The lower bound is 0; the interval is [−maxValue, maxValue].",
            _variant(_clip_variant, zero_low=True)),
    Mistake("not_clipped", "Nothing is clipped: with np.clip, either assign its result or pass out=gradient.",
            _variant(_clip_variant, low=False, high=False)),
]

_CLIP_OUTPUTS = [Output(f'gradients["{k}"]', ("r", k), _SYM[k], s) for k, s in
                 (("dWaa", ("n_a", "n_a")), ("dWax", ("n_a", "n_x")), ("dWya", ("n_y", "n_a")),
                  ("dba", ("n_a", "1")), ("dby", ("n_y", "1")))]


# =========================================================================== sample
def _sample_case(rng, d) -> Case:
    n_a = d["n_a"]
    params = _char_params(rng, n_a, 1.0)
    params["by"][0, 0] += 2.5  # "\n" likely enough that names end after a few characters
    seed = int(rng.integers(0, 2 ** 31))
    case = Case(params, [R("parameters"), R("char_to_ix"), seed],
                defs=[("parameters", params_node(_KEYS)), ("char_to_ix", _char_to_ix_node())],
                dims=dict(d), meta={"seed": seed})
    case.dims["length"] = len(_sample_reference(case)["indices"])
    return case


def _sample_reference(case: Case) -> dict:
    p = {k: case.arrays[k] for k in _KEYS}
    return {"indices": np.array(_ref_sample(p, eos_index=0, max_length=MAX_LENGTH, seed=case.meta["seed"]),
                                dtype=np.float64)}


def _sample_variant(case: Case, *, feed_x=True, carry_a=True, draw="choice", reseed=False, stop=True) -> dict:
    p = {k: case.arrays[k] for k in _KEYS}
    rng = np.random.default_rng(case.meta["seed"])
    x, a = np.zeros((VOCAB, 1)), np.zeros((p["Waa"].shape[0], 1))
    out: list[int] = []
    while True:
        a_new = np.tanh(p["Wax"] @ x + p["Waa"] @ a + p["ba"])
        y = helpers.softmax(p["Wya"] @ a_new + p["by"])
        if reseed:
            rng = np.random.default_rng(case.meta["seed"])
        idx = int(np.argmax(y)) if draw == "argmax" else int(rng.choice(VOCAB, p=y.ravel()))
        out.append(idx)
        if (stop and idx == 0) or len(out) == MAX_LENGTH:
            break
        if feed_x:
            x = np.zeros((VOCAB, 1))
            x[idx, 0] = 1.0
        if carry_a:
            a = a_new
    return {"indices": np.array(out, dtype=np.float64)}


SAMPLE_MISTAKES = [
    Mistake("x_not_fed", "x is not updated: after drawing an index, the next input x^<t+1> is the one-hot "
            "vector of that index.", _variant(_sample_variant, feed_x=False)),
    Mistake("a_not_carried", "a_prev is not updated: after each step, a^<t> becomes a_prev.",
            _variant(_sample_variant, carry_a=False)),
    Mistake("argmax", "The index is the argmax of ŷ^<t>; it must be drawn at random: "
            "rng.choice(vocab_size, p=y.ravel()).", _variant(_sample_variant, draw="argmax")),
    Mistake("reseeded", "The generator is created again at every step, so every draw uses the same random "
            "number: create rng = np.random.default_rng(seed) once, before the loop.",
            _variant(_sample_variant, reseed=True)),
    Mistake("no_stop", "Sampling does not stop at the newline character: stop after drawing the index of "
            "\"\\n\" (included), or after 50 characters.", _variant(_sample_variant, stop=False)),
]


def _localize_sample(case: Case, report: CaseReport, expected) -> str | None:
    got, want = report.got.get("indices"), expected["indices"]
    if got is None:
        return None
    n = min(len(got), len(want))
    first = next((i for i in range(n) if got[i] != want[i]), n)
    if first == 0:
        return "The first index is already different: check a^<1> (from x^<1> = 0⃗ and a^<0> = 0⃗) and the draw."
    return (f"The first {first} indices are right; index {first + 1} differs: check what is fed back "
            "after each draw (x^<t+1>, a^<t>) and when the loop stops.")


# =========================================================================== optimize
def _name_indices(rng, length: int) -> list[int]:
    return [int(i) for i in rng.integers(1, VOCAB, size=length)]


def _optimize_case(rng, d) -> Case:
    n_a = d["n_a"]
    params = _char_params(rng, n_a, 1.5)
    word = _name_indices(rng, d["T_x"] - 1)
    X = [None] + word
    Y = word + [0]
    lr = float(np.round(rng.uniform(0.005, 0.05), 4))
    arrays = dict(params, a_prev=rng.standard_normal((n_a, 1)) * 0.5)
    return Case(arrays, [L(NONE, *word), L(*Y), A("a_prev"), R("parameters"), lr],
                defs=[("parameters", params_node(_KEYS))], dims=dict(d), meta={"X": X, "Y": Y, "lr": lr})


def _one_hot_seq(X: list) -> np.ndarray:
    x = np.zeros((VOCAB, 1, len(X)))
    for t, i in enumerate(X):
        if i is not None:
            x[i, 0, t] = 1.0
    return x


def reference_optimize(X, Y, a_prev, parameters, learning_rate, *, clip_value=CLIP_VALUE):
    """One training step of the character-level RNN with :mod:`seqlab.numpy`; updates
    ``parameters`` in place and returns ``loss, clipped gradients, a^<T_x>``."""
    x = _one_hot_seq(X)
    a, y_hat, caches = _ref_rnn_forward(x, a_prev, parameters)
    T_x = len(X)
    loss = -float(sum(np.log(y_hat[Y[t], 0, t]) for t in range(T_x)))
    dz_y = y_hat.copy()
    for t in range(T_x):
        dz_y[Y[t], 0, t] -= 1.0                                 # dL/dz_y^<t> = ŷ^<t> − y^<t>
    dz2 = dz_y.reshape(VOCAB, T_x)
    a2 = a.reshape(a.shape[0], T_x)
    da = (parameters["Wya"].T @ dz2).reshape(a.shape)
    g = _ref_rnn_backward(da, caches)
    grads = {"dWax": g["dWax"], "dWaa": g["dWaa"], "dba": g["dba"], "dWya": dz2 @ a2.T,
             "dby": dz2.sum(axis=1, keepdims=True)}
    grads = _ref_clip(grads, clip_value) if clip_value is not None else grads
    for k in _KEYS:
        parameters[k] -= learning_rate * grads["d" + k]
    return loss, grads, a[:, :, -1]


def _optimize_outputs(loss, grads, a_last, params) -> dict:
    out = {"loss": np.float64(loss), "a": a_last}
    out.update({f'gradients["{k}"]': grads[k] for k in _GRAD_KEYS})
    out.update({f'parameters["{k}"] after the update': params[k] for k in _KEYS})
    return out


def _optimize_reference(case: Case) -> dict:
    params = {k: case.arrays[k].copy() for k in _KEYS}
    loss, grads, a_last = reference_optimize(case.meta["X"], case.meta["Y"], case.arrays["a_prev"], params,
                                             case.meta["lr"])
    return _optimize_outputs(loss, grads, a_last, params)


def _optimize_variant(case: Case, *, clip_value=CLIP_VALUE, ascent=False, use_a_prev=True, lr=None,
                      a_index=-1) -> dict:
    params = {k: case.arrays[k].copy() for k in _KEYS}
    a0 = case.arrays["a_prev"] if use_a_prev else np.zeros_like(case.arrays["a_prev"])
    rate = case.meta["lr"] if lr is None else lr
    x = _one_hot_seq(case.meta["X"])
    a_all, _, _ = _ref_rnn_forward(x, a0, {k: params[k] for k in _KEYS})
    loss, grads, _ = reference_optimize(case.meta["X"], case.meta["Y"], a0, params, -rate if ascent else rate,
                                        clip_value=clip_value)
    return _optimize_outputs(loss, grads, a_all[:, :, a_index], params)


OPTIMIZE_MISTAKES = [
    Mistake("no_clip", "The gradients are not clipped: call clip(gradients, 5) after char_rnn_backward and "
            "update the parameters with the clipped gradients.", _variant(_optimize_variant, clip_value=None)),
    Mistake("clip_10", "The gradients are clipped to [−10, 10]; clip them to [−5, 5]: clip(gradients, 5).",
            _variant(_optimize_variant, clip_value=10.0)),
    Mistake("ascent", "The update goes up the gradient: gradient descent is θ ← θ − α dθ.",
            _variant(_optimize_variant, ascent=True)),
    Mistake("a_prev_ignored", "a_prev is ignored: the forward pass starts from the a_prev given to optimize.",
            _variant(_optimize_variant, use_a_prev=False)),
    Mistake("default_lr", "The learning rate given to optimize is not used (0.01 instead).",
            _variant(_optimize_variant, lr=0.01)),
    Mistake("a_first", "optimize returns a^<1>; it returns the last hidden state a^<T_x> (a[len(X) - 1]).",
            _variant(_optimize_variant, a_index=0)),
]

_OPTIMIZE_OUTPUTS = ([Output("loss", ("r", 0), "L = −Σ_t log ŷ^<t>[y^<t>]", ()),
                      Output("a", ("r", 2), "a^<T_x>", ("n_a", "1"))]
                     + [Output(f'gradients["{k}"]', ("r", 1, k), _SYM[k], dims) for k, dims in
                        (("dWaa", ("n_a", "n_a")), ("dWax", ("n_a", "n_x")), ("dWya", ("n_y", "n_a")),
                         ("dba", ("n_a", "1")), ("dby", ("n_y", "1")))]
                     + [Output(f'parameters["{k}"] after the update', ("a", 3, k), k, dims) for k, dims in
                        (("Wax", ("n_a", "n_x")), ("Waa", ("n_a", "n_a")), ("Wya", ("n_y", "n_a")),
                         ("ba", ("n_a", "1")), ("by", ("n_y", "1")))])


# =========================================================================== model
_NAME_POOL = ("anna", "bob", "carla", "dimitri", "eve", "fatima", "gus", "hiroshi", "ines", "jo", "kwame",
              "lena", "mo", "nadia", "oscar", "paz", "quinn", "rosa", "sven", "tia", "ulla", "vic", "wen",
              "xavier", "yuki", "zoe")


def _model_case(rng, d) -> Case:
    names = [str(n) for n in rng.choice(_NAME_POOL, size=d["n_names"], replace=False)]
    seed = int(rng.integers(0, 10_000))
    lr = float(np.round(rng.uniform(0.01, 0.05), 4))
    meta = {"names": names, "seed": seed, "lr": lr, "iterations": d["iterations"], "n_a": d["n_a"]}
    return Case({}, [L(*names), _char_to_ix_node(), d["iterations"], d["n_a"], lr, seed], dims=dict(d), meta=meta)


def reference_model(names, num_iterations, n_a, learning_rate, seed):
    """The training loop of A3 with :func:`reference_optimize`: ``parameters, losses``."""
    parameters = helpers.initialize_parameters(n_a, VOCAB, VOCAB, seed)
    examples = helpers.shuffled(names, seed)
    a_prev = np.zeros((n_a, 1))
    losses = []
    for j in range(num_iterations):
        name = examples[j % len(examples)]
        X = [None] + [_ALPHABET.index(ch) + 1 for ch in name]
        Y = X[1:] + [0]
        loss, _, a_prev = reference_optimize(X, Y, a_prev, parameters, learning_rate)
        losses.append(loss)
    return parameters, losses


def _model_outputs(parameters, losses) -> dict:
    out = {f'parameters["{k}"]': parameters[k] for k in _KEYS}
    out["losses"] = np.array(losses, dtype=np.float64)
    return out


def _model_reference(case: Case) -> dict:
    m = case.meta
    return _model_outputs(*reference_model(m["names"], m["iterations"], m["n_a"], m["lr"], m["seed"]))


def _model_variant(case: Case, *, carry_a=True, shuffle=True, newline=True) -> dict:
    m = case.meta
    parameters = helpers.initialize_parameters(m["n_a"], VOCAB, VOCAB, m["seed"])
    examples = helpers.shuffled(m["names"], m["seed"]) if shuffle else list(m["names"])
    a_prev = np.zeros((m["n_a"], 1))
    losses = []
    for j in range(m["iterations"]):
        name = examples[j % len(examples)]
        X = [None] + [_ALPHABET.index(ch) + 1 for ch in name]
        Y = X[1:] + ([0] if newline else [])
        X = X if newline else X[:-1]
        loss, _, a_last = reference_optimize(X, Y, a_prev if carry_a else np.zeros((m["n_a"], 1)), parameters,
                                             m["lr"])
        a_prev = a_last
        losses.append(loss)
    return _model_outputs(parameters, losses)


MODEL_MISTAKES = [
    Mistake("a_reset", "a_prev is reset to zeros at every iteration; carry the a^<T_x> returned by optimize "
            "into the next iteration.", _variant(_model_variant, carry_a=False)),
    Mistake("not_shuffled", "The names are visited in the given order: visit examples = shuffled(names, seed), "
            "example j being examples[j % len(examples)].", _variant(_model_variant, shuffle=False)),
    Mistake("no_newline", "Y does not end with the index of \"\\n\": the model must learn where a name ends "
            "(Y = X[1:] + [char_to_ix[\"\\n\"]]).", _variant(_model_variant, newline=False)),
]


def _localize_model(case: Case, report: CaseReport, expected) -> str | None:
    got = report.got.get("losses")
    if got is None or got.shape != expected["losses"].shape:
        return None
    first = next((i for i in range(len(got)) if not close(got[i:i + 1], expected["losses"][i:i + 1])), None)
    if first == 0:
        return ("The loss of the very first iteration is already wrong: check the parameters you start from "
                "(initialize_parameters(n_a, vocab_size, vocab_size, seed)), the first example and X, Y.")
    if first is not None:
        return (f"The losses of iterations 1 … {first} are right; iteration {first + 1} is the first wrong one: "
                "check what changes from one iteration to the next (the example, a_prev).")
    return None


# =========================================================================== questions
def _clip_dims(rng) -> list[dict]:
    return [{"n_a": int(rng.integers(3, 9))}, {"n_a": 1}, {"n_a": int(rng.integers(2, 5))}]


def _sample_dims(rng) -> list[dict]:
    return [{"n_a": int(rng.integers(4, 12))} for _ in range(3)]


def _optimize_dims(rng) -> list[dict]:
    return [{"n_a": int(rng.integers(4, 10)), "T_x": int(rng.integers(6, 14))},
            {"n_a": int(rng.integers(2, 5)), "T_x": 2}, {"n_a": int(rng.integers(4, 10)), "T_x": 12}]


def _model_dims(rng) -> list[dict]:
    return [{"n_a": int(rng.integers(4, 10)), "n_names": int(rng.integers(3, 7)),
             "iterations": int(rng.integers(8, 20))} for _ in range(2)]


def _dims_with_vocab(fn):
    def dims(rng):
        out = fn(rng)
        for d in out:
            d.update(n_x=VOCAB, n_y=VOCAB)
        return out
    return dims


def _model_with_count(make):
    def case_fn(rng, d):
        case = make(rng, d)
        case.dims.update(num_iterations=d["iterations"], n_x=VOCAB, n_y=VOCAB)
        return case
    return case_fn


_MODEL_OUTPUTS = ([Output(f'parameters["{k}"]', ("r", 0, k), k, dims) for k, dims in
                   (("Wax", ("n_a", "n_x")), ("Waa", ("n_a", "n_a")), ("Wya", ("n_y", "n_a")),
                    ("ba", ("n_a", "1")), ("by", ("n_y", "1")))]
                  + [Output("losses", ("r", 1), "L of every iteration", ("num_iterations",))])

QUESTIONS: dict[str, Question] = {q.id: q for q in [
    Question("clip", "clip", "Gradient clipping", 5, "clip", "test_clip", _CLIP_OUTPUTS, _clip_case,
             _clip_reference, [{"n_a": 5, "n_x": VOCAB, "n_y": VOCAB}, {"n_a": 2, "n_x": VOCAB, "n_y": VOCAB}],
             _dims_with_vocab(_clip_dims), CLIP_MISTAKES),
    Question("sample", "sample", "Sampling a name", 10, "sample", "test_sample",
             [Output("indices", ("r",), "the sampled indices", ("length",))], _sample_case, _sample_reference,
             [{"n_a": 8, "n_x": VOCAB, "n_y": VOCAB}, {"n_a": 5, "n_x": VOCAB, "n_y": VOCAB}],
             _dims_with_vocab(_sample_dims), SAMPLE_MISTAKES, localize=_localize_sample),
    Question("optimize", "optimize", "One optimization step", 10, "optimize", "test_optimize", _OPTIMIZE_OUTPUTS,
             _optimize_case, _optimize_reference,
             [{"n_a": 6, "T_x": 12, "n_x": VOCAB, "n_y": VOCAB}, {"n_a": 3, "T_x": 2, "n_x": VOCAB, "n_y": VOCAB}],
             _dims_with_vocab(_optimize_dims), OPTIMIZE_MISTAKES, depends_on=("clip",)),
    Question("model", "model", "The training loop", 10, "model", "test_model", _MODEL_OUTPUTS,
             _model_with_count(_model_case), _model_reference,
             [{"n_a": 6, "n_names": 4, "iterations": 10}, {"n_a": 3, "n_names": 2, "iterations": 3}],
             _model_dims, MODEL_MISTAKES, localize=_localize_model, depends_on=("optimize",)),
]}


# =========================================================================== notebook API
def check_clip(clip: Callable) -> None:
    """Check your ``clip`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["clip"], clip)


def check_sample(sample: Callable) -> None:
    """Check your ``sample`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["sample"], sample)


def check_optimize(optimize: Callable) -> None:
    """Check your ``optimize`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["optimize"], optimize)


def check_model(model: Callable) -> None:
    """Check your ``model`` on a fixed example; says where a mistake is."""
    run_check(QUESTIONS["model"], model)


def hidden_tests(question_id: str, function: Callable, seed: int) -> None:
    """The hidden tests of the source notebook (random cases from ``seed``)."""
    run_hidden_tests(QUESTIONS[question_id], function, seed)
