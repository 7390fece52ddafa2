"""Optimizers that update a parameter dict from a gradient dict keyed ``"d" + key`` (chapter 4).

* SGD: θ ← θ − α dθ; with momentum μ: v ← μ v + dθ, θ ← θ − α v.
* Adam (Kingma & Ba 2015), at step t = 1, 2, …::

      v ← β₁ v + (1 − β₁) dθ            s ← β₂ s + (1 − β₂) dθ²
      v̂ = v / (1 − β₁ᵗ)                ŝ = s / (1 − β₂ᵗ)
      θ ← θ − α v̂ / (√ŝ + ε)

Parameters are updated in place (so every reference to the dict sees the new values)
and the dict is also returned.  Gradient keys without a parameter (``"dx"``, ``"da0"``)
are ignored; a parameter without its gradient is an error.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..checks import check_finite
from ..notation import text_of

__all__ = ["SGD", "Adam"]


def _check_rate(value: Any, name: str, low: float = 0.0, high: float = np.inf, *, open_low: bool = True) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ok = ok and np.isfinite(value) and (value > low if open_low else value >= low) and value < high
    if not ok:
        bound = "(" if open_low else "["
        raise ValueError(f"{name} must lie in {bound}{low}, {high}); got {value!r}")
    return float(value)


def _pairs(parameters: Any, gradients: Any) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(key, θ, dθ) for every parameter, checked: same shape, same float dtype, finite dθ."""
    if not isinstance(parameters, Mapping) or not isinstance(gradients, Mapping):
        raise TypeError("parameters and gradients must be dicts of arrays (gradients keyed 'd' + key)")
    pairs = []
    for key, theta in parameters.items():
        if "d" + key not in gradients:
            raise ValueError(f"gradients is missing {'d' + key!r} for parameter {key!r} ({text_of(key)})")
        grad = gradients["d" + key]
        if not isinstance(theta, np.ndarray) or theta.dtype.type not in (np.float32, np.float64):
            raise TypeError(f"parameter {key!r} must be a float32 or float64 array")
        if not isinstance(grad, np.ndarray) or grad.dtype != theta.dtype:
            got = grad.dtype if isinstance(grad, np.ndarray) else type(grad).__name__
            raise TypeError(f"gradient {'d' + key!r} must be a {theta.dtype} array like {key!r}; got {got}")
        if grad.shape != theta.shape:
            raise ValueError(f"gradient {'d' + key!r} has shape {grad.shape}; {key!r} ({text_of(key)}) "
                             f"has shape {theta.shape}")
        check_finite(grad, "d" + key)
        pairs.append((key, theta, grad))
    return pairs


class SGD:
    """Stochastic gradient descent θ ← θ − α dθ, optionally with momentum μ (v ← μ v + dθ, θ ← θ − α v)."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0):
        self.learning_rate = _check_rate(learning_rate, "learning_rate α")
        self.momentum = _check_rate(momentum, "momentum μ", 0.0, 1.0, open_low=False)
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, parameters: dict[str, np.ndarray], gradients: Mapping[str, np.ndarray]) -> dict:
        """One update of every parameter in place; returns ``parameters``."""
        for key, theta, grad in _pairs(parameters, gradients):
            if self.momentum:
                v = self.velocity.setdefault(key, np.zeros_like(theta))
                v *= self.momentum
                v += grad
                grad = v
            theta -= self.learning_rate * grad
        return parameters


class Adam:
    """Adam with bias correction: θ ← θ − α v̂ / (√ŝ + ε), v̂ = v / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ)."""

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8):
        self.learning_rate = _check_rate(learning_rate, "learning_rate α")
        self.beta1 = _check_rate(beta1, "beta1 β₁", 0.0, 1.0, open_low=False)
        self.beta2 = _check_rate(beta2, "beta2 β₂", 0.0, 1.0, open_low=False)
        self.epsilon = _check_rate(epsilon, "epsilon ε")
        self.t = 0
        self.v: dict[str, np.ndarray] = {}
        self.s: dict[str, np.ndarray] = {}

    def step(self, parameters: dict[str, np.ndarray], gradients: Mapping[str, np.ndarray]) -> dict:
        """One Adam update (t ← t + 1) of every parameter in place; returns ``parameters``."""
        pairs = _pairs(parameters, gradients)
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for key, theta, grad in pairs:
            v = self.v.setdefault(key, np.zeros_like(theta))
            s = self.s.setdefault(key, np.zeros_like(theta))
            v[...] = self.beta1 * v + (1.0 - self.beta1) * grad
            s[...] = self.beta2 * s + (1.0 - self.beta2) * grad * grad
            theta -= self.learning_rate * (v / c1) / (np.sqrt(s / c2) + self.epsilon)
        return parameters
