"""Echo state networks: a fixed random RNN (the reservoir) and a trained linear readout (chapter 7).

The reservoir is the RNN of chapter 3 whose weights are drawn once and never trained::

    a^<t> = tanh(W_aa a^<t-1> + W_ax x^<t> + b_a)

with W_aa rescaled to a chosen spectral radius ρ(W_aa) (below about 1 the reservoir
forgets its initial state: the *echo state property*, Jaeger 2001).  Only the readout
ŷ^<t> = W_ya a^<t> + b_y is learned, by ridge regression on the states collected after
a washout::

    [W_ya, b_y] = Y Ãᵀ (Ã Ãᵀ + λ I)⁻¹,        Ã = [a^<t>; 1] stacked over t

— one linear solve instead of backpropagation through time, so no gradient can vanish
or explode.  :func:`nrmse` is the usual error measure, √(mean (ŷ − y)²) / std(y).

The states come from :func:`seqlab.numpy.rnn_forward`; :func:`generate` runs the trained
network in closed loop, feeding each prediction back as the next input.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .checks import check_array, check_parameters
from .numpy.rnn import RNN_PARAMETER_SHAPES, rnn_forward

__all__ = ["spectral_radius", "scale_to_spectral_radius", "init_reservoir", "reservoir_states",
           "Readout", "fit_readout", "readout_predict", "generate", "nrmse"]


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int or a numpy.random.Generator; got {type(seed).__name__}")


def _number(value, name: str, *, low: float = 0.0, strict: bool = True) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or (value <= low if strict else value < low):
        raise ValueError(f"{name} must be a finite number {'>' if strict else '≥'} {low:g}; got {value!r}")
    return float(value)


def _size(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def spectral_radius(W: np.ndarray) -> float:
    """ρ(W) = max |λ_i(W)|, the largest modulus of an eigenvalue of the square matrix W."""
    check_array(W, "Waa", ("n_a", "n_a"))
    return float(np.max(np.abs(np.linalg.eigvals(W.astype(np.float64)))))


def scale_to_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """W · ρ / ρ(W): the same matrix rescaled so that its spectral radius is ``rho`` (≥ 0)."""
    rho = _number(rho, "rho", strict=False)
    current = spectral_radius(W)
    if current == 0:
        raise ValueError("W has spectral radius 0 (all eigenvalues are 0); it cannot be rescaled")
    return (W * (rho / current)).astype(W.dtype)


def init_reservoir(n_x: int, n_a: int, spectral_radius: float = 0.9, *, input_scaling: float = 1.0,
                   bias_scaling: float = 0.0, density: float = 1.0, seed=0,
                   dtype=np.float64) -> dict[str, np.ndarray]:
    """A random reservoir ``{"Wax", "Waa", "ba"}`` for a^<t> = tanh(W_aa a^<t-1> + W_ax x^<t> + b_a).

    W_aa has a fraction ``density`` of non-zero N(0, 1) entries and is rescaled to the
    spectral radius ρ(W_aa) = ``spectral_radius``; W_ax and b_a are uniform on
    ±``input_scaling`` and ±``bias_scaling``.
    """
    n_x, n_a = _size(n_x, "n_x"), _size(n_a, "n_a")
    rho = _number(spectral_radius, "spectral_radius", strict=False)
    input_scaling = _number(input_scaling, "input_scaling", strict=False)
    bias_scaling = _number(bias_scaling, "bias_scaling", strict=False)
    density = _number(density, "density")
    if density > 1:
        raise ValueError(f"density must lie in (0, 1]; got {density!r}")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    rng = _rng(seed)
    Waa = rng.standard_normal((n_a, n_a))
    if density < 1:
        Waa *= rng.random((n_a, n_a)) < density
    current = float(np.max(np.abs(np.linalg.eigvals(Waa))))
    Waa = Waa * (rho / current) if current > 0 else Waa
    Wax = rng.uniform(-input_scaling, input_scaling, size=(n_a, n_x))
    ba = rng.uniform(-bias_scaling, bias_scaling, size=(n_a, 1))
    return {"Wax": Wax.astype(dtype), "Waa": Waa.astype(dtype), "ba": ba.astype(dtype)}


def _reservoir_only(parameters: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """W_ax, W_aa, b_a of ``parameters`` (an output layer, if any, is left out)."""
    if not isinstance(parameters, Mapping):
        raise TypeError(f"reservoir must be a dict with 'Wax', 'Waa', 'ba'; got {type(parameters).__name__}")
    return {k: parameters[k] for k in RNN_PARAMETER_SHAPES if k in parameters}


def _check_reservoir(reservoir, sizes: dict) -> dict[str, np.ndarray]:
    params = _reservoir_only(reservoir)
    check_parameters(params, RNN_PARAMETER_SHAPES, sizes, where="reservoir")
    return params


def reservoir_states(x: np.ndarray, reservoir: Mapping[str, np.ndarray],
                     a0: np.ndarray | None = None) -> np.ndarray:
    """The states a^<1> … a^<T_x> (n_a, m, T_x) of the reservoir driven by x (n_x, m, T_x).

    This is :func:`seqlab.numpy.rnn_forward` with g = tanh; ``a0`` defaults to zeros.
    """
    sizes: dict[str, int] = {}
    params = _check_reservoir(reservoir, sizes)
    check_array(x, "x", ("n_x", "m", "T_x"), sizes, dtype=params["Waa"].dtype)
    if a0 is None:
        a0 = np.zeros((sizes["n_a"], sizes["m"]), dtype=x.dtype)
    a, _, _ = rnn_forward(x, a0, params)
    return a


@dataclass(frozen=True)
class Readout:
    """The trained linear readout ŷ^<t> = W_ya a^<t> + b_y."""

    Wya: np.ndarray  #: (n_y, n_a)
    by: np.ndarray   #: (n_y, 1)


def _flatten_states(a: np.ndarray, washout: int) -> np.ndarray:
    """States after the washout as columns: (n_a, m·(T_x − washout))."""
    return a[:, :, washout:].reshape(a.shape[0], -1)


def fit_readout(a: np.ndarray, y: np.ndarray, ridge: float = 1e-6, washout: int = 0) -> Readout:
    """Ridge regression of y^<t> on [a^<t>; 1] for t > washout.

    [W_ya, b_y] = Y Ãᵀ (Ã Ãᵀ + λ I)⁻¹ with Ã the states with a row of ones appended and
    λ = ``ridge`` (the bias is not penalized).  Solved in float64, returned in a's dtype.

    Parameters
    ----------
    a : (n_a, m, T_x) reservoir states.
    y : (n_y, m, T_x) targets, aligned with a (y[..., t] is what a[..., t] should predict).
    ridge : λ ≥ 0.
    washout : number of first steps left out (the reservoir still remembers a^<0> there).
    """
    sizes: dict[str, int] = {}
    check_array(a, "a", ("n_a", "m", "T_x"), sizes)
    check_array(y, "y", ("n_y", "m", "T_x"), sizes, dtype=a.dtype)
    lam = _number(ridge, "ridge λ", strict=False)
    washout = _washout(washout, sizes["T_x"])
    A = _flatten_states(a, washout).astype(np.float64)
    Y = _flatten_states(y, washout).astype(np.float64)
    A1 = np.vstack([A, np.ones((1, A.shape[1]))])
    penalty = lam * np.eye(A1.shape[0])
    penalty[-1, -1] = 0.0
    W = np.linalg.solve(A1 @ A1.T + penalty, A1 @ Y.T).T
    return Readout(Wya=W[:, :-1].astype(a.dtype), by=W[:, -1:].astype(a.dtype))


def _washout(washout, T_x: int) -> int:
    if isinstance(washout, bool) or not isinstance(washout, (int, np.integer)) or not 0 <= washout < T_x:
        raise ValueError(f"washout must be an int in 0 … T_x − 1 = {T_x - 1}; got {washout!r}")
    return int(washout)


def _check_readout(readout: Readout, sizes: dict, dtype) -> None:
    if not isinstance(readout, Readout):
        raise TypeError(f"readout must be the Readout returned by fit_readout; got {type(readout).__name__}")
    check_array(readout.Wya, "Wya", ("n_y", "n_a"), sizes, dtype=dtype)
    check_array(readout.by, "by", ("n_y", "1"), sizes, dtype=dtype)


def readout_predict(a: np.ndarray, readout: Readout) -> np.ndarray:
    """ŷ^<t> = W_ya a^<t> + b_y for every t: (n_a, m, T_x) -> (n_y, m, T_x)."""
    sizes: dict[str, int] = {}
    check_array(a, "a", ("n_a", "m", "T_x"), sizes)
    _check_readout(readout, sizes, a.dtype)
    n_a, m, T_x = a.shape
    return (readout.Wya @ a.reshape(n_a, -1) + readout.by).reshape(-1, m, T_x)


def generate(reservoir: Mapping[str, np.ndarray], readout: Readout, a_last: np.ndarray,
             y_last: np.ndarray, n_steps: int) -> np.ndarray:
    """Run the trained ESN in closed loop for ``n_steps`` steps.

    From the state a^<t> (``a_last``, (n_a, m)) and the last known value (``y_last``,
    (n_x, m), which is the next input), repeat: a^<t+1> = tanh(W_aa a^<t> + W_ax x^<t+1> + b_a),
    ŷ^<t+1> = W_ya a^<t+1> + b_y, x^<t+2> = ŷ^<t+1>.  Needs n_y = n_x (the output is fed back).

    Returns the predictions (n_x, m, n_steps).
    """
    sizes: dict[str, int] = {}
    _check_reservoir(reservoir, sizes)
    dtype = reservoir["Waa"].dtype
    check_array(a_last, "a_prev", ("n_a", "m"), sizes, dtype=dtype)
    check_array(y_last, "x_t", ("n_x", "m"), sizes, dtype=dtype)
    _check_readout(readout, sizes, dtype)
    if sizes["n_y"] != sizes["n_x"]:
        raise ValueError(f"closed-loop generation feeds ŷ back as x: needs n_y = n_x; "
                         f"got n_y = {sizes['n_y']}, n_x = {sizes['n_x']}")
    n_steps = _size(n_steps, "n_steps")
    Wax, Waa, ba = reservoir["Wax"], reservoir["Waa"], reservoir["ba"]
    out = np.empty((sizes["n_x"], sizes["m"], n_steps), dtype=dtype)
    a, x = a_last, y_last
    for t in range(n_steps):
        a = np.tanh(Waa @ a + Wax @ x + ba)
        x = readout.Wya @ a + readout.by
        out[:, :, t] = x
    return out


def nrmse(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """Normalized root-mean-square error √(mean (ŷ − y)²) / std(y) (0 is perfect, 1 is as bad as the mean)."""
    for value, name in ((y_pred, "ŷ"), (y_true, "y")):
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            raise TypeError(f"{name} must be a float array; got {getattr(value, 'dtype', type(value).__name__)}")
    if y_pred.shape != y_true.shape:
        raise ValueError(f"ŷ and y must have the same shape; got {y_pred.shape} and {y_true.shape}")
    if y_true.size < 2:
        raise ValueError("y needs at least two values to have a standard deviation")
    for value, name in ((y_pred, "ŷ"), (y_true, "y")):
        if not np.isfinite(value).all():
            raise ValueError(f"{name} contains non-finite values")
    std = float(np.std(y_true.astype(np.float64)))
    if std == 0:
        raise ValueError("y is constant (std 0): the NRMSE is undefined")
    err = (y_pred.astype(np.float64) - y_true.astype(np.float64))
    return float(np.sqrt(np.mean(err ** 2)) / std)
