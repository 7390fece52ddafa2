"""The long short-term memory (LSTM) cell and its backpropagation through time (chapter 9).

Every weight matrix W_f, W_u, W_c, W_o is (n_a, n_a + n_x) and acts on [a^<t-1>; x^<t>]::

    Γ_f   = σ(W_f [a^<t-1>; x^<t>] + b_f)          forget gate
    Γ_u   = σ(W_u [a^<t-1>; x^<t>] + b_u)          update (input) gate
    c̃^<t> = tanh(W_c [a^<t-1>; x^<t>] + b_c)       candidate memory cell
    c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃^<t>
    Γ_o   = σ(W_o [a^<t-1>; x^<t>] + b_o)          output gate
    a^<t> = Γ_o ⊙ tanh(c^<t>)
    ŷ^<t> = softmax(W_y a^<t> + b_y)               (only if W_y, b_y are given)

Backward, with da = dL/da^<t> and dc = dL/dc^<t> from above and from step t+1::

    dΓ_o = da ⊙ tanh(c^<t>)                 dz_o = dΓ_o ⊙ Γ_o(1 − Γ_o)
    dc  += da ⊙ Γ_o ⊙ (1 − tanh²(c^<t>))    (the path through a^<t>)
    dz_f = dc ⊙ c^<t-1> ⊙ Γ_f(1 − Γ_f)      dz_u = dc ⊙ c̃^<t> ⊙ Γ_u(1 − Γ_u)
    dz_c = dc ⊙ Γ_u ⊙ (1 − c̃²)              dc^<t-1> = dc ⊙ Γ_f
    dW_* = dz_* [a^<t-1>; x^<t>]ᵀ,  db_* = Σ_batch dz_*,  [da^<t-1>; dx^<t>] = Σ_* W_*ᵀ dz_*

A cell cache is the tuple ``(a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde,
gamma_o, xt, parameters)``; a sequence cache is ``(list of cell caches, x)``.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..checks import check_array, check_parameters
from .activations import sigmoid
from .gru import _has_output, _learn_n_x, _output, _stacked_input, _sum_batch
from .layout import course_view, from_time_major

__all__ = ["lstm_cell_forward", "lstm_cell_backward", "lstm_forward", "lstm_backward",
           "LSTM_PARAMETER_SHAPES"]

_GATED = ("n_a", "n_a + n_x")
_BIAS = ("n_a", "1")
#: Parameter key -> shape in notation (output keys Wy, by are optional).
LSTM_PARAMETER_SHAPES: dict[str, tuple[str, ...]] = {
    "Wf": _GATED, "bf": _BIAS, "Wu": _GATED, "bu": _BIAS,
    "Wc": _GATED, "bc": _BIAS, "Wo": _GATED, "bo": _BIAS,
}
_OUTPUT_SHAPES = {"Wy": ("n_y", "n_a"), "by": ("n_y", "1")}
#: gates stacked (in this order) in the fused matrix of the forward pass: the three
#: sigmoid gates first, so that one pass turns their tanh into σ
_GATES = ("f", "u", "o", "c")
#: gate order of the backward pass: the three gates whose dz is a multiple of dc first
_BACKWARD_GATES = ("f", "u", "c", "o")
_CACHE_FIELDS = "(a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters)"


# --------------------------------------------------------------------------- checks
def _check_parameters(parameters: Any, sizes: dict, dtype: np.dtype) -> None:
    _learn_n_x(parameters, "Wf", sizes)
    check_parameters(parameters, LSTM_PARAMETER_SHAPES, sizes, dtype=dtype)
    if _has_output(parameters):
        check_parameters(parameters, _OUTPUT_SHAPES, sizes, dtype=dtype)


def _check_states(a_prev, c_prev, a_name: str, c_name: str) -> dict[str, int]:
    """Check a^<t-1> (or a^<0>) and c^<t-1> (or c^<0>): both (n_a, m), one dtype."""
    sizes: dict[str, int] = {}
    check_array(a_prev, a_name, ("n_a", "m"), sizes)
    check_array(c_prev, c_name, ("n_a", "m"), sizes, dtype=a_prev.dtype)
    return sizes


def _check_cell_cache(cache: Any) -> tuple:
    if not (isinstance(cache, tuple) and len(cache) == 10 and isinstance(cache[9], Mapping)
            and "Wf" in cache[9]):
        raise TypeError(f"cache must be the tuple {_CACHE_FIELDS} returned by lstm_cell_forward")
    return cache


def _check_sequence_caches(caches: Any) -> tuple[list, np.ndarray]:
    if not (isinstance(caches, tuple) and len(caches) == 2 and isinstance(caches[0], list)
            and len(caches[0]) > 0):
        raise TypeError("caches must be the pair (list of cell caches, x) returned by lstm_forward")
    for cache in caches[0]:
        _check_cell_cache(cache)
    return caches


# --------------------------------------------------------------------------- one step
def lstm_cell_forward(xt: np.ndarray, a_prev: np.ndarray, c_prev: np.ndarray,
                      parameters: Mapping[str, np.ndarray]):
    """One LSTM step: c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃^<t>, a^<t> = Γ_o ⊙ tanh(c^<t>).

    Parameters
    ----------
    xt : (n_x, m) input x^<t>.
    a_prev : (n_a, m) hidden state a^<t-1>.
    c_prev : (n_a, m) memory cell c^<t-1>.
    parameters : ``Wf``, ``Wu``, ``Wc``, ``Wo`` (n_a, n_a + n_x), ``bf``, ``bu``, ``bc``,
        ``bo`` (n_a, 1); optionally ``Wy`` (n_y, n_a) and ``by`` (n_y, 1).

    Returns
    -------
    a_next, c_next : (n_a, m) a^<t> and c^<t>.
    yt_pred : (n_y, m) ŷ^<t> = softmax(W_y a^<t> + b_y), or ``None`` without W_y, b_y.
    cache : the tuple described in the module docstring, for :func:`lstm_cell_backward`.
    """
    sizes = _check_states(a_prev, c_prev, "a_prev", "c_prev")
    _check_parameters(parameters, sizes, a_prev.dtype)
    check_array(xt, "x_t", ("n_x", "m"), sizes, dtype=a_prev.dtype)
    p = parameters
    concat = np.concatenate([a_prev, xt], axis=0)          # [a^<t-1>; x^<t>]
    gamma_f = sigmoid(p["Wf"] @ concat + p["bf"])
    gamma_u = sigmoid(p["Wu"] @ concat + p["bu"])
    c_tilde = np.tanh(p["Wc"] @ concat + p["bc"])
    c_next = gamma_f * c_prev + gamma_u * c_tilde
    gamma_o = sigmoid(p["Wo"] @ concat + p["bo"])
    a_next = gamma_o * np.tanh(c_next)
    cache = (a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt, parameters)
    return a_next, c_next, _output(a_next, parameters), cache


def _dz_step(da_next, dc_next, cache):
    """Pre-activation gradients dz_f, dz_u, dz_o, dz_c of one step and dc^<t-1>."""
    _, c_next, _, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, _, _ = cache
    tanh_c = np.tanh(c_next)
    dc = dc_next + da_next * gamma_o * (1 - tanh_c ** 2)
    dz_f = dc * c_prev * gamma_f * (1 - gamma_f)
    dz_u = dc * c_tilde * gamma_u * (1 - gamma_u)
    dz_o = da_next * tanh_c * gamma_o * (1 - gamma_o)
    dz_c = dc * gamma_u * (1 - c_tilde ** 2)
    return (dz_f, dz_u, dz_o, dz_c), dc * gamma_f


def lstm_cell_backward(da_next: np.ndarray, dc_next: np.ndarray,
                       cache: tuple) -> dict[str, np.ndarray]:
    """Backward through one LSTM step, given dL/da^<t>, dL/dc^<t> and the forward cache.

    dc = dL/dc^<t> + da ⊙ Γ_o ⊙ (1 − tanh²(c^<t>)); dz_o = da ⊙ tanh(c^<t>) ⊙ Γ_o(1 − Γ_o),
    dz_f = dc ⊙ c^<t-1> ⊙ Γ_f(1 − Γ_f), dz_u = dc ⊙ c̃ ⊙ Γ_u(1 − Γ_u), dz_c = dc ⊙ Γ_u ⊙ (1 − c̃²);
    dW_* = dz_* [a^<t-1>; x^<t>]ᵀ, db_* = Σ_batch dz_*, [da^<t-1>; dx^<t>] = Σ_* W_*ᵀ dz_*,
    dc^<t-1> = dc ⊙ Γ_f.

    Returns ``{"dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWu", "dbu", "dWc", "dbc",
    "dWo", "dbo"}``.
    """
    a_next, _, a_prev, _, _, _, _, _, xt, parameters = _check_cell_cache(cache)
    sizes = {"n_a": a_next.shape[0], "m": a_next.shape[1]}
    check_array(da_next, "dL/da^<t>", ("n_a", "m"), sizes, dtype=a_next.dtype)
    check_array(dc_next, "dL/dc^<t>", ("n_a", "m"), sizes, dtype=a_next.dtype)
    n_a = a_next.shape[0]
    dzs, dc_prev = _dz_step(da_next, dc_next, cache)
    concat = np.concatenate([a_prev, xt], axis=0)
    grads: dict[str, np.ndarray] = {}
    dconcat = np.zeros_like(concat)
    for g, dz in zip(_GATES, dzs):
        grads["dW" + g] = dz @ concat.T
        grads["db" + g] = _sum_batch(dz)
        dconcat += parameters["W" + g].T @ dz
    grads.update(dxt=dconcat[n_a:], da_prev=dconcat[:n_a], dc_prev=dc_prev)
    return grads


# --------------------------------------------------------------------------- a sequence
def lstm_forward(x: np.ndarray, a0: np.ndarray, parameters: Mapping[str, np.ndarray],
                 c0: np.ndarray | None = None):
    """Run the LSTM over x^<1> … x^<T_x> from a^<0> and c^<0> (equations of :func:`lstm_cell_forward`).

    The four gate matrices are fused into one (4 n_a, n_a + n_x) matrix, and the input
    part W_x x^<t> + b of every gate is one matrix product for a whole block of steps, on x
    seen as (n_x, m·T_x) (its columns ordered step by step); the time loop does only the
    recurrent product with a^<t-1>.

    Parameters
    ----------
    x : (n_x, m, T_x) input sequence.
    a0 : (n_a, m) initial hidden state a^<0>.
    parameters : as for :func:`lstm_cell_forward`.
    c0 : (n_a, m) initial memory cell c^<0>; zeros when ``None``.

    Returns
    -------
    a : (n_a, m, T_x) hidden states a^<1> … a^<T_x>.
    y : (n_y, m, T_x) predictions ŷ^<t>, or ``None`` without W_y, b_y.
    c : (n_a, m, T_x) memory cells c^<1> … c^<T_x>.
        a and c are read-only views of the buffers the caches hold (no copies; ``a[:, :, t]``
        is one contiguous block); ``np.array(a)`` gives a writable copy.
    caches : ``(list of cell caches, x)`` for :func:`lstm_backward`; each cell cache is
        accepted by :func:`lstm_cell_backward`.
    """
    if c0 is None:
        check_array(a0, "a0", ("n_a", "m"))
        c0 = np.zeros_like(a0)
    sizes = _check_states(a0, c0, "a0", "c0")
    _check_parameters(parameters, sizes, a0.dtype)
    check_array(x, "x", ("n_x", "m", "T_x"), sizes, dtype=a0.dtype)
    if sizes["T_x"] < 1:
        raise ValueError("x must hold at least one time step (T_x ≥ 1); got T_x = 0")
    a, c, cell_caches = _forward_unchecked(x, a0, c0, parameters)
    return a, _output(a, parameters), c, (cell_caches, x)


def _fused(parameters, n_a, gates=_GATES):
    """W = [W_g1; W_g2; ...] (``gates`` in order) split into its recurrent part W_a (4 n_a, n_a)
    and input part W_x, and b stacked alike (fresh contiguous arrays, one copy each)."""
    Wa = np.concatenate([parameters["W" + g][:, :n_a] for g in gates], axis=0)
    Wx = np.concatenate([parameters["W" + g][:, n_a:] for g in gates], axis=0)
    b = np.concatenate([parameters["b" + g] for g in gates], axis=0)
    return Wa, Wx, b


class _SequenceCaches(list):
    """The list of cell caches of :func:`lstm_forward`, which also carries the step-major
    buffers the cell caches are views of (gates ``Z``, states ``A``, cells ``C``, tanh(c)
    ``TC``), so that :func:`lstm_backward` can compute on whole buffers instead of
    re-stacking them from the caches, and the stacked input [·; x^<t>; 1] of the input
    projection (``stacked``, for x itself: ``x``), which the weight gradients reuse.  The
    buffers are used only while the list still holds exactly the caches it was made with;
    otherwise they are gathered from the caches."""

    def __init__(self, caches, Z, A, C, TC, x, stacked):
        super().__init__(caches)
        self._made_with = tuple(caches)
        self.buffers = (Z, A, C, TC)
        self.x, self.stacked = x, stacked

    def intact(self) -> bool:
        return len(self) == len(self._made_with) and all(a is b for a, b in zip(self, self._made_with))


#: bytes of input projections (forward) or local derivatives (backward) computed at once: a
#: block of steps small enough to stay in the processor's cache while the time loop runs over it
_BLOCK_BYTES = 1 << 20


def _steps_per_block(T_x: int, bytes_per_step: int) -> int:
    """How many steps of ``bytes_per_step`` fit in ``_BLOCK_BYTES`` (at least 1, at most T_x)."""
    return min(T_x, max(1, _BLOCK_BYTES // bytes_per_step))


def _forward_unchecked(x, a0, c0, parameters):
    """The time loop of :func:`lstm_forward`, without checks.

    Every step writes into preallocated step-major buffers, with no allocation in the loop:
    the gates of step t are the contiguous (4 n_a, m) block ``Z[t]`` = [Γ_f; Γ_u; Γ_o; c̃],
    a^<t> is ``A[t + 1]`` and c^<t> is ``C[t + 1]`` (a^<0>, c^<0> in row 0), tanh(c^<t>) is
    ``TC[t]``.  One tanh covers the four gates: σ(z) = ½ + ½ tanh(z/2), with the rows of the
    three σ gates of the fused weights and bias halved (exact in floating point), and c̃ =
    tanh(z_c) as it is (one NumPy call where σ would take three: exp, + 1 and reciprocal).
    The input part [W_x  b] [x^<t>; 1] is one product per block of steps (``_BLOCK_BYTES``),
    made when the loop reaches the block, so that it is still in cache when the steps read it.
    """
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]
    Wa, Wx, b = _fused(parameters, n_a)                   # [W_f; W_u; W_o; W_c]
    for w in (Wa, Wx, b):
        w[:3 * n_a] *= 0.5                                # z/2 of the three σ gates
    stacked = _stacked_input(x, n_a)                      # [·; x^<t>; 1]: backward puts a^<t-1> on top
    x1, Wxb = stacked[n_a:], np.concatenate([Wx, b], axis=1)
    Z = np.empty((T_x, 4 * n_a, m), dtype=a0.dtype)       # [Γ_f; Γ_u; Γ_o; c̃] of step t
    A = np.empty((T_x + 1, n_a, m), dtype=a0.dtype)
    C = np.empty_like(A)
    TC = np.empty((T_x, n_a, m), dtype=a0.dtype)
    A[0], C[0] = a0, c0
    tmp = np.empty((n_a, m), dtype=a0.dtype)
    block = _steps_per_block(T_x, 4 * n_a * m * a0.itemsize)
    zx_buffer = np.empty(4 * n_a * block * m, dtype=a0.dtype)
    cell_caches = []
    for t in range(T_x):
        if t % block == 0:                                # W_x x^<t> + b of the next block of steps: one product
            steps = min(block, T_x - t)
            zx = np.matmul(Wxb, x1[:, t:t + steps].reshape(n_x + 1, steps * m),
                           out=zx_buffer[:4 * n_a * steps * m].reshape(4 * n_a, steps * m)).reshape(4 * n_a, steps, m)
        a_prev, c_prev = A[t], C[t]
        z = np.matmul(Wa, a_prev, out=Z[t])
        z += zx[:, t % block]
        np.tanh(z, out=z)
        sigma_gates = z[:3 * n_a]
        sigma_gates *= 0.5
        sigma_gates += 0.5                                # σ(z) = ½ + ½ tanh(z/2)
        gamma_f, gamma_u, gamma_o, c_tilde = z[:n_a], z[n_a:2 * n_a], z[2 * n_a:3 * n_a], z[3 * n_a:]
        c_next = np.multiply(gamma_f, c_prev, out=C[t + 1])
        c_next += np.multiply(gamma_u, c_tilde, out=tmp)
        a_next = np.multiply(gamma_o, np.tanh(c_next, out=TC[t]), out=A[t + 1])
        cell_caches.append((a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o,
                            x[:, :, t], parameters))
    caches = _SequenceCaches(cell_caches, Z, A, C, TC, x, stacked)
    return course_view(A[1:]), course_view(C[1:]), caches


def lstm_backward(da: np.ndarray, caches: tuple, dc: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`lstm_forward`.

    ``da`` is (n_a, m, T_x): dL/da^<t> from the outputs above each step; ``dc`` (optional,
    (n_a, m, T_x)) is an upstream dL/dc^<t> added at every step (typically non-zero only
    for the final c^<T_x>, e.g. when it is handed to a decoder).  Going from t = T_x down
    to 1, the gradients on a^<t> and c^<t> add what step t+1 sends back (the equations of
    :func:`lstm_cell_backward`, arranged as in :func:`_backward_time_loop`), and the
    pre-activation gradients dz^<t> of all steps are gathered into one (4 n_a, T_x·m) matrix;
    Σ_t dz^<t> [a^<t-1>; x^<t>; 1]ᵀ (the weights and, in its last column, the biases) and dx
    are then one matrix product each.

    Returns ``{"dx", "da0", "dc0", "dWf", "dbf", "dWu", "dbu", "dWc", "dbc", "dWo", "dbo"}``.
    """
    cell_caches, x = _check_sequence_caches(caches)
    a_first, parameters = cell_caches[0][0], cell_caches[0][9]
    sizes = {"n_a": a_first.shape[0], "m": a_first.shape[1], "T_x": len(cell_caches)}
    check_array(da, "dL/da", ("n_a", "m", "T_x"), sizes, dtype=a_first.dtype)
    if dc is not None:
        check_array(dc, "dL/dc", ("n_a", "m", "T_x"), sizes, dtype=a_first.dtype)
    n_a, m, T_x = da.shape
    n_x = x.shape[0]
    Wa, Wx, _ = _fused(parameters, n_a, _BACKWARD_GATES)
    own = _own_caches(cell_caches)
    steps = _step_buffers(cell_caches, own)
    dz, da0, dc0 = _backward_time_loop(da, dc, steps, Wa)
    dz2d = dz.reshape(4 * n_a, T_x * m)
    ax1 = _stacked_states_and_input(own, x, n_a)           # [a^<t-1>; x^<t>; 1] of step t is ax1[:, t]
    ax1[:n_a] = steps[1].transpose(1, 0, 2)
    dWb = dz2d @ ax1.reshape(n_a + n_x + 1, T_x * m).T     # Σ_t dz^<t> [a^<t-1>; x^<t>; 1]ᵀ: one product
    dW, db = dWb[:, :-1], np.ascontiguousarray(dWb[:, -1:])
    grads = {"dx": from_time_major(Wx.T @ dz2d, m, T_x), "da0": da0, "dc0": dc0}
    for i, g in enumerate(_BACKWARD_GATES):
        grads["dW" + g] = dW[i * n_a:(i + 1) * n_a]
        grads["db" + g] = db[i * n_a:(i + 1) * n_a]
    return grads


