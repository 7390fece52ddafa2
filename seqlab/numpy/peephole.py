"""The peephole LSTM in the vectorized W, R, P, b form of Greff et al. (chapter 9).

Greff et al. ("LSTM: A Search Space Odyssey", 2017) write the vanilla LSTM with input
weights W_*, recurrent weights R_*, peephole weights p_* and biases b_* for the block
input z, the input gate i, the forget gate f and the output gate o; y is the block output
and c the cell.  In the course's notation:

=====================  ==============  ==============================================
Greff et al.           course          here (row blocks, Python slices)
=====================  ==============  ==============================================
z^t  (block input)     c̃^<t>           rows 0:n_a of W, R, b
i^t  (input gate)      Γ_u             rows n_a:2n_a of W, R, b; P[0:n_a] is p_i
f^t  (forget gate)     Γ_f             rows 2n_a:3n_a of W, R, b; P[n_a:2n_a] is p_f
o^t  (output gate)     Γ_o             rows 3n_a:4n_a of W, R, b; P[2n_a:3n_a] is p_o
c^t  (cell)            c^<t>
y^t  (block output)    a^<t>           y^{t-1} in R_* y^{t-1} is a^<t-1>
x^t  (input)           x^<t>
g, h (both tanh)       tanh
=====================  ==============  ==============================================

So W = [W_z; W_i; W_f; W_o] is (4 n_a, n_x), R = [R_z; R_i; R_f; R_o] is (4 n_a, n_a),
b = [b_z; b_i; b_f; b_o] is (4 n_a, 1) and P = [p_i; p_f; p_o] is (3 n_a, 1) (the peepholes
are diagonal, so each p_* is a vector applied element-wise).  The equations::

    c̃^<t> = tanh(W_z x^<t> + R_z a^<t-1> + b_z)
    Γ_u   = σ(W_i x^<t> + R_i a^<t-1> + p_i ⊙ c^<t-1> + b_i)
    Γ_f   = σ(W_f x^<t> + R_f a^<t-1> + p_f ⊙ c^<t-1> + b_f)
    c^<t> = Γ_u ⊙ c̃^<t> + Γ_f ⊙ c^<t-1>
    Γ_o   = σ(W_o x^<t> + R_o a^<t-1> + p_o ⊙ c^<t> + b_o)     (peeks at the new cell)
    a^<t> = Γ_o ⊙ tanh(c^<t>)
    ŷ^<t> = softmax(W_y a^<t> + b_y)                          (only if W_y, b_y are given)

Backward (Greff et al.'s δ equations in this notation), with da = dL/da^<t>, dc = dL/dc^<t>::

    dz_o = da ⊙ tanh(c^<t>) ⊙ Γ_o(1 − Γ_o)
    dc  += da ⊙ Γ_o ⊙ (1 − tanh²(c^<t>)) + p_o ⊙ dz_o
    dz_z = dc ⊙ Γ_u ⊙ (1 − c̃²)   dz_i = dc ⊙ c̃ ⊙ Γ_u(1 − Γ_u)   dz_f = dc ⊙ c^<t-1> ⊙ Γ_f(1 − Γ_f)
    dc^<t-1> = dc ⊙ Γ_f + p_i ⊙ dz_i + p_f ⊙ dz_f
    with dz = [dz_z; dz_i; dz_f; dz_o]: dW = dz x^<t>ᵀ, dR = dz a^<t-1>ᵀ, db = Σ_batch dz,
    dx^<t> = Wᵀ dz, da^<t-1> = Rᵀ dz,
    dP = [Σ dz_i ⊙ c^<t-1>; Σ dz_f ⊙ c^<t-1>; Σ dz_o ⊙ c^<t>]   (sums over the batch)

A cell cache is the tuple ``(a_next, c_next, a_prev, c_prev, c_tilde, gamma_u, gamma_f,
gamma_o, xt, parameters)``; a sequence cache is ``(list of cell caches, x)``.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..checks import check_array, check_parameters
from .activations import sigmoid
from .gru import _fast_sigmoid, _has_output, _input_projection, _output, _sum_batch
from .layout import from_time_major, stack_steps, time_major

__all__ = ["peephole_lstm_cell_forward", "peephole_lstm_cell_backward",
           "peephole_lstm_forward", "peephole_lstm_backward", "PEEPHOLE_PARAMETER_SHAPES"]

#: Parameter key -> shape in notation (output keys Wy, by are optional).
PEEPHOLE_PARAMETER_SHAPES: dict[str, tuple[str, ...]] = {
    "W": ("4 n_a", "n_x"), "R": ("4 n_a", "n_a"), "P": ("3 n_a", "1"), "b": ("4 n_a", "1"),
}
_OUTPUT_SHAPES = {"Wy": ("n_y", "n_a"), "by": ("n_y", "1")}
_CACHE_FIELDS = "(a_next, c_next, a_prev, c_prev, c_tilde, gamma_u, gamma_f, gamma_o, xt, parameters)"


# --------------------------------------------------------------------------- checks
def _check_inputs(a_prev, c_prev, parameters, a_name: str, c_name: str) -> dict[str, int]:
    """Check a^<t-1>, c^<t-1> (n_a, m) and W, R, P, b (learning n_x from W)."""
    sizes: dict[str, int] = {}
    check_array(a_prev, a_name, ("n_a", "m"), sizes)
    check_array(c_prev, c_name, ("n_a", "m"), sizes, dtype=a_prev.dtype)
    check_parameters(parameters, PEEPHOLE_PARAMETER_SHAPES, sizes, dtype=a_prev.dtype)
    if _has_output(parameters):
        check_parameters(parameters, _OUTPUT_SHAPES, sizes, dtype=a_prev.dtype)
    return sizes


def _check_cell_cache(cache: Any) -> tuple:
    if not (isinstance(cache, tuple) and len(cache) == 10 and isinstance(cache[9], Mapping)
            and "P" in cache[9]):
        raise TypeError(f"cache must be the tuple {_CACHE_FIELDS} returned by peephole_lstm_cell_forward")
    return cache


def _check_sequence_caches(caches: Any) -> tuple[list, np.ndarray]:
    if not (isinstance(caches, tuple) and len(caches) == 2 and isinstance(caches[0], list)
            and len(caches[0]) > 0):
        raise TypeError("caches must be the pair (list of cell caches, x) returned by peephole_lstm_forward")
    for cache in caches[0]:
        _check_cell_cache(cache)
    return caches


# --------------------------------------------------------------------------- one step
def peephole_lstm_cell_forward(xt: np.ndarray, a_prev: np.ndarray, c_prev: np.ndarray,
                               parameters: Mapping[str, np.ndarray]):
    """One peephole LSTM step (the equations of the module docstring).

    Parameters
    ----------
    xt : (n_x, m) input x^<t>.
    a_prev, c_prev : (n_a, m) a^<t-1> and c^<t-1>.
    parameters : ``W`` (4 n_a, n_x), ``R`` (4 n_a, n_a), ``P`` (3 n_a, 1), ``b`` (4 n_a, 1),
        rows in the order [c̃; Γ_u; Γ_f; Γ_o] ([Γ_u; Γ_f; Γ_o] for P); optionally ``Wy``
        (n_y, n_a) and ``by`` (n_y, 1).

    Returns
    -------
    a_next, c_next : (n_a, m) a^<t> and c^<t>.
    yt_pred : (n_y, m) ŷ^<t> = softmax(W_y a^<t> + b_y), or ``None`` without W_y, b_y.
    cache : the tuple described in the module docstring, for :func:`peephole_lstm_cell_backward`.
    """
    sizes = _check_inputs(a_prev, c_prev, parameters, "a_prev", "c_prev")
    check_array(xt, "x_t", ("n_x", "m"), sizes, dtype=a_prev.dtype)
    n_a = a_prev.shape[0]
    W, R, P, b = parameters["W"], parameters["R"], parameters["P"], parameters["b"]
    z = W @ xt + R @ a_prev + b                       # the four blocks [z; i; f; o] before σ / tanh
    c_tilde = np.tanh(z[:n_a])
    gamma_u = sigmoid(z[n_a:2 * n_a] + P[:n_a] * c_prev)
    gamma_f = sigmoid(z[2 * n_a:3 * n_a] + P[n_a:2 * n_a] * c_prev)
    c_next = gamma_u * c_tilde + gamma_f * c_prev
    gamma_o = sigmoid(z[3 * n_a:] + P[2 * n_a:] * c_next)
    a_next = gamma_o * np.tanh(c_next)
    cache = (a_next, c_next, a_prev, c_prev, c_tilde, gamma_u, gamma_f, gamma_o, xt, parameters)
    return a_next, c_next, _output(a_next, parameters), cache


def _dz_step(da_next, dc_next, cache):
    """dz = [dz_z; dz_i; dz_f; dz_o] of one step (4 n_a, m) and dc^<t-1>."""
    _, c_next, _, c_prev, c_tilde, gamma_u, gamma_f, gamma_o, _, parameters = cache
    n_a = c_next.shape[0]
    P = parameters["P"]
    tanh_c = np.tanh(c_next)
    dz_o = da_next * tanh_c * gamma_o * (1 - gamma_o)
    dc = dc_next + da_next * gamma_o * (1 - tanh_c ** 2) + P[2 * n_a:] * dz_o
    dz_z = dc * gamma_u * (1 - c_tilde ** 2)
    dz_i = dc * c_tilde * gamma_u * (1 - gamma_u)
    dz_f = dc * c_prev * gamma_f * (1 - gamma_f)
    dc_prev = dc * gamma_f + P[:n_a] * dz_i + P[n_a:2 * n_a] * dz_f
    return np.concatenate([dz_z, dz_i, dz_f, dz_o], axis=0), dc_prev


def _dP(dz, c_prev, c_next):
    """dP = [Σ dz_i ⊙ c^<t-1>; Σ dz_f ⊙ c^<t-1>; Σ dz_o ⊙ c^<t>] (sums over batch and time)."""
    n_a = c_prev.shape[0]
    return np.concatenate([_sum_batch(dz[n_a:2 * n_a] * c_prev), _sum_batch(dz[2 * n_a:3 * n_a] * c_prev),
                           _sum_batch(dz[3 * n_a:] * c_next)], axis=0)


def peephole_lstm_cell_backward(da_next: np.ndarray, dc_next: np.ndarray,
                                cache: tuple) -> dict[str, np.ndarray]:
    """Backward through one peephole LSTM step (the δ equations of the module docstring).

    Returns ``{"dxt", "da_prev", "dc_prev", "dW", "dR", "dP", "db"}``.
    """
    a_next, c_next, a_prev, c_prev, _, _, _, _, xt, parameters = _check_cell_cache(cache)
    sizes = {"n_a": a_next.shape[0], "m": a_next.shape[1]}
    check_array(da_next, "dL/da^<t>", ("n_a", "m"), sizes, dtype=a_next.dtype)
    check_array(dc_next, "dL/dc^<t>", ("n_a", "m"), sizes, dtype=a_next.dtype)
    dz, dc_prev = _dz_step(da_next, dc_next, cache)
    return {
        "dxt": parameters["W"].T @ dz,
        "da_prev": parameters["R"].T @ dz,
        "dc_prev": dc_prev,
        "dW": dz @ xt.T,
        "dR": dz @ a_prev.T,
        "dP": _dP(dz, c_prev, c_next),
        "db": _sum_batch(dz),
    }


# --------------------------------------------------------------------------- a sequence
def peephole_lstm_forward(x: np.ndarray, a0: np.ndarray, parameters: Mapping[str, np.ndarray],
                          c0: np.ndarray | None = None):
    """Run the peephole LSTM over x^<1> … x^<T_x> from a^<0> and c^<0>.

    W x^<t> + b for every step is one matrix product on x seen as (n_x, m·T_x); the time
    loop does only R a^<t-1> and the element-wise peepholes.

    Parameters
    ----------
    x : (n_x, m, T_x) input sequence.
    a0 : (n_a, m) initial hidden state a^<0>.
    parameters : as for :func:`peephole_lstm_cell_forward`.
    c0 : (n_a, m) initial memory cell c^<0>; zeros when ``None``.

    Returns
    -------
    a : (n_a, m, T_x) hidden states; y : (n_y, m, T_x) predictions or ``None``;
    c : (n_a, m, T_x) memory cells; caches : ``(list of cell caches, x)`` for
    :func:`peephole_lstm_backward` (each cell cache is accepted by
    :func:`peephole_lstm_cell_backward`).
    """
    if c0 is None:
        check_array(a0, "a0", ("n_a", "m"))
        c0 = np.zeros_like(a0)
    sizes = _check_inputs(a0, c0, parameters, "a0", "c0")
    check_array(x, "x", ("n_x", "m", "T_x"), sizes, dtype=a0.dtype)
    if sizes["T_x"] < 1:
        raise ValueError("x must hold at least one time step (T_x ≥ 1); got T_x = 0")
    a, c, cell_caches = _forward_unchecked(x, a0, c0, parameters)
    return a, _output(a, parameters), c, (cell_caches, x)


def _forward_unchecked(x, a0, c0, parameters):
    """The time loop of :func:`peephole_lstm_forward`, without checks."""
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]
    W, R, P, b = parameters["W"], parameters["R"], parameters["P"], parameters["b"]
    zx = _input_projection(W, b, x)                      # (4 n_a, T_x, m)
    p_uf, p_o = P[:2 * n_a].reshape(2, n_a, 1), P[2 * n_a:]
    a = np.empty((n_a, m, T_x), dtype=a0.dtype)
    c = np.empty_like(a)
    cell_caches = []
    a_prev, c_prev = a0, c0
    for t in range(T_x):
        z = zx[:, t] + R @ a_prev
        c_tilde = np.tanh(z[:n_a])
        gamma_u, gamma_f = _fast_sigmoid(z[n_a:3 * n_a].reshape(2, n_a, m) + p_uf * c_prev)
        c_next = gamma_u * c_tilde + gamma_f * c_prev
        gamma_o = _fast_sigmoid(z[3 * n_a:] + p_o * c_next)
        a_next = gamma_o * np.tanh(c_next)
        a[:, :, t], c[:, :, t] = a_next, c_next
        cell_caches.append((a_next, c_next, a_prev, c_prev, c_tilde, gamma_u, gamma_f, gamma_o,
                            x[:, :, t], parameters))
        a_prev, c_prev = a_next, c_next
    return a, c, cell_caches


def peephole_lstm_backward(da: np.ndarray, caches: tuple,
                           dc: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`peephole_lstm_forward`.

    ``da`` (n_a, m, T_x) is dL/da^<t> from above; ``dc`` (optional, (n_a, m, T_x)) an
    upstream dL/dc^<t> added at every step.  The loop runs the δ equations back from
    t = T_x and gathers dz^<t> into one (4 n_a, T_x, m) array; then dW = Σ_t dz^<t> x^<t>ᵀ,
    dx = Wᵀ dz, dR = Σ_t dz^<t> a^<t-1>ᵀ, db and dP are one matrix product (or sum) each.

    Returns ``{"dx", "da0", "dc0", "dW", "dR", "dP", "db"}``.
    """
    cell_caches, x = _check_sequence_caches(caches)
    a_first, parameters = cell_caches[0][0], cell_caches[0][9]
    sizes = {"n_a": a_first.shape[0], "m": a_first.shape[1], "T_x": len(cell_caches)}
    check_array(da, "dL/da", ("n_a", "m", "T_x"), sizes, dtype=a_first.dtype)
    if dc is not None:
        check_array(dc, "dL/dc", ("n_a", "m", "T_x"), sizes, dtype=a_first.dtype)
    n_a, m, T_x = da.shape
    n_x = x.shape[0]
    dz, da0, dc0 = _backward_time_loop(da, dc, cell_caches, parameters["R"])
    dz2d = dz.reshape(4 * n_a, T_x * m)
    a_prevs, c_prevs, c_nexts = (stack_steps([cache[i] for cache in cell_caches]) for i in (2, 3, 1))
    return {
        "dx": from_time_major(parameters["W"].T @ dz2d, m, T_x),
        "da0": da0,
        "dc0": dc0,
        "dW": dz2d @ time_major(x).T,
        "dR": dz2d @ a_prevs.T,
        "dP": _dP(dz2d, c_prevs, c_nexts),
        "db": _sum_batch(dz2d),
    }


def _backward_time_loop(da, dc, cell_caches, R):
    """dz^<t> for every t (one (4 n_a, T_x, m) array), da^<0> and dc^<0>."""
    n_a, m, T_x = da.shape
    RT = R.T
    dz = np.empty((4 * n_a, T_x, m), dtype=da.dtype)          # step t is dz[:, t]
    da_next = np.zeros((n_a, m), dtype=da.dtype)
    dc_next = np.zeros_like(da_next)
    for t in reversed(range(T_x)):
        dc_t = dc_next if dc is None else dc_next + dc[:, :, t]
        dzt, dc_next = _dz_step(da[:, :, t] + da_next, dc_t, cell_caches[t])
        dz[:, t] = dzt
        da_next = RT @ dzt
    return dz, da_next, dc_next
