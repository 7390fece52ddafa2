"""The gated recurrent unit (GRU) and its backpropagation through time (chapter 8).

In the GRU the memory cell is the hidden state, c^<t> = a^<t>.  Every weight matrix
W_c, W_u, W_r is (n_a, n_a + n_x) and acts on the stacked [c^<t-1>; x^<t>]; its first
n_a columns act on c^<t-1>.  Three variants:

``"simplified"`` (the update gate only)::

    c̃^<t> = tanh(W_c [c^<t-1>; x^<t>] + b_c)
    Γ_u   = σ(W_u [c^<t-1>; x^<t>] + b_u)
    c^<t> = Γ_u ⊙ c̃^<t> + (1 − Γ_u) ⊙ c^<t-1>

``"full"`` (Cho et al. 2014; the relevance gate Γ_r scales c^<t-1> before W_c)::

    Γ_r   = σ(W_r [c^<t-1>; x^<t>] + b_r)
    c̃^<t> = tanh(W_c [Γ_r ⊙ c^<t-1>; x^<t>] + b_c)
    Γ_u, c^<t> as above

``"reset_after"`` (cuDNN and ``torch.nn.GRU``; Γ_r scales W_ca c^<t-1> + b_ca after the
product).  With W_c = [W_ca, W_cx] (W_ca the first n_a columns)::

    c̃^<t> = tanh(W_cx x^<t> + b_c + Γ_r ⊙ (W_ca c^<t-1> + b_ca))
    Γ_r, Γ_u, c^<t> as in ``"full"``

``torch.nn.GRU`` writes r, z, n and h' = (1 − z) ⊙ n + z ⊙ h: there r = Γ_r,
n = c̃^<t>, z = 1 − Γ_u, W_hn = W_ca, b_hn = b_ca, W_in = W_cx, b_in = b_c, and W_u, b_u
are the negated (W_hz, W_iz), b_iz + b_hz.

The output layer is optional: when ``Wy`` (n_y, n_a) and ``by`` (n_y, 1) are given,
ŷ^<t> = softmax(W_y c^<t> + b_y).

Backward, with dc = dL/dc^<t> (what reaches c^<t> from above and from step t+1)::

    dz_c = dc ⊙ Γ_u ⊙ (1 − c̃²)                   (gradient of the pre-activation of c̃)
    dz_u = dc ⊙ (c̃ − c^<t-1>) ⊙ Γ_u ⊙ (1 − Γ_u)
    dc^<t-1> = dc ⊙ (1 − Γ_u) + (what flows back through the weights and Γ_r)

A cell cache is the tuple ``(c_next, c_prev, xt, c_tilde, gamma_u, gamma_r, hc,
parameters, variant)`` (``gamma_r`` is ``None`` for "simplified"; ``hc`` is
W_ca c^<t-1> + b_ca for "reset_after", else ``None``); a sequence cache is
``(list of cell caches, x)``.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..checks import check_array, check_parameters
from ..notation import text_of
from .activations import sigmoid, softmax
from .layout import course_view, from_time_major, stack_steps, time_major

__all__ = ["gru_cell_forward", "gru_cell_backward", "gru_forward", "gru_backward",
           "GRU_VARIANTS", "GRU_PARAMETER_SHAPES"]

#: The GRU variants.
GRU_VARIANTS = ("simplified", "full", "reset_after")

_GATED = ("n_a", "n_a + n_x")
_BIAS = ("n_a", "1")
#: variant -> {parameter key: shape in notation} (output keys Wy, by are optional).
GRU_PARAMETER_SHAPES: dict[str, dict[str, tuple[str, ...]]] = {
    "simplified": {"Wc": _GATED, "bc": _BIAS, "Wu": _GATED, "bu": _BIAS},
    "full": {"Wc": _GATED, "bc": _BIAS, "Wu": _GATED, "bu": _BIAS, "Wr": _GATED, "br": _BIAS},
    "reset_after": {"Wc": _GATED, "bc": _BIAS, "Wu": _GATED, "bu": _BIAS, "Wr": _GATED, "br": _BIAS,
                    "bca": _BIAS},
}
_OUTPUT_SHAPES = {"Wy": ("n_y", "n_a"), "by": ("n_y", "1")}
#: gates stacked (in this order) in the fused matrices of the sequence functions
_GATES = {"simplified": ("c", "u"), "full": ("c", "u", "r"), "reset_after": ("c", "u", "r")}
_CACHE_FIELDS = "(c_next, c_prev, xt, c_tilde, gamma_u, gamma_r, hc, parameters, variant)"


# --------------------------------------------------------------------------- checks
def _check_variant(variant: Any) -> str:
    if variant not in GRU_VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(map(repr, GRU_VARIANTS))}; got {variant!r}")
    return variant


def _learn_n_x(parameters: Any, key: str, sizes: dict[str, int]) -> None:
    """Set ``sizes["n_x"]`` from ``parameters[key]`` of shape (n_a, n_a + n_x) once n_a is known.

    Shared by the gated cells so that x^<t> is checked against the weights (and a weight
    with too few columns is reported as such).  Leaves ``sizes`` alone when the key is
    missing or not a 2-D array: :func:`seqlab.checks.check_parameters` reports that.
    """
    W = parameters.get(key) if isinstance(parameters, Mapping) else None
    if not (isinstance(W, np.ndarray) and W.ndim == 2):
        return
    n_a = sizes["n_a"]
    if W.shape[1] <= n_a:
        raise ValueError(f"{text_of(key)} must be (n_a, n_a + n_x) = ({n_a}, {n_a} + n_x) with n_x ≥ 1; "
                         f"got ({W.shape[0]}, {W.shape[1]})")
    sizes["n_x"] = W.shape[1] - n_a


def _has_output(parameters: Mapping[str, np.ndarray]) -> bool:
    return "Wy" in parameters or "by" in parameters


def _check_parameters(parameters: Any, variant: str, sizes: dict, dtype: np.dtype) -> None:
    """Check the weights of ``variant`` (and W_y, b_y when either is present); learn n_x."""
    _learn_n_x(parameters, "Wc", sizes)
    check_parameters(parameters, GRU_PARAMETER_SHAPES[variant], sizes, dtype=dtype)
    if _has_output(parameters):
        check_parameters(parameters, _OUTPUT_SHAPES, sizes, dtype=dtype)


def _check_cell_cache(cache: Any) -> tuple:
    if not (isinstance(cache, tuple) and len(cache) == 9 and isinstance(cache[7], Mapping)
            and cache[8] in GRU_VARIANTS):
        raise TypeError(f"cache must be the tuple {_CACHE_FIELDS} returned by gru_cell_forward")
    return cache


def _check_sequence_caches(caches: Any) -> tuple[list, np.ndarray]:
    if not (isinstance(caches, tuple) and len(caches) == 2 and isinstance(caches[0], list)
            and len(caches[0]) > 0):
        raise TypeError("caches must be the pair (list of cell caches, x) returned by gru_forward")
    for cache in caches[0]:
        _check_cell_cache(cache)
    return caches


def _output(c: np.ndarray, parameters: Mapping[str, np.ndarray]) -> np.ndarray | None:
    """ŷ = softmax(W_y c + b_y) over the class axis, for c of shape (n_a, m) or (n_a, m, T_x)."""
    if not _has_output(parameters):
        return None
    Wy, by = parameters["Wy"], parameters["by"]
    z = (Wy @ c.reshape(c.shape[0], -1) + by).reshape((Wy.shape[0],) + c.shape[1:])
    return softmax(z, axis=0)


_fast_sigmoid = sigmoid  # the time loops and the cells share one σ


def _stacked_input(x: np.ndarray, rows_above: int = 0) -> np.ndarray:
    """[·; x^<t>; 1] of every step t, time-major: a (rows_above + n_x + 1, T_x, m) buffer whose
    last n_x + 1 rows are x (copied from the course's layout) over a row of ones; the first
    ``rows_above`` rows are left for the caller (e.g. a^<t-1>)."""
    n_x, m, T_x = x.shape
    x1 = np.empty((rows_above + n_x + 1, T_x, m), dtype=x.dtype)
    x1[rows_above:-1] = x.transpose(0, 2, 1)
    x1[-1] = 1
    return x1


def _input_projection(Wx: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """W_x x^<t> + b for every t at once, ONE product: (rows, T_x, m), step t is ``[:, t]``.

    The bias rides in the product: [W_x  b] [x; 1], with x copied time-major under a row of
    ones (:func:`_stacked_input`; the copy is needed for the layout anyway), which saves a
    pass over the result.
    """
    n_x, m, T_x = x.shape
    x1 = _stacked_input(x)
    z = np.concatenate([Wx, b], axis=1) @ x1.reshape(n_x + 1, T_x * m)
    return z.reshape(-1, T_x, m)


def _sum_batch(dz: np.ndarray) -> np.ndarray:
    """Σ over the batch (and time) axes, kept as a column (n, 1)."""
    return dz.reshape(dz.shape[0], -1).sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- one step
def gru_cell_forward(xt: np.ndarray, c_prev: np.ndarray, parameters: Mapping[str, np.ndarray],
                     variant: str = "full"):
    """One GRU step: c^<t> = Γ_u ⊙ c̃^<t> + (1 − Γ_u) ⊙ c^<t-1> (c̃^<t> per ``variant``).

    Parameters
    ----------
    xt : (n_x, m) input x^<t>.
    c_prev : (n_a, m) memory cell (= hidden state) c^<t-1>.
    parameters : ``Wc``, ``Wu`` (n_a, n_a + n_x), ``bc``, ``bu`` (n_a, 1); ``Wr`` and ``br``
        for "full" and "reset_after"; ``bca`` (n_a, 1) for "reset_after"; optionally
        ``Wy`` (n_y, n_a) and ``by`` (n_y, 1).
    variant : ``"simplified"``, ``"full"`` (default) or ``"reset_after"``.

    Returns
    -------
    c_next : (n_a, m) c^<t>.
    yt_pred : (n_y, m) ŷ^<t> = softmax(W_y c^<t> + b_y), or ``None`` without W_y, b_y.
    cache : the tuple described in the module docstring, for :func:`gru_cell_backward`.
    """
    _check_variant(variant)
    sizes: dict[str, int] = {}
    check_array(c_prev, "c_prev", ("n_a", "m"), sizes)
    _check_parameters(parameters, variant, sizes, c_prev.dtype)
    check_array(xt, "x_t", ("n_x", "m"), sizes, dtype=c_prev.dtype)
    c_next, cache = _cell_forward(xt, c_prev, parameters, variant)
    return c_next, _output(c_next, parameters), cache


def _cell_forward(xt, c_prev, parameters, variant):
    """The equations of one step, without checks."""
    n_a = c_prev.shape[0]
    Wc, bc = parameters["Wc"], parameters["bc"]
    concat = np.concatenate([c_prev, xt], axis=0)                       # [c^<t-1>; x^<t>]
    gamma_u = sigmoid(parameters["Wu"] @ concat + parameters["bu"])     # Γ_u
    gamma_r = hc = None
    if variant == "simplified":
        c_tilde = np.tanh(Wc @ concat + bc)
    elif variant == "full":
        gamma_r = sigmoid(parameters["Wr"] @ concat + parameters["br"])
        c_tilde = np.tanh(Wc @ np.concatenate([gamma_r * c_prev, xt], axis=0) + bc)
    else:  # reset_after
        gamma_r = sigmoid(parameters["Wr"] @ concat + parameters["br"])
        hc = Wc[:, :n_a] @ c_prev + parameters["bca"]                    # W_ca c^<t-1> + b_ca
        c_tilde = np.tanh(Wc[:, n_a:] @ xt + bc + gamma_r * hc)
    c_next = gamma_u * c_tilde + (1 - gamma_u) * c_prev
    return c_next, (c_next, c_prev, xt, c_tilde, gamma_u, gamma_r, hc, parameters, variant)


def gru_cell_backward(dc_next: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
    """Backward through one GRU step, given dL/dc^<t> (``dc_next``) and the forward cache.

    With dc = ``dc_next``: dz_c = dc ⊙ Γ_u ⊙ (1 − c̃²), dz_u = dc ⊙ (c̃ − c^<t-1>) ⊙ Γ_u(1 − Γ_u),
    dW_u = dz_u [c^<t-1>; x^<t>]ᵀ, and

    * "simplified": dW_c = dz_c [c^<t-1>; x^<t>]ᵀ;
    * "full": dW_c = dz_c [Γ_r ⊙ c^<t-1>; x^<t>]ᵀ, d(Γ_r ⊙ c^<t-1>) = (W_cᵀ dz_c)[:n_a],
      dz_r = d(Γ_r ⊙ c^<t-1>) ⊙ c^<t-1> ⊙ Γ_r(1 − Γ_r);
    * "reset_after": dh = dz_c ⊙ Γ_r, dW_ca = dh c^<t-1>ᵀ, db_ca = Σ dh, dW_cx = dz_c x^<t>ᵀ,
      dz_r = dz_c ⊙ (W_ca c^<t-1> + b_ca) ⊙ Γ_r(1 − Γ_r);

    dW_r = dz_r [c^<t-1>; x^<t>]ᵀ, each db = Σ_batch dz, and dc^<t-1> = dc ⊙ (1 − Γ_u) plus
    everything that flows back to c^<t-1> through the products and Γ_r.

    Returns ``{"dxt", "dc_prev", "dWc", "dbc", "dWu", "dbu"}`` plus ``"dWr", "dbr"`` for
    "full" and "reset_after" and ``"dbca"`` for "reset_after".
    """
    c_next = _check_cell_cache(cache)[0]
    sizes = {"n_a": c_next.shape[0], "m": c_next.shape[1]}
    check_array(dc_next, "dL/dc^<t>", ("n_a", "m"), sizes, dtype=c_next.dtype)
    return _cell_backward(dc_next, cache)


def _cell_backward(dc_next, cache):
    """The gradients of one step, without checks."""
    _, c_prev, xt, c_tilde, gamma_u, gamma_r, hc, parameters, variant = cache
    n_a = c_prev.shape[0]
    Wc = parameters["Wc"]
    concat = np.concatenate([c_prev, xt], axis=0)
    dz_c = dc_next * gamma_u * (1 - c_tilde ** 2)
    dz_u = dc_next * (c_tilde - c_prev) * gamma_u * (1 - gamma_u)
    grads = {"dbc": _sum_batch(dz_c), "dWu": dz_u @ concat.T, "dbu": _sum_batch(dz_u)}
    dconcat = parameters["Wu"].T @ dz_u                    # dL/d[c^<t-1>; x^<t>]
    dc_prev = dc_next * (1 - gamma_u)
    if variant == "simplified":
        grads["dWc"] = dz_c @ concat.T
        dconcat += Wc.T @ dz_c
    elif variant == "full":
        grads["dWc"] = dz_c @ np.concatenate([gamma_r * c_prev, xt], axis=0).T
        drc_x = Wc.T @ dz_c                                # dL/d[Γ_r ⊙ c^<t-1>; x^<t>]
        dz_r = drc_x[:n_a] * c_prev * gamma_r * (1 - gamma_r)
        dc_prev += drc_x[:n_a] * gamma_r
        dconcat[n_a:] += drc_x[n_a:]
    else:  # reset_after
        dhc = dz_c * gamma_r                               # dL/d(W_ca c^<t-1> + b_ca)
        dz_r = dz_c * hc * gamma_r * (1 - gamma_r)
        grads["dWc"] = np.concatenate([dhc @ c_prev.T, dz_c @ xt.T], axis=1)
        grads["dbca"] = _sum_batch(dhc)
        dconcat[:n_a] += Wc[:, :n_a].T @ dhc
        dconcat[n_a:] += Wc[:, n_a:].T @ dz_c
    if variant != "simplified":
        grads["dWr"] = dz_r @ concat.T
        grads["dbr"] = _sum_batch(dz_r)
        dconcat += parameters["Wr"].T @ dz_r
    grads["dc_prev"] = dc_prev + dconcat[:n_a]
    grads["dxt"] = dconcat[n_a:]
    return grads


# --------------------------------------------------------------------------- a sequence
def gru_forward(x: np.ndarray, c0: np.ndarray, parameters: Mapping[str, np.ndarray],
                variant: str = "full"):
    """Run the GRU over x^<1> … x^<T_x> from c^<0> (equations of :func:`gru_cell_forward`).

    The gate matrices are fused into one (G·n_a, n_a + n_x) matrix (G = 2 or 3 gates), and
    the input part W_x x^<t> + b of every step is one matrix product on x seen as
    (n_x, m·T_x) (its columns ordered step by step); the time loop does only the recurrent
    products with c^<t-1>.

    Parameters
    ----------
    x : (n_x, m, T_x) input sequence.
    c0 : (n_a, m) initial memory cell c^<0>.
    parameters, variant : as for :func:`gru_cell_forward`.

    Returns
    -------
    c : (n_a, m, T_x) c^<1> … c^<T_x> (= the hidden states a^<t>).
        A read-only view of the buffer the caches hold (no copy; ``c[:, :, t]`` is one
        contiguous block); ``np.array(c)`` gives a writable copy.
    y_pred : (n_y, m, T_x) ŷ^<t>, or ``None`` without W_y, b_y.
    caches : ``(list of cell caches, x)`` for :func:`gru_backward`; each cell cache is
        accepted by :func:`gru_cell_backward`.
    """
    _check_variant(variant)
    sizes: dict[str, int] = {}
    check_array(c0, "c0", ("n_a", "m"), sizes)
    _check_parameters(parameters, variant, sizes, c0.dtype)
    check_array(x, "x", ("n_x", "m", "T_x"), sizes, dtype=c0.dtype)
    if sizes["T_x"] < 1:
        raise ValueError("x must hold at least one time step (T_x ≥ 1); got T_x = 0")
    c, cell_caches = _forward_unchecked(x, c0, parameters, variant)
    return c, _output(c, parameters), (cell_caches, x)


def _fused(parameters, variant, n_a):
    """W = [W_c; W_u; (W_r)] split into its recurrent part W_a (G·n_a, n_a) and input part W_x."""
    gates = _GATES[variant]
    W = np.concatenate([parameters["W" + g] for g in gates], axis=0)
    b = np.concatenate([parameters["b" + g] for g in gates], axis=0)
    return np.ascontiguousarray(W[:, :n_a]), np.ascontiguousarray(W[:, n_a:]), b


def _forward_unchecked(x, c0, parameters, variant):
    """The time loop of :func:`gru_forward`, without checks.

    Every step writes into preallocated step-major buffers (``out=``, in place), with no
    allocation in the loop: ``Z[t]`` holds the recurrent products and then the gates of
    step t, ``c_tildes[t]`` its c̃, ``c[t]`` its c^<t>.
    """
    n_x, m, T_x = x.shape
    n_a = c0.shape[0]
    Wa, Wx, b = _fused(parameters, variant, n_a)
    # W_x x^<t> + b for every t and gate at once: (G·n_a, m·T_x) -> (G·n_a, m, T_x)
    zx = _input_projection(Wx, b, x)                      # (G·n_a, T_x, m)
    Wc_a, Wur_a = Wa[:n_a], Wa[n_a:]
    bca = parameters.get("bca")
    G = Wa.shape[0] // n_a
    Z = np.empty((T_x, G * n_a, m), dtype=c0.dtype)
    c_tildes = np.empty((T_x, n_a, m), dtype=c0.dtype)
    c = np.empty_like(c_tildes)
    tmp = np.empty((n_a, m), dtype=c0.dtype)
    cell_caches = []
    c_prev = c0
    with np.errstate(over="ignore"):                      # e^{-z} = inf gives σ(z) = 0 exactly
        for t in range(T_x):
            zt, z, c_tilde = zx[:, t], Z[t], c_tildes[t]
            gamma_r = hc = None
            if variant == "simplified":                   # rows [c̃; Γ_u]
                np.matmul(Wa, c_prev, out=z)
                z += zt
                np.tanh(z[:n_a], out=c_tilde)
                gamma_u = _sigmoid_inplace(z[n_a:])
            elif variant == "full":                       # rows [c̃; Γ_u; Γ_r]
                gates = np.matmul(Wur_a, c_prev, out=z[n_a:])
                gates += zt[n_a:]
                _sigmoid_inplace(gates)
                gamma_u, gamma_r = gates[:n_a], gates[n_a:]
                np.matmul(Wc_a, np.multiply(gamma_r, c_prev, out=tmp), out=c_tilde)
                c_tilde += zt[:n_a]
                np.tanh(c_tilde, out=c_tilde)
            else:                                         # reset_after
                np.matmul(Wa, c_prev, out=z)
                hc = z[:n_a]
                hc += bca                                 # W_ca c^<t-1> + b_ca
                gates = z[n_a:]
                gates += zt[n_a:]
                _sigmoid_inplace(gates)
                gamma_u, gamma_r = gates[:n_a], gates[n_a:]
                np.multiply(gamma_r, hc, out=c_tilde)
                c_tilde += zt[:n_a]
                np.tanh(c_tilde, out=c_tilde)
            c_next = np.multiply(gamma_u, c_tilde, out=c[t])      # Γ_u ⊙ c̃ + (1 − Γ_u) ⊙ c^<t-1>
            np.subtract(1, gamma_u, out=tmp)
            tmp *= c_prev
            c_next += tmp
            cell_caches.append((c_next, c_prev, x[:, :, t], c_tilde, gamma_u, gamma_r, hc, parameters, variant))
            c_prev = c_next
    return course_view(c), cell_caches


def _sigmoid_inplace(z: np.ndarray) -> np.ndarray:
    """z ← σ(z) = 1 / (1 + e^{−z}), in four passes and no allocation.

    Overflow-free in value (e^{−z} = inf gives exactly 0); the caller silences the overflow
    warning with ``np.errstate(over="ignore")``.
    """
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1
    return np.reciprocal(z, out=z)


def gru_backward(dc: np.ndarray, caches: tuple) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`gru_forward`.

    ``dc`` is (n_a, m, T_x): dL/dc^<t> coming from the outputs above each step.  Going from
    t = T_x down to 1, the gradient on c^<t> is ``dc[:, :, t]`` plus dc^<t> sent back by step
    t+1, and the pre-activation gradients dz_c, dz_u (, dz_r) of :func:`gru_cell_backward`
    are gathered into one (G·n_a, T_x, m) array (step t is a contiguous block).  The
    input-weight gradients Σ_t dz^<t> x^<t>ᵀ, dx and the biases are then one matrix product
    (or sum) each; only the recurrent part stays in the time loop.

    Returns ``{"dx", "dc0"}`` (dx (n_x, m, T_x), dc0 (n_a, m)) and the weight gradients of
    :func:`gru_cell_backward` (``dWc``, ``dbc``, ``dWu``, ``dbu``, ...).
    """
    cell_caches, x = _check_sequence_caches(caches)
    c_first, parameters, variant = cell_caches[0][0], cell_caches[0][7], cell_caches[0][8]
    sizes = {"n_a": c_first.shape[0], "m": c_first.shape[1], "T_x": len(cell_caches)}
    check_array(dc, "dL/dc", ("n_a", "m", "T_x"), sizes, dtype=c_first.dtype)
    n_a, m, T_x = dc.shape
    n_x = x.shape[0]
    Wa, Wx, _ = _fused(parameters, variant, n_a)
    dz, dza, dc0 = _backward_time_loop(dc, cell_caches, Wa, variant)
    G = dz.shape[0] // n_a
    dz2d = dz.reshape(G * n_a, T_x * m)
    dWx = dz2d @ time_major(x).T                          # one product for every input weight
    c_prevs = stack_steps([cache[1] for cache in cell_caches])
    if variant == "full":                                 # W_ca acts on Γ_r ⊙ c^<t-1>
        rc = stack_steps([cache[5] * cache[1] for cache in cell_caches])
        dWa = np.concatenate([dz2d[:n_a] @ rc.T, dz2d[n_a:] @ c_prevs.T], axis=0)
    else:
        dza2d = dza.reshape(G * n_a, T_x * m)
        dWa = dza2d @ c_prevs.T
    grads = {"dx": from_time_major(Wx.T @ dz2d, m, T_x), "dc0": dc0}
    db = _sum_batch(dz2d)
    for i, g in enumerate(_GATES[variant]):
        rows = slice(i * n_a, (i + 1) * n_a)
        grads["dW" + g] = np.concatenate([dWa[rows], dWx[rows]], axis=1)
        grads["db" + g] = db[rows]
    if variant == "reset_after":
        grads["dbca"] = _sum_batch(dza2d[:n_a])
    return grads


def _backward_time_loop(dc, cell_caches, Wa, variant):
    """Pre-activation gradients of every step and dc^<0>; only the recurrence loops.

    Returns ``dz`` (G·n_a, T_x, m), the gradients of the pre-activations of [c̃; Γ_u; Γ_r],
    ``dza``, those of the recurrent products W_a c^<t-1> (the same as dz except in
    "reset_after", where the c̃ rows are dz_c ⊙ Γ_r, and in "full", where it is unused),
    and dc^<0>.  Every step writes into preallocated buffers (``out=``).
    """
    n_a, m, T_x = dc.shape
    G = Wa.shape[0] // n_a
    Wc_aT, Wur_aT, WaT = Wa[:n_a].T, Wa[n_a:].T, Wa.T
    dz = np.empty((G * n_a, T_x, m), dtype=dc.dtype)        # step t is dz[:, t]
    dza = np.empty_like(dz) if variant == "reset_after" else dz
    dc_next = np.zeros((n_a, m), dtype=dc.dtype)
    g, tmp, one_minus_u, drc = (np.empty_like(dc_next) for _ in range(4))
    for t in reversed(range(T_x)):
        _, c_prev, _, c_tilde, gamma_u, gamma_r, hc, _, _ = cell_caches[t]
        dz_c, dz_u = dz[:n_a, t], dz[n_a:2 * n_a, t]
        np.add(dc[:, :, t], dc_next, out=g)                   # dL/dc^<t>: from above and from t+1
        np.multiply(c_tilde, c_tilde, out=tmp)                # dz_c = g ⊙ Γ_u ⊙ (1 − c̃²)
        np.subtract(1, tmp, out=tmp)
        tmp *= gamma_u
        np.multiply(g, tmp, out=dz_c)
        np.subtract(1, gamma_u, out=one_minus_u)              # dz_u = g ⊙ (c̃ − c^<t-1>) ⊙ Γ_u(1 − Γ_u)
        np.subtract(c_tilde, c_prev, out=dz_u)
        dz_u *= g
        dz_u *= gamma_u
        dz_u *= one_minus_u
        np.multiply(g, one_minus_u, out=dc_next)              # the direct path: (1 − Γ_u) ⊙ g
        if variant == "simplified":
            dc_next += np.matmul(WaT, dz[:, t], out=tmp)
        elif variant == "full":
            np.matmul(Wc_aT, dz_c, out=drc)                   # dL/d(Γ_r ⊙ c^<t-1>)
            dz_r = np.multiply(drc, c_prev, out=dz[2 * n_a:, t])
            dz_r *= gamma_r
            dz_r *= np.subtract(1, gamma_r, out=tmp)
            dc_next += np.multiply(drc, gamma_r, out=tmp)
            dc_next += np.matmul(Wur_aT, dz[n_a:, t], out=tmp)
        else:  # reset_after
            dz_r = np.multiply(dz_c, hc, out=dz[2 * n_a:, t])
            dz_r *= gamma_r
            dz_r *= np.subtract(1, gamma_r, out=tmp)
            np.multiply(dz_c, gamma_r, out=dza[:n_a, t])
            dza[n_a:, t] = dz[n_a:, t]
            dc_next += np.matmul(WaT, dza[:, t], out=tmp)
    return dz, dza, dc_next