def _own_caches(cell_caches) -> _SequenceCaches | None:
    """The list of cell caches when it is :func:`lstm_forward`'s own and still holds exactly
    the caches it was made with (its buffers can then be used), else ``None``."""
    return cell_caches if isinstance(cell_caches, _SequenceCaches) and cell_caches.intact() else None


def _stacked_states_and_input(own, x, n_a):
    """A (n_a + n_x + 1, T_x, m) buffer holding [·; x^<t>; 1] of every step, for the caller to
    fill the first n_a rows: the forward's own (``own``, see :func:`_own_caches`) when the
    caches hold its x."""
    if own is not None and x is own.x:
        return own.stacked
    return _stacked_input(x, n_a)


def _step_buffers(cell_caches, own):
    """Step-major (T_x, ·, n_a, m) arrays of the forward values: the gates (T_x, 4, n_a, m)
    [Γ_f, Γ_u, Γ_o, c̃], a^<t-1>, c^<t-1>, a^<t> and tanh(c^<t>): views of the buffers of
    :func:`lstm_forward` when the caches are its own (``own``), else stacked from the cell caches."""
    if own is not None:
        Z, A, C, TC = own.buffers
        T_x, four_n, m = Z.shape
        return Z.reshape(T_x, 4, four_n // 4, m), A[:-1], C[:-1], A[1:], TC
    fields = list(zip(*cell_caches))                      # (a_next, c_next, a_prev, c_prev, Γ_f, Γ_u, c̃, Γ_o, ...)
    gates = np.stack([np.stack(fields[i]) for i in (4, 5, 7, 6)], axis=1)
    return gates, np.stack(fields[2]), np.stack(fields[3]), np.stack(fields[0]), np.tanh(np.stack(fields[1]))


def _local_derivatives(steps, X, k):
    """The local derivatives of the steps given (step-major slices), written into X and k:

        X^<t> = [Γ_f; c^<t-1> Γ_f(1 − Γ_f); c̃ Γ_u(1 − Γ_u); Γ_u (1 − c̃²); tanh(c^<t>) Γ_o(1 − Γ_o)],
        k^<t> = Γ_o (1 − tanh² c^<t>) = Γ_o − a^<t> ⊙ tanh(c^<t>).
    """
    gates, _, c_prev, a_next, tanh_c = steps
    gamma_u, gamma_o, c_tilde = gates[:, 1], gates[:, 2], gates[:, 3]
    X[:, 0] = gates[:, 0]
    np.subtract(1, gates[:, :2], out=X[:, 1:3])
    X[:, 1:3] *= gates[:, :2]                                 # Γ(1 − Γ) of Γ_f, Γ_u
    X[:, 1] *= c_prev
    X[:, 2] *= c_tilde
    np.multiply(c_tilde, c_tilde, out=X[:, 3])
    np.subtract(1, X[:, 3], out=X[:, 3])
    X[:, 3] *= gamma_u
    np.subtract(1, gamma_o, out=X[:, 4])
    X[:, 4] *= gamma_o
    X[:, 4] *= tanh_c
    np.multiply(a_next, tanh_c, out=k)
    np.subtract(gamma_o, k, out=k)


def _backward_time_loop(da, dc, steps, Wa):
    """dz^<t> = [dz_f; dz_u; dz_c; dz_o] for every t (one (4 n_a, T_x, m) array), da^<0>, dc^<0>.

    The equations of :func:`_dz_step`, arranged so that the loop does the least: with the
    local derivatives X^<t>, k^<t> of a block of steps computed at once
    (:func:`_local_derivatives`), each step is: dc = dc_f + da ⊙ k^<t>; one product
    X^<t> ⊙ [dc; dc; dc; dc; da] gives dc_f = dc ⊙ Γ_f (what flows to c^<t-1>) and dz^<t>;
    and da^<t-1> = W_aᵀ dz^<t> plus the upstream dL/da^<t-1>.  Every array is written in
    place (``out=``); the blocks of steps reuse one buffer, small enough to stay in cache.
    """
    n_a, m, T_x = da.shape
    block = _steps_per_block(T_x, 5 * n_a * m * da.itemsize)
    X_block = np.empty((block, 5, n_a, m), dtype=da.dtype)
    k_block = np.empty((block, n_a, m), dtype=da.dtype)
    dz = np.empty((4 * n_a, T_x, m), dtype=da.dtype)         # step t is dz[:, t]
    WaT = Wa.T
    E = np.empty((5, n_a, m), dtype=da.dtype)                 # [dc; dc; dc; dc; da] of the step
    E_dc, E_da = E[:4], E[4]
    tmp = np.empty((n_a, m), dtype=da.dtype)
    dc_f = np.zeros((n_a, m), dtype=da.dtype)
    da = np.ascontiguousarray(da.transpose(2, 0, 1))         # step-major: da[t] is a contiguous block
    E_da[...] = da[T_x - 1]
    for end in range(T_x, 0, -block):
        start = max(0, end - block)
        X, k = X_block[:end - start], k_block[:end - start]
        _local_derivatives([v[start:end] for v in steps], X, k)
        for t in reversed(range(start, end)):
            if dc is not None:
                dc_f = dc_f + dc[:, :, t]
            np.multiply(E_da, k[t - start], out=tmp)
            np.add(dc_f, tmp, out=E_dc)                       # dc = dc_f + da ⊙ Γ_o (1 − tanh² c)
            x_t = np.multiply(X[t - start], E, out=X[t - start])  # dc ⊙ Γ_f, dz_f, dz_u, dz_c, dz_o
            dc_f = x_t[0]
            np.matmul(WaT, x_t[1:].reshape(4 * n_a, m), out=tmp)  # W_aᵀ dz^<t>
            if t:
                np.add(da[t - 1], tmp, out=E_da)              # dL/da^<t-1>: from above and from step t
        dz[:, start:end] = X[:, 1:].reshape(end - start, 4 * n_a, m).transpose(1, 0, 2)
        dc_f = dc_f.copy()                                    # the next block overwrites X
    return dz, tmp, dc_f
