"""Weight initializers and parameter dictionaries for every cell (chapter 7).

For a weight matrix of shape (fan_out, fan_in) — e.g. W_ax is (n_a, n_x), so
fan_in = n_x and fan_out = n_a:

* Xavier/Glorot (Glorot & Bengio 2010): Var(W) = 2 / (fan_in + fan_out);
  uniform on ±√(6 / (fan_in + fan_out)) or normal with that variance.
* He (He et al. 2015), for ReLU: Var(W) = 2 / fan_in.
* orthogonal (Saxe et al. 2014): WᵀW = I (or WWᵀ = I for wide W); all singular values
  are 1, so ρ(W_aa) = 1 and gradients neither explode nor vanish at the start.
* identity (IRNN, Le et al. 2015): W_aa = I, b_a = 0, with g = ReLU.

``init_*_parameters`` build the parameter dictionaries of :mod:`seqlab.numpy` with the
notation's keys: the recurrent block (acting on a^<t-1> or c^<t-1>) is orthogonal by
default, the input block (acting on x^<t>) Xavier-uniform, biases zero except the LSTM
forget-gate bias b_f (1 by default, Gers et al. 2000; Jozefowicz et al. 2015).

Every function takes ``seed``: an int or a :class:`numpy.random.Generator`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["xavier_uniform", "xavier_normal", "glorot_uniform", "glorot_normal",
           "he_normal", "he_uniform", "orthogonal", "identity", "small_normal", "INITIALIZERS",
           "init_rnn_parameters", "init_gru_parameters", "init_lstm_parameters",
           "init_peephole_lstm_parameters", "init_dense_parameters", "init_parameters"]


def _rng(seed) -> np.random.Generator:
    """A Generator from an int seed (or the Generator itself)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer)):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int or a numpy.random.Generator; got {type(seed).__name__}")


def _check_shape(shape) -> tuple[int, int]:
    shape = tuple(int(s) for s in shape)
    if len(shape) != 2 or min(shape) < 1:
        raise ValueError(f"a weight matrix shape must be (fan_out, fan_in) with positive sizes; got {shape}")
    return shape


def _check_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    return dtype


