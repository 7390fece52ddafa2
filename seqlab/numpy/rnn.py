"""The basic RNN cell and its backpropagation through time (chapters 3 and 4).

Forward, for one time step (the notes' equations)::

    a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a)          g = tanh (or ReLU)
    ŷ^<t> = softmax(W_ya a^<t> + b_y)                    (only if W_ya, b_y are given)

Backward, with z^<t> = W_aa a^<t-1> + W_ax x^<t> + b_a and dz^<t> = da^<t> ⊙ g'(z^<t>)::

    dW_ax += dz^<t> x^<t>ᵀ      dW_aa += dz^<t> a^<t-1>ᵀ      db_a += Σ_batch dz^<t>
    dx^<t>  = W_axᵀ dz^<t>      da^<t-1> = W_aaᵀ dz^<t>

Over a sequence the gradient reaching a^<t> is the sum of what comes from the output
above (``da[:, :, t]``) and what comes back from step t+1 (da^<t> of the recurrence).

Shapes: x^<t> (n_x, m), a^<t> (n_a, m), x (n_x, m, T_x), a (n_a, m, T_x),
ŷ (n_y, m, T_x).  Parameter keys: ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1),
optional ``Wya`` (n_y, n_a) and ``by`` (n_y, 1).

A cell cache is the tuple ``(a_next, a_prev, xt, parameters, activation)``; a sequence
cache is ``(list of cell caches, x)``.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..checks import check_array, check_parameters
from .activations import ACTIVATIONS, softmax
from .layout import course_view

__all__ = ["rnn_cell_forward", "rnn_cell_backward", "rnn_forward", "rnn_backward",
           "RNN_ACTIVATIONS", "RNN_PARAMETER_SHAPES", "OUTPUT_PARAMETER_SHAPES"]

#: Hidden activations g an RNN accepts.
RNN_ACTIVATIONS = ("tanh", "relu")
#: Parameter key -> shape in notation, for the recurrence.
RNN_PARAMETER_SHAPES = {"Wax": ("n_a", "n_x"), "Waa": ("n_a", "n_a"), "ba": ("n_a", "1")}
#: Parameter key -> shape in notation, for the optional softmax output layer.
OUTPUT_PARAMETER_SHAPES = {"Wya": ("n_y", "n_a"), "by": ("n_y", "1")}


# --------------------------------------------------------------------------- checks
def _check_activation(activation: Any) -> str:
    if activation not in RNN_ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(map(repr, RNN_ACTIVATIONS))}; "
                         f"got {activation!r}")
    return activation


def _has_output(parameters: Mapping[str, np.ndarray]) -> bool:
    return "Wya" in parameters or "by" in parameters


def _check_parameters(parameters: Any, sizes: dict, dtype: np.dtype | None) -> None:
    """Check W_ax, W_aa, b_a (and W_ya, b_y when either is present), all of one dtype."""
    dtype = check_parameters(parameters, RNN_PARAMETER_SHAPES, sizes, dtype=dtype)
    if _has_output(parameters):
        check_parameters(parameters, OUTPUT_PARAMETER_SHAPES, sizes, dtype=dtype)


def _check_cell_cache(cache: Any) -> tuple:
    if not (isinstance(cache, tuple) and len(cache) == 5):
        raise TypeError("cache must be the tuple (a_next, a_prev, xt, parameters, activation) "
                        "returned by rnn_cell_forward")
    return cache


def _check_sequence_caches(caches: Any) -> tuple[list, np.ndarray]:
    if not (isinstance(caches, tuple) and len(caches) == 2 and isinstance(caches[0], list)
            and len(caches[0]) > 0):
        raise TypeError("caches must be the pair (list of cell caches, x) returned by rnn_forward")
    for cache in caches[0]:
        _check_cell_cache(cache)
    return caches


# --------------------------------------------------------------------------- one step
def _output(a: np.ndarray, parameters: Mapping[str, np.ndarray]) -> np.ndarray | None:
    """ŷ = softmax(W_ya a + b_y) over the class axis, for a of shape (n_a, m) or (n_a, m, T)."""
    if not _has_output(parameters):
        return None
    Wya, by = parameters["Wya"], parameters["by"]
    a2d = a.reshape(a.shape[0], -1)
    z = (Wya @ a2d + by).reshape((Wya.shape[0],) + a.shape[1:])
    return softmax(z, axis=0)


def rnn_cell_forward(xt: np.ndarray, a_prev: np.ndarray, parameters: Mapping[str, np.ndarray],
                     activation: str = "tanh"):
    """One step of the RNN: a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a), ŷ^<t> = softmax(W_ya a^<t> + b_y).

    Parameters
    ----------
    xt : (n_x, m) input x^<t>.
    a_prev : (n_a, m) hidden state a^<t-1>.
    parameters : dict with ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1) and,
        optionally, ``Wya`` (n_y, n_a), ``by`` (n_y, 1).
    activation : g, ``"tanh"`` (default) or ``"relu"``.

    Returns
    -------
    a_next : (n_a, m) a^<t>.
    yt_pred : (n_y, m) ŷ^<t>, or ``None`` without output parameters.
    cache : ``(a_next, a_prev, xt, parameters, activation)`` for :func:`rnn_cell_backward`.
    """
    _check_activation(activation)
    sizes: dict[str, int] = {}
    check_array(a_prev, "a_prev", ("n_a", "m"), sizes)
    _check_parameters(parameters, sizes, a_prev.dtype)
    check_array(xt, "x_t", ("n_x", "m"), sizes, dtype=a_prev.dtype)
    g, _ = ACTIVATIONS[activation]
    a_next = g(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
    yt_pred = _output(a_next, parameters)
    return a_next, yt_pred, (a_next, a_prev, xt, parameters, activation)


def _cell_dz(da_next: np.ndarray, a_next: np.ndarray, activation: str) -> np.ndarray:
    """dz^<t> = da^<t> ⊙ g'(z^<t>), with g' written from a^<t> = g(z^<t>)."""
    _, dg = ACTIVATIONS[activation]
    return da_next * dg(a_next)


def rnn_cell_backward(da_next: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
    """Backward through one RNN step, given dL/da^<t> (``da_next``) and the forward cache.

    With dz = da^<t> ⊙ g'(z^<t>) (tanh: 1 - a^<t>², ReLU: 1[a^<t> > 0]):
    dx^<t> = W_axᵀ dz, da^<t-1> = W_aaᵀ dz, dW_ax = dz x^<t>ᵀ, dW_aa = dz a^<t-1>ᵀ,
    db_a = Σ over the batch of dz.

    Returns ``{"dxt", "da_prev", "dWax", "dWaa", "dba"}``.
    """
    a_next, a_prev, xt, parameters, activation = _check_cell_cache(cache)
    _check_activation(activation)
    sizes = {"n_a": a_next.shape[0], "m": a_next.shape[1]}
    check_array(da_next, "dL/da^<t>", ("n_a", "m"), sizes, dtype=a_next.dtype)
    dz = _cell_dz(da_next, a_next, activation)
    return {
        "dxt": parameters["Wax"].T @ dz,
        "da_prev": parameters["Waa"].T @ dz,
        "dWax": dz @ xt.T,
        "dWaa": dz @ a_prev.T,
        "dba": np.sum(dz, axis=1, keepdims=True),
    }


# --------------------------------------------------------------------------- a sequence
def rnn_forward(x: np.ndarray, a0: np.ndarray, parameters: Mapping[str, np.ndarray],
                activation: str = "tanh"):
    """Run the RNN over x^<1> … x^<T_x>: a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a), from a^<0>.

    The input projection W_ax x^<t> + b_a of every step is one matrix product on x seen
    as (n_x, m·T_x); the time loop does only the recurrent part W_aa a^<t-1>.

    Parameters
    ----------
    x : (n_x, m, T_x) input sequence.
    a0 : (n_a, m) initial hidden state a^<0>.
    parameters : as for :func:`rnn_cell_forward`.
    activation : ``"tanh"`` or ``"relu"``.

    Returns
    -------
    a : (n_a, m, T_x) hidden states a^<1> … a^<T_x>.
        A read-only view of the buffer the caches hold (no copy; ``a[:, :, t]`` is one
        contiguous block); ``np.array(a)`` gives a writable copy.
    y_pred : (n_y, m, T_x) predictions ŷ^<t>, or ``None`` without output parameters.
    caches : ``(list of cell caches, x)`` for :func:`rnn_backward`.
    """
    _check_activation(activation)
    sizes: dict[str, int] = {}
    check_array(a0, "a0", ("n_a", "m"), sizes)
    _check_parameters(parameters, sizes, a0.dtype)
    check_array(x, "x", ("n_x", "m", "T_x"), sizes, dtype=a0.dtype)
    if sizes["T_x"] < 1:
        raise ValueError("x must hold at least one time step (T_x ≥ 1); got T_x = 0")
    a, cell_caches = _forward_unchecked(x, a0, parameters, activation)
    return a, _output(a, parameters), (cell_caches, x)


def _forward_unchecked(x, a0, parameters, activation):
    """The time loop of :func:`rnn_forward`, without checks.

    Works on time-major buffers (T_x, n_a, m) so that every a^<t> is contiguous for the
    matrix products; the result is returned as a view in the course's (n_a, m, T_x) layout.
    """
    n_x, m, T_x = x.shape
    Wax, Waa, ba = parameters["Wax"], parameters["Waa"], parameters["ba"]
    n_a = Wax.shape[0]
    # W_ax x^<t> + b_a for every t at once: one (n_a, n_x) @ (n_x, m·T_x) product
    zx = (Wax @ x.reshape(n_x, m * T_x) + ba).reshape(n_a, m, T_x)
    zx = np.ascontiguousarray(zx.transpose(2, 0, 1))  # time-major (T_x, n_a, m)
    states = np.empty((T_x, n_a, m), dtype=a0.dtype)
    cell_caches = []
    a_prev = a0
    for t in range(T_x):
        z = np.matmul(Waa, a_prev, out=states[t])      # in place: no allocation in the loop
        z += zx[t]
        if activation == "tanh":
            np.tanh(z, out=z)
        else:
            np.maximum(z, 0, out=z)
        cell_caches.append((z, a_prev, x[:, :, t], parameters, activation))
        a_prev = z
    return course_view(states), cell_caches


def rnn_backward(da: np.ndarray, caches: tuple) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`rnn_forward`.

    ``da`` is (n_a, m, T_x): dL/da^<t> coming from the outputs above each step.  Going
    from t = T_x down to 1, the gradient on a^<t> is ``da[:, :, t]`` plus W_aaᵀ dz^<t+1>,
    and dz^<t> = (that sum) ⊙ g'(z^<t>).  Then, with every dz^<t> gathered into one
    (n_a, m, T_x) array, dW_ax = Σ_t dz^<t> x^<t>ᵀ, dx = W_axᵀ dz, dW_aa = Σ_t dz^<t> a^<t-1>ᵀ
    and db_a = Σ_t Σ_batch dz^<t> are one matrix product (or sum) each.

    Returns ``{"dx", "da0", "dWax", "dWaa", "dba"}`` with dx (n_x, m, T_x), da0 (n_a, m).
    """
    cell_caches, x = _check_sequence_caches(caches)
    a_first = cell_caches[0][0]
    sizes = {"n_a": a_first.shape[0], "m": a_first.shape[1], "T_x": len(cell_caches)}
    check_array(da, "dL/da", ("n_a", "m", "T_x"), sizes, dtype=a_first.dtype)
    dz, da0 = _backward_time_loop(da, cell_caches)
    return _weight_gradients(dz, da0, cell_caches, x)


