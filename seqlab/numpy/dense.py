"""Time-distributed dense layer: the same W_ya, b_y applied at every time step (chapter 3).

Forward and backward::

    z^<t> = W_ya a^<t> + b_y
    da^<t> = W_yaᵀ dz^<t>       dW_ya = Σ_t dz^<t> a^<t>ᵀ       db_y = Σ_t Σ_batch dz^<t>

All T steps are one matrix product on a seen as (n_a, m·T).  The weight key is ``"Wya"``
(the RNN's output layer) or ``"Wy"`` (gated cells, bidirectional layers); the gradient key
is ``"d"`` + that key.  Apply :func:`seqlab.numpy.softmax` (or the loss functions of
:mod:`seqlab.numpy.losses`, which take logits) to get ŷ^<t> = softmax(z^<t>).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..checks import check_array

__all__ = ["dense_forward", "dense_backward"]

_WEIGHT_KEYS = ("Wya", "Wy")


def _weight_key(parameters: Any) -> str:
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict with 'Wya' (or 'Wy') and 'by'; got {type(parameters).__name__}")
    keys = [k for k in _WEIGHT_KEYS if k in parameters]
    if len(keys) != 1:
        raise ValueError("parameters must hold exactly one of 'Wya' (W_ya) or 'Wy' (W_y); "
                         f"got {sorted(k for k in parameters)}")
    if "by" not in parameters:
        raise ValueError("parameters is missing 'by' (b_y)")
    return keys[0]


def _dims(a: Any) -> tuple[str, ...]:
    """(n_a, m, T_x) for a sequence, (n_a, m) for one step."""
    return ("n_a", "m") if isinstance(a, np.ndarray) and a.ndim == 2 else ("n_a", "m", "T_x")


def dense_forward(a: np.ndarray, parameters: Mapping[str, np.ndarray]):
    """z^<t> = W_ya a^<t> + b_y for every t.

    Parameters
    ----------
    a : (n_a, m, T_x) hidden states (or one step, (n_a, m)).
    parameters : ``{"Wya" or "Wy": (n_y, n_a), "by": (n_y, 1)}``.

    Returns
    -------
    z : (n_y, m, T_x) (resp. (n_y, m)) logits.
    cache : ``(a, parameters, weight key)`` for :func:`dense_backward`.
    """
    key = _weight_key(parameters)
    sizes: dict[str, int] = {}
    dims = _dims(a)
    check_array(a, "a" if len(dims) == 3 else "a_t", dims, sizes)
    check_array(parameters[key], key, ("n_y", "n_a"), sizes, dtype=a.dtype)
    check_array(parameters["by"], "by", ("n_y", "1"), sizes, dtype=a.dtype)
    W, b = parameters[key], parameters["by"]
    n_a = a.shape[0]
    z = (W @ a.reshape(n_a, -1) + b).reshape((W.shape[0],) + a.shape[1:])
    return z, (a, parameters, key)


def dense_backward(dz: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
    """da^<t> = W_yaᵀ dz^<t>, dW_ya = Σ_t dz^<t> a^<t>ᵀ, db_y = Σ_t Σ_batch dz^<t>.

    Returns ``{"da", "dWya", "dby"}`` (``"dWy"`` when the weight key is ``"Wy"``).
    """
    if not (isinstance(cache, tuple) and len(cache) == 3):
        raise TypeError("cache must be the tuple returned by dense_forward")
    a, parameters, key = cache
    W = parameters[key]
    n_y, n_a = W.shape
    sizes = {"n_y": n_y, "m": a.shape[1]}
    if a.ndim == 3:
        sizes["T_x"] = a.shape[2]
    check_array(dz, "dL/dz", ("n_y",) + _dims(a)[1:], sizes, dtype=a.dtype)
    dz2d = dz.reshape(n_y, -1)
    return {
        "da": (W.T @ dz2d).reshape(a.shape),
        "d" + key: dz2d @ a.reshape(n_a, -1).T,
        "dby": dz2d.sum(axis=1, keepdims=True),
    }
