"""Gradient clipping against exploding gradients (chapter 7).

* element-wise: every entry of every gradient is clipped to [−maxValue, maxValue]
  (the notes' ``clip``; it can change the direction of the gradient);
* global norm (Pascanu et al. 2013): with ‖g‖ = √(Σ_k ‖dθ_k‖²) over all gradients,
  every gradient is scaled by max_norm / ‖g‖ when ‖g‖ > max_norm (the direction is kept).

Both return new dictionaries; the gradients given are not modified.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..checks import check_finite

__all__ = ["clip", "clip_by_global_norm", "global_norm"]


def _check_gradients(gradients: Any) -> Mapping[str, np.ndarray]:
    if not isinstance(gradients, Mapping):
        raise TypeError(f"gradients must be a dict of arrays keyed 'd' + parameter key; "
                        f"got {type(gradients).__name__}")
    for key, g in gradients.items():
        if not isinstance(g, np.ndarray) or g.dtype.type not in (np.float32, np.float64):
            got = g.dtype if isinstance(g, np.ndarray) else type(g).__name__
            raise TypeError(f"gradient {key!r} must be a float32 or float64 array; got {got}")
        check_finite(g, f"gradient {key!r}")
    return gradients


def _check_positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


def clip(gradients: Mapping[str, np.ndarray], maxValue: float) -> dict[str, np.ndarray]:
    """Clip every entry of every gradient to [−maxValue, maxValue]; returns a new dict.

    Example: ``clip({"dWaa": ..., "dWax": ..., "dba": ...}, 5)``.
    """
    _check_gradients(gradients)
    limit = _check_positive(maxValue, "maxValue")
    return {key: np.clip(g, -limit, limit) for key, g in gradients.items()}


def global_norm(gradients: Mapping[str, np.ndarray]) -> float:
    """‖g‖ = √(Σ_k ‖dθ_k‖²), the norm of all gradients seen as one vector (in float64)."""
    _check_gradients(gradients)
    return float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in gradients.values())))


def clip_by_global_norm(gradients: Mapping[str, np.ndarray], max_norm: float):
    """Scale all gradients by max_norm / ‖g‖ when ‖g‖ > max_norm.

    Returns ``(clipped, norm)``: the new dict and ‖g‖ *before* clipping (a float), which
    is worth logging — spikes in it are the exploding gradients.
    """
    limit = _check_positive(max_norm, "max_norm")
    norm = global_norm(gradients)
    scale = limit / norm if norm > limit else 1.0
    return {key: (g * g.dtype.type(scale)) for key, g in gradients.items()}, norm
