"""Looking inside gated cells: gate activations over time, gradient flow, gate blocks.

:func:`record_gates` reads the sequence caches of :mod:`seqlab.numpy` (what
``gru_forward``, ``lstm_forward``, ``peephole_lstm_forward`` or ``recurrent_forward``
return) and stacks the gates of every step into arrays (n_a, m, T_x), keyed by their
names in :mod:`seqlab.notation`:

=============== ==========================================================================
kind            keys
=============== ==========================================================================
rnn             a
gru             c_tilde, Gamma_u, Gamma_r (not for "simplified"), c
lstm            Gamma_f, Gamma_u, c_tilde, Gamma_o, c, a
peephole_lstm   Gamma_f, Gamma_u, c_tilde, Gamma_o, c, a
=============== ==========================================================================

:func:`state_gradient_norms` backpropagates a unit gradient from the last state h^<T_x>
through the cell caches, step by step with the cell backward functions, and returns how
much of it reaches every earlier state: ‖dh^<T_x − k>‖ against the distance k.  For the
GRU, dc^<t-1> = dc^<t> ⊙ (1 − Γ_u) + (terms through the weights), so a closed update gate
(Γ_u ≈ 0) passes the gradient on unchanged; for the tanh RNN the gradient is multiplied
by W_aaᵀ diag(1 − a²) at every step.

:func:`lstm_to_peephole` and :func:`peephole_to_lstm` move between the course's LSTM
parameters (W_f, W_u, W_c, W_o acting on [a^<t-1>; x^<t>]) and the vectorized W, R, P, b
form of Greff et al. (2017); :data:`GREFF_TO_COURSE` names each of their symbols in the
course's notation.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .checks import check_array
from .numpy import gru_cell_backward, lstm_cell_backward, peephole_lstm_cell_backward, rnn_cell_backward

__all__ = ["GATE_KEYS", "GREFF_TO_COURSE", "record_gates", "state_gradient_norms",
           "lstm_to_peephole", "peephole_to_lstm"]

#: kind -> the keys :func:`record_gates` returns (GRU "simplified" has no Gamma_r)
GATE_KEYS: dict[str, tuple[str, ...]] = {
    "rnn": ("a",),
    "gru": ("c_tilde", "Gamma_u", "Gamma_r", "c"),
    "lstm": ("Gamma_f", "Gamma_u", "c_tilde", "Gamma_o", "c", "a"),
    "peephole_lstm": ("Gamma_f", "Gamma_u", "c_tilde", "Gamma_o", "c", "a"),
}

#: Position of each recorded quantity in one cell cache of seqlab.numpy (see each module's docstring).
_CACHE_FIELDS: dict[str, dict[str, int]] = {
    # (a_next, a_prev, xt, parameters, activation)
    "rnn": {"a": 0},
    # (c_next, c_prev, xt, c_tilde, gamma_u, gamma_r, hc, parameters, variant)
    "gru": {"c_tilde": 3, "Gamma_u": 4, "Gamma_r": 5, "c": 0},
    # (a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters)
    "lstm": {"Gamma_f": 4, "Gamma_u": 5, "c_tilde": 6, "Gamma_o": 7, "c": 1, "a": 0},
    # (a_next, c_next, a_prev, c_prev, c_tilde, gamma_u, gamma_f, gamma_o, xt, parameters)
    "peephole_lstm": {"Gamma_f": 6, "Gamma_u": 5, "c_tilde": 4, "Gamma_o": 7, "c": 1, "a": 0},
}
_CACHE_LENGTH = {"rnn": 5, "gru": 9, "lstm": 10, "peephole_lstm": 10}

#: Greff et al.'s symbols (block input z, gates i, f, o, cell c, block output y) in the
#: course's notation: the names of :mod:`seqlab.notation` and the row block of W, R, b
#: (``None`` for what is not a row block).
GREFF_TO_COURSE: dict[str, tuple[str, int | None]] = {
    "z": ("c_tilde", 0),
    "i": ("Gamma_u", 1),
    "f": ("Gamma_f", 2),
    "o": ("Gamma_o", 3),
    "c": ("c_t", None),
    "y": ("a_t", None),
    "x": ("x_t", None),
}
#: the LSTM gate of each row block of W, R, b, in Greff et al.'s order [z; i; f; o]
_BLOCK_KEYS = ("c", "u", "f", "o")


def _check_kind(kind: Any) -> str:
    if kind not in GATE_KEYS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, GATE_KEYS))}; got {kind!r}")
    return kind


def _cell_caches(kind: str, caches: Any) -> list[tuple]:
    """The list of cell caches of a sequence cache ``(list of cell caches, x)``, checked."""
    if not (isinstance(caches, tuple) and len(caches) == 2 and isinstance(caches[0], list) and caches[0]):
        raise TypeError(f"caches must be the pair (list of cell caches, x) returned by the {kind} forward "
                        "function (or recurrent_forward)")
    for cache in caches[0]:
        if not (isinstance(cache, tuple) and len(cache) == _CACHE_LENGTH[kind]):
            raise TypeError(f"caches do not come from a {kind} forward pass: a {kind} cell cache is a "
                            f"tuple of {_CACHE_LENGTH[kind]} entries")
    return caches[0]


def record_gates(kind: str, caches: Any) -> dict[str, np.ndarray]:
    """Gate activations of every step, stacked over time: ``{name: (n_a, m, T_x)}``.

    Parameters
    ----------
    kind : ``"rnn"``, ``"gru"``, ``"lstm"`` or ``"peephole_lstm"``.
    caches : the sequence caches returned by that cell's forward function (or by
        :func:`seqlab.numpy.recurrent_forward`).

    Returns
    -------
    dict keyed by the notation's names (see :data:`GATE_KEYS`): for the GRU c̃^<t>, Γ_u,
    Γ_r, c^<t>; for the LSTMs Γ_f, Γ_u, c̃^<t>, Γ_o, c^<t>, a^<t>.  Entry ``[:, i, t - 1]``
    is the value at step t of example i.
    """
    cells = _cell_caches(_check_kind(kind), caches)
    out = {}
    for name, index in _CACHE_FIELDS[kind].items():
        values = [cache[index] for cache in cells]
        if values[0] is None:                          # Γ_r of the simplified GRU
            continue
        out[name] = np.stack(values, axis=-1)
    return out


def _unit_directions(n_a: int, m: int, seed, dtype) -> np.ndarray:
    """m random unit vectors of size n_a, one per column."""
    u = np.random.default_rng(seed).standard_normal((n_a, m))
    return (u / np.linalg.norm(u, axis=0, keepdims=True)).astype(dtype)


def state_gradient_norms(kind: str, caches: Any, seed=0) -> np.ndarray:
    """How much of a gradient on the last state reaches the states before it.

    A random unit vector u (one per example) is placed on the last state, dL/dh^<T_x> = u,
    and propagated back through every step with the cell's backward function (no gradient
    enters from the outputs on the way).  For the LSTMs the state is h = (a, c), the unit
    vector is put on a^<T_x>, and the norm is that of [dL/da; dL/dc].

    Returns
    -------
    (T_x + 1,) array: entry k is the mean over the batch of ‖dL/dh^<T_x − k>‖, so entry 0
    is 1 and entry T_x is the gradient that reaches the initial state h^<0>.
    """
    cells = _cell_caches(_check_kind(kind), caches)
    first = cells[-1][0]
    n_a, m = first.shape
    u = _unit_directions(n_a, m, seed, first.dtype)
    norms = [1.0]
    if kind in ("rnn", "gru"):
        backward, key = (rnn_cell_backward, "da_prev") if kind == "rnn" else (gru_cell_backward, "dc_prev")
        dh = u
        for cache in reversed(cells):
            dh = backward(dh, cache)[key]
            norms.append(float(np.linalg.norm(dh, axis=0).mean()))
        return np.array(norms)
    backward = lstm_cell_backward if kind == "lstm" else peephole_lstm_cell_backward
    da, dc = u, np.zeros_like(u)
    for cache in reversed(cells):
        grads = backward(da, dc, cache)
        da, dc = grads["da_prev"], grads["dc_prev"]
        norms.append(float(np.sqrt((da ** 2).sum(axis=0) + (dc ** 2).sum(axis=0)).mean()))
    return np.array(norms)


def _check_lstm_parameters(parameters: Any) -> tuple[int, int]:
    """n_a and n_x of a course LSTM dict (W_f, W_u, W_c, W_o (n_a, n_a + n_x), biases (n_a, 1))."""
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict of arrays; got {type(parameters).__name__}")
    missing = [k for g in _BLOCK_KEYS for k in ("W" + g, "b" + g) if k not in parameters]
    if missing:
        raise ValueError("parameters is missing " + ", ".join(missing))
    sizes: dict[str, int] = {}
    check_array(parameters["bf"], "bf", ("n_a", "1"), sizes)
    dtype = parameters["bf"].dtype
    W = parameters["Wf"]
    if not (isinstance(W, np.ndarray) and W.ndim == 2 and W.shape[1] > sizes["n_a"]):
        raise ValueError(f"W_f must be (n_a, n_a + n_x) with n_a = {sizes['n_a']} and n_x ≥ 1; "
                         f"got {getattr(W, 'shape', type(W).__name__)}")
    sizes["n_x"] = W.shape[1] - sizes["n_a"]
    for g in _BLOCK_KEYS:
        check_array(parameters["W" + g], "W" + g, ("n_a", "n_a + n_x"), sizes, dtype=dtype)
        check_array(parameters["b" + g], "b" + g, ("n_a", "1"), sizes, dtype=dtype)
    return sizes["n_a"], sizes["n_x"]


def _output_keys(parameters: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: parameters[k].copy() for k in ("Wy", "by") if k in parameters}


def lstm_to_peephole(parameters: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The course's LSTM as a peephole LSTM with P = 0 (Greff et al.'s W, R, P, b).

    Row blocks [z; i; f; o] = [c̃; Γ_u; Γ_f; Γ_o]: W stacks the input columns of W_c, W_u,
    W_f, W_o (W_*[:, n_a:]), R their recurrent columns (W_*[:, :n_a]), b the biases, and the
    peepholes P (3 n_a, 1) are zero, so :func:`seqlab.numpy.peephole_lstm_forward` computes
    exactly what :func:`seqlab.numpy.lstm_forward` computes.  ``Wy``, ``by`` are copied.
    """
    n_a, _ = _check_lstm_parameters(parameters)
    blocks = [parameters["W" + g] for g in _BLOCK_KEYS]
    out = {
        "W": np.concatenate([w[:, n_a:] for w in blocks], axis=0),
        "R": np.concatenate([w[:, :n_a] for w in blocks], axis=0),
        "P": np.zeros((3 * n_a, 1), dtype=parameters["bf"].dtype),
        "b": np.concatenate([parameters["b" + g] for g in _BLOCK_KEYS], axis=0),
    }
    out.update(_output_keys(parameters))
    return out