def _check_size(value, name: str, optional: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")


# --------------------------------------------------------------------------- initializers
def xavier_uniform(shape, seed=0, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """W ~ U(−l, l), l = gain·√(6 / (fan_in + fan_out)), so Var(W) = gain²·2 / (fan_in + fan_out)."""
    fan_out, fan_in = _check_shape(shape)
    limit = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return _rng(seed).uniform(-limit, limit, size=(fan_out, fan_in)).astype(_check_dtype(dtype))


def xavier_normal(shape, seed=0, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, σ²), σ = gain·√(2 / (fan_in + fan_out))."""
    fan_out, fan_in = _check_shape(shape)
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return (std * _rng(seed).standard_normal((fan_out, fan_in))).astype(_check_dtype(dtype))


glorot_uniform = xavier_uniform
glorot_normal = xavier_normal


def he_normal(shape, seed=0, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, 2 / fan_in), for ReLU layers (He et al. 2015)."""
    fan_out, fan_in = _check_shape(shape)
    return (np.sqrt(2.0 / fan_in) * _rng(seed).standard_normal((fan_out, fan_in))).astype(_check_dtype(dtype))


def he_uniform(shape, seed=0, dtype=np.float64) -> np.ndarray:
    """W ~ U(−l, l), l = √(6 / fan_in), so Var(W) = 2 / fan_in."""
    fan_out, fan_in = _check_shape(shape)
    limit = np.sqrt(6.0 / fan_in)
    return _rng(seed).uniform(-limit, limit, size=(fan_out, fan_in)).astype(_check_dtype(dtype))


def orthogonal(shape, seed=0, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """A (semi-)orthogonal matrix times ``gain``: WᵀW = gain²·I (tall) or WWᵀ = gain²·I (wide).

    Q of the QR decomposition of a standard normal matrix, with the signs of R's diagonal
    folded into Q so that Q is uniformly (Haar) distributed.
    """
    rows, cols = _check_shape(shape)
    flat = _rng(seed).standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return (gain * q).astype(_check_dtype(dtype))


def identity(shape, seed=None, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """gain·I, the IRNN recurrent matrix (Le et al. 2015); ``shape`` is n or (n, n).

    ``seed`` is accepted (and ignored) so every initializer has the same signature.
    """
    if isinstance(shape, (int, np.integer)):
        shape = (shape, shape)
    rows, cols = _check_shape(shape)
    return (gain * np.eye(rows, cols)).astype(_check_dtype(dtype))


def small_normal(shape, seed=0, std: float = 0.01, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, std²) with a small std (0.01), the initialization of the course's first assignments."""
    fan_out, fan_in = _check_shape(shape)
    return (std * _rng(seed).standard_normal((fan_out, fan_in))).astype(_check_dtype(dtype))


#: name -> initializer(shape, seed, dtype=...)
INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "orthogonal": orthogonal,
    "identity": identity,
    "small_normal": small_normal,
}


def _init(name: str, shape, rng: np.random.Generator, dtype) -> np.ndarray:
    if name not in INITIALIZERS:
        raise ValueError(f"unknown initializer {name!r}; choose one of {', '.join(map(repr, INITIALIZERS))}")
    return INITIALIZERS[name](shape, rng, dtype=dtype)


def _zeros(n: int, dtype) -> np.ndarray:
    return np.zeros((n, 1), dtype=dtype)


def _gate_weights(n_a: int, n_x: int, rng, recurrent_init: str, input_init: str, dtype) -> np.ndarray:
    """W_* of shape (n_a, n_a + n_x) acting on [a^<t-1>; x^<t>]: [recurrent block, input block]."""
    return np.concatenate([_init(recurrent_init, (n_a, n_a), rng, dtype),
                           _init(input_init, (n_a, n_x), rng, dtype)], axis=1)


def _check_sizes(n_x, n_a, n_y) -> None:
    _check_size(n_x, "n_x")
    _check_size(n_a, "n_a")
    _check_size(n_y, "n_y", optional=True)


def init_dense_parameters(n_a: int, n_y: int, seed=0, *, init: str = "xavier_uniform",
                          weight_key: str = "Wya", dtype=np.float64) -> dict[str, np.ndarray]:
    """Output layer ŷ^<t> = softmax(W_ya a^<t> + b_y): ``{weight_key: (n_y, n_a), "by": zeros (n_y, 1)}``."""
    _check_size(n_a, "n_a")
    _check_size(n_y, "n_y")
    dtype = _check_dtype(dtype)
    return {weight_key: _init(init, (n_y, n_a), _rng(seed), dtype), "by": _zeros(n_y, dtype)}


def init_rnn_parameters(n_x: int, n_a: int, n_y: int | None = None, seed=0, *,
                        input_init: str = "xavier_uniform", recurrent_init: str = "orthogonal",
                        output_init: str = "xavier_uniform", dtype=np.float64) -> dict[str, np.ndarray]:
    """Parameters of a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a) (and ŷ^<t> = softmax(W_ya a^<t> + b_y)).

    Keys ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1) zeros, and with ``n_y``
    ``Wya`` (n_y, n_a), ``by`` (n_y, 1) zeros.  IRNN: ``recurrent_init="identity"`` with
    ``activation="relu"`` in the forward pass.
    """
    _check_sizes(n_x, n_a, n_y)
    dtype = _check_dtype(dtype)
    rng = _rng(seed)
    params = {"Wax": _init(input_init, (n_a, n_x), rng, dtype),
              "Waa": _init(recurrent_init, (n_a, n_a), rng, dtype),
              "ba": _zeros(n_a, dtype)}
    if n_y is not None:
        params.update(init_dense_parameters(n_a, n_y, rng, init=output_init, dtype=dtype))
    return params


_GRU_VARIANTS = ("simplified", "full", "reset_after")


def init_gru_parameters(n_x: int, n_a: int, n_y: int | None = None, seed=0, *, variant: str = "full",
                        input_init: str = "xavier_uniform", recurrent_init: str = "orthogonal",
                        output_init: str = "xavier_uniform", dtype=np.float64) -> dict[str, np.ndarray]:
    """Parameters of the GRU: ``Wc``, ``Wu`` (and ``Wr``) of shape (n_a, n_a + n_x) acting on
    [c^<t-1>; x^<t>], biases ``bc``, ``bu`` (and ``br``; ``bca`` for ``"reset_after"``) zeros,
    and with ``n_y`` the output ``Wy`` (n_y, n_a), ``by`` (n_y, 1).
    """
    if variant not in _GRU_VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(map(repr, _GRU_VARIANTS))}; got {variant!r}")
    _check_sizes(n_x, n_a, n_y)
    dtype = _check_dtype(dtype)
    rng = _rng(seed)
    gates = ["c", "u"] if variant == "simplified" else ["c", "u", "r"]
    params: dict[str, np.ndarray] = {}
    for g in gates:
        params["W" + g] = _gate_weights(n_a, n_x, rng, recurrent_init, input_init, dtype)
        params["b" + g] = _zeros(n_a, dtype)
    if variant == "reset_after":
        params["bca"] = _zeros(n_a, dtype)
    if n_y is not None:
        params.update(init_dense_parameters(n_a, n_y, rng, init=output_init, weight_key="Wy", dtype=dtype))
    return params


def init_lstm_parameters(n_x: int, n_a: int, n_y: int | None = None, seed=0, *, forget_bias: float = 1.0,
                         input_init: str = "xavier_uniform", recurrent_init: str = "orthogonal",
                         output_init: str = "xavier_uniform", dtype=np.float64) -> dict[str, np.ndarray]:
    """Parameters of the LSTM: ``Wf``, ``Wu``, ``Wc``, ``Wo`` (n_a, n_a + n_x) acting on
    [a^<t-1>; x^<t>]; biases zero except b_f = ``forget_bias`` (so Γ_f = σ(1) ≈ 0.73 at the
    start and c^<t> is kept); with ``n_y`` the output ``Wy`` (n_y, n_a), ``by`` (n_y, 1).
    """
    _check_sizes(n_x, n_a, n_y)
    dtype = _check_dtype(dtype)
    rng = _rng(seed)
    params: dict[str, np.ndarray] = {}
    for g in ("f", "u", "c", "o"):
        params["W" + g] = _gate_weights(n_a, n_x, rng, recurrent_init, input_init, dtype)
        params["b" + g] = _zeros(n_a, dtype)
    params["bf"][:] = forget_bias
    if n_y is not None:
        params.update(init_dense_parameters(n_a, n_y, rng, init=output_init, weight_key="Wy", dtype=dtype))
    return params


def init_peephole_lstm_parameters(n_x: int, n_a: int, n_y: int | None = None, seed=0, *,
                                  forget_bias: float = 1.0, input_init: str = "xavier_uniform",
                                  recurrent_init: str = "orthogonal", output_init: str = "xavier_uniform",
                                  dtype=np.float64) -> dict[str, np.ndarray]:
    """Parameters of the peephole LSTM in the W, R, P, b form of Greff et al.

    ``W`` (4 n_a, n_x) and ``R`` (4 n_a, n_a) with row blocks [c̃; Γ_u; Γ_f; Γ_o] (each block
    initialized on its own), ``P`` (3 n_a, 1) peepholes [Γ_u; Γ_f; Γ_o] from U(±1/√n_a),
    ``b`` (4 n_a, 1) zeros except the Γ_f block = ``forget_bias``; with ``n_y`` ``Wy``, ``by``.
    """
    _check_sizes(n_x, n_a, n_y)
    dtype = _check_dtype(dtype)
    rng = _rng(seed)
    W = np.concatenate([_init(input_init, (n_a, n_x), rng, dtype) for _ in range(4)], axis=0)
    R = np.concatenate([_init(recurrent_init, (n_a, n_a), rng, dtype) for _ in range(4)], axis=0)
    bound = 1.0 / np.sqrt(n_a)
    P = rng.uniform(-bound, bound, size=(3 * n_a, 1)).astype(dtype)
    b = _zeros(4 * n_a, dtype)
    b[2 * n_a:3 * n_a] = forget_bias
    params = {"W": W, "R": R, "P": P, "b": b}
    if n_y is not None:
        params.update(init_dense_parameters(n_a, n_y, rng, init=output_init, weight_key="Wy", dtype=dtype))
    return params


_BY_KIND = {"rnn": init_rnn_parameters, "gru": init_gru_parameters, "lstm": init_lstm_parameters,
            "peephole_lstm": init_peephole_lstm_parameters}


def init_parameters(kind: str, n_x: int, n_a: int, n_y: int | None = None, seed=0, **options) -> dict:
    """``init_<kind>_parameters(n_x, n_a, n_y, seed, **options)`` for kind in
    ``"rnn"``, ``"gru"``, ``"lstm"``, ``"peephole_lstm"``."""
    if kind not in _BY_KIND:
        raise ValueError(f"kind must be one of {', '.join(map(repr, _BY_KIND))}; got {kind!r}")
    return _BY_KIND[kind](n_x, n_a, n_y, seed, **options)