def _backward_time_loop(da, cell_caches):
    """dz^<t> for every t (as one (n_a, m, T_x) array) and da^<0>; only the recurrence loops."""
    n_a, m, T_x = da.shape
    Waa = cell_caches[0][3]["Waa"]
    activation = cell_caches[0][4]
    _, dg = ACTIVATIONS[activation]
    # g'(z^<t>) of every step at once, from the stacked a^<t> (time-major)
    deriv = dg(np.stack([cache[0] for cache in cell_caches]))
    dz = np.empty((T_x, n_a, m), dtype=da.dtype)  # time-major: contiguous dz^<t>
    da_next = np.zeros((n_a, m), dtype=da.dtype)
    WaaT = Waa.T
    for t in reversed(range(T_x)):
        dzt = np.add(da[:, :, t], da_next, out=dz[t])  # in place: no allocation in the loop
        dzt *= deriv[t]
        np.matmul(WaaT, dzt, out=da_next)
    return np.ascontiguousarray(dz.transpose(1, 2, 0)), da_next


def _weight_gradients(dz, da0, cell_caches, x):
    """dW_ax, dx, dW_aa, db_a from all dz^<t> at once (one matrix product each)."""
    n_a, m, T_x = dz.shape
    n_x = x.shape[0]
    Wax = cell_caches[0][3]["Wax"]
    dz2d = dz.reshape(n_a, m * T_x)
    a_prevs = np.stack([c[1] for c in cell_caches], axis=-1).reshape(n_a, m * T_x)
    x2d = x.reshape(n_x, m * T_x)
    return {
        "dx": (Wax.T @ dz2d).reshape(n_x, m, T_x),
        "da0": da0,
        "dWax": dz2d @ x2d.T,
        "dWaa": dz2d @ a_prevs.T,
        "dba": dz2d.sum(axis=1, keepdims=True),
    }
