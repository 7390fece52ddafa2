"""Numerical gradient checking by central differences.

For a scalar function J(θ), the central difference

    dθ_approx[i] = (J(θ + ε e_i) - J(θ - ε e_i)) / (2 ε)

has error O(ε²).  The check reports the relative error

    ‖dθ - dθ_approx‖₂ / (‖dθ‖₂ + ‖dθ_approx‖₂)

which is below 1e-7 in float64 for a correct backward pass.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "gradient_check"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``x``, perturbed in place.

    ``f`` takes no arguments: it reads ``x`` (and anything else) from its closure, so the
    same helper checks parameters, inputs and initial states.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        idx = it.multi_index
        old = x[idx].copy()
        x[idx] = old + eps
        f_plus = float(f())
        x[idx] = old - eps
        f_minus = float(f())
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
        it.iternext()
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖a - n‖₂ / (‖a‖₂ + ‖n‖₂); 0 when both are zero."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    denom = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denom == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denom)


def gradient_check(f: Callable[[], float], arrays: Mapping[str, np.ndarray],
                   grads: Mapping[str, np.ndarray], eps: float = 1e-6) -> dict[str, float]:
    """Relative error of each analytic gradient ``grads[k]`` against central differences.

    ``arrays[k]`` is the array that ``f`` reads and ``grads[k]`` its claimed gradient
    dJ/d``arrays[k]``.  Returns ``{k: relative error}``.
    """
    out = {}
    for key, x in arrays.items():
        if key not in grads:
            raise KeyError(f"no analytic gradient given for {key!r}")
        if np.shape(grads[key]) != np.shape(x):
            raise ValueError(f"gradient of {key!r} has shape {np.shape(grads[key])}; "
                             f"the array has shape {np.shape(x)}")
        out[key] = relative_error(grads[key], numerical_gradient(f, x, eps))
    return out