def peephole_to_lstm(parameters: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The inverse of :func:`lstm_to_peephole`, for a peephole LSTM whose P is zero.

    Raises ``ValueError`` when P has a non-zero entry: the course's LSTM has no peepholes,
    so such a cell has no equivalent.
    """
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict of arrays; got {type(parameters).__name__}")
    missing = [k for k in ("W", "R", "P", "b") if k not in parameters]
    if missing:
        raise ValueError("parameters is missing " + ", ".join(missing))
    sizes: dict[str, int] = {}
    R = check_array(parameters["R"], "R", ("4 n_a", "n_a"), sizes)
    W = check_array(parameters["W"], "W", ("4 n_a", "n_x"), sizes, dtype=R.dtype)
    P = check_array(parameters["P"], "P", ("3 n_a", "1"), sizes, dtype=R.dtype)
    b = check_array(parameters["b"], "b", ("4 n_a", "1"), sizes, dtype=R.dtype)
    if np.any(P != 0):
        raise ValueError("P (the peephole weights) must be zero: the course's LSTM has no peepholes")
    n_a = sizes["n_a"]
    out = {}
    for k, g in enumerate(_BLOCK_KEYS):
        rows = slice(k * n_a, (k + 1) * n_a)
        out["W" + g] = np.concatenate([R[rows], W[rows]], axis=1)
        out["b" + g] = b[rows].copy()
    out.update(_output_keys(parameters))
    return out
