"""Cross-entropy losses summed over time, with masks for padded batches (chapter 4).

Softmax cross-entropy of logits z^<t> (n_y, m), ŷ^<t> = softmax(z^<t>)::

    L^<t> = − Σ_k y_k^<t> log ŷ_k^<t>            L = Σ_t Σ_batch mask^<t> L^<t>
    dL/dz^<t> = mask^<t> (ŷ^<t> Σ_k y_k^<t> − y^<t>)   (= ŷ^<t> − y^<t> for one-hot y^<t>)

Sigmoid (binary) cross-entropy of logits z with ŷ = σ(z), every entry a separate binary
output::

    L = − Σ mask (y log ŷ + (1 − y) log(1 − ŷ))         dL/dz = mask (ŷ − y)

computed stably as max(z, 0) − z y + log(1 + e^{−|z|}).

Shapes: logits z (n_y, m, T_y) (or one step, (n_y, m)); targets either integer labels
(m, T_y) or one-hot / probability vectors (n_y, m, T_y) for the softmax, and 0/1 targets
(n_y, m, T_y) (or (m, T_y) when n_y = 1) for the sigmoid; mask (m, T_y) of 0/1, 0 at
padded positions.  ``*_forward`` returns ``(L, cache)`` with L a scalar of z's dtype;
``*_backward(cache)`` returns dL/dz, the shape and dtype of z.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_array, check_finite
from .activations import log_softmax, sigmoid, softmax

__all__ = ["softmax_cross_entropy_forward", "softmax_cross_entropy_backward",
           "sigmoid_cross_entropy_forward", "sigmoid_cross_entropy_backward", "perplexity"]


def _check_logits(z: Any) -> tuple[np.ndarray, bool]:
    """Logits as (n_y, m, T_y); also says whether a single step (n_y, m) was given."""
    if isinstance(z, np.ndarray) and z.ndim == 2:
        check_array(z, "logits z^<t>", ("n_y", "m"))
        return z[:, :, None], True
    check_array(z, "logits z", ("n_y", "m", "T_y"))
    return z, False


def _check_mask(mask: Any, z: np.ndarray, single: bool) -> np.ndarray:
    """The 0/1 mask as a float array (m, T_y) of z's dtype; all ones when ``mask`` is None."""
    n_y, m, T_y = z.shape
    if mask is None:
        return np.ones((m, T_y), dtype=z.dtype)
    want = (m,) if single else (m, T_y)
    if not isinstance(mask, np.ndarray) or mask.shape != want:
        got = mask.shape if isinstance(mask, np.ndarray) else type(mask).__name__
        raise ValueError(f"mask must be {'(m,)' if single else '(m, T_y)'} = {want}; got {got}")
    if mask.dtype.kind not in "biuf":
        raise TypeError(f"mask must be a bool, integer or float array of 0/1; got {mask.dtype}")
    if not np.isin(mask, (0, 1)).all():
        raise ValueError("mask must hold only 0 (padding) and 1 (real time step)")
    return mask.astype(z.dtype).reshape(m, T_y)


def _check_labels(y: np.ndarray, n_y: int, want: tuple[int, ...]) -> np.ndarray:
    if y.shape != want:
        raise ValueError(f"integer labels y must be {'(m,)' if len(want) == 1 else '(m, T_y)'} = {want}; "
                         f"got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= n_y):
        raise ValueError(f"integer labels y must lie in 0 … n_y − 1 = {n_y - 1}; got values in "
                         f"{int(y.min())} … {int(y.max())}")
    return y


def _softmax_targets(y: Any, z: np.ndarray, single: bool) -> np.ndarray:
    """Targets as (n_y, m, T_y) arrays of z's dtype (one-hot built from integer labels)."""
    n_y, m, T_y = z.shape
    if not isinstance(y, np.ndarray):
        raise TypeError(f"y must be a numpy array of integer labels or one-hot vectors; got {type(y).__name__}")
    if y.dtype.kind in "iu":
        labels = _check_labels(y, n_y, (m,) if single else (m, T_y)).reshape(m, T_y)
        onehot = np.zeros_like(z)
        np.put_along_axis(onehot, labels[None], 1.0, axis=0)
        return onehot
    if single:
        check_array(y, "y_t", ("n_y", "m"), {"n_y": n_y, "m": m}, dtype=z.dtype)
        return y[:, :, None]
    check_array(y, "y", ("n_y", "m", "T_y"), {"n_y": n_y, "m": m, "T_y": T_y}, dtype=z.dtype)
    return y


def softmax_cross_entropy_forward(z: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None):
    """L = Σ_t Σ_batch mask^<t> L^<t>, L^<t> = −Σ_k y_k^<t> log softmax(z^<t>)_k.

    Parameters
    ----------
    z : logits (n_y, m, T_y), or one step (n_y, m).
    y : integer labels (m, T_y) (resp. (m,)), or one-hot vectors of z's shape and dtype.
    mask : optional (m, T_y) (resp. (m,)) of 0/1; positions with 0 add nothing to L.

    Returns
    -------
    L : scalar of z's dtype.
    cache : for :func:`softmax_cross_entropy_backward`.
    """
    z3, single = _check_logits(z)
    targets = _softmax_targets(y, z3, single)
    w = _check_mask(mask, z3, single)
    loss = -np.sum(w[None] * targets * log_softmax(z3, axis=0))
    cache = {"y_hat": softmax(z3, axis=0), "y": targets, "mask": w, "single": single,
             "n_tokens": float(w.sum())}
    return z.dtype.type(loss), cache


def softmax_cross_entropy_backward(cache: dict) -> np.ndarray:
    """dL/dz^<t> = mask^<t> (ŷ^<t> Σ_k y_k^<t> − y^<t>), which is mask (ŷ − y) for one-hot y."""
    y_hat, y, w = cache["y_hat"], cache["y"], cache["mask"]
    dz = w[None] * (y_hat * y.sum(axis=0, keepdims=True) - y)
    return dz[:, :, 0] if cache["single"] else dz


def _binary_targets(y: Any, z: np.ndarray, single: bool) -> np.ndarray:
    """0/1 targets as (n_y, m, T_y) of z's dtype; (m, T_y) is accepted when n_y = 1."""
    n_y, m, T_y = z.shape
    if not isinstance(y, np.ndarray):
        raise TypeError(f"y must be a numpy array of 0/1 targets; got {type(y).__name__}")
    full = (n_y, m) if single else (n_y, m, T_y)
    short = (m,) if single else (m, T_y)
    if y.shape == short and n_y == 1:
        y = y.reshape(full)
    if y.dtype.kind in "biu":
        if y.shape != full:
            raise ValueError(f"y must be {'(n_y, m)' if single else '(n_y, m, T_y)'} = {full}; got {y.shape}")
        if not np.isin(y, (0, 1)).all():
            raise ValueError("binary targets y must be 0 or 1")
        y = y.astype(z.dtype)
    elif single:
        check_array(y, "y_t", ("n_y", "m"), {"n_y": n_y, "m": m}, dtype=z.dtype)
    else:
        check_array(y, "y", ("n_y", "m", "T_y"), {"n_y": n_y, "m": m, "T_y": T_y}, dtype=z.dtype)
    return y.reshape(n_y, m, T_y)


def sigmoid_cross_entropy_forward(z: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None):
    """L = −Σ_t Σ_batch Σ_k mask^<t> (y log σ(z) + (1 − y) log(1 − σ(z))), computed stably.

    Parameters
    ----------
    z : logits (n_y, m, T_y), or one step (n_y, m).
    y : 0/1 targets of z's shape (float of z's dtype, int or bool); (m, T_y) when n_y = 1.
    mask : optional (m, T_y) (resp. (m,)) of 0/1.

    Returns ``(L, cache)``; L is a scalar of z's dtype.
    """
    z3, single = _check_logits(z)
    targets = _binary_targets(y, z3, single)
    w = _check_mask(mask, z3, single)
    per_entry = np.maximum(z3, 0) - z3 * targets + np.log1p(np.exp(-np.abs(z3)))
    loss = np.sum(w[None] * per_entry)
    cache = {"y_hat": sigmoid(z3), "y": targets, "mask": w, "single": single,
             "n_tokens": float(w.sum()) * z3.shape[0]}
    return z.dtype.type(loss), cache


def sigmoid_cross_entropy_backward(cache: dict) -> np.ndarray:
    """dL/dz = mask (σ(z) − y)."""
    dz = cache["mask"][None] * (cache["y_hat"] - cache["y"])
    return dz[:, :, 0] if cache["single"] else dz


def perplexity(loss: float, n_tokens: float) -> float:
    """PP = exp(L / number of predicted tokens), the exponential of the mean per-token loss.

    ``n_tokens`` is ``cache["n_tokens"]`` of the loss (the number of unmasked positions).
    """
    if not n_tokens > 0:
        raise ValueError(f"n_tokens must be positive; got {n_tokens}")
    value = np.asarray(loss, dtype=np.float64)
    check_finite(value, "L")
    return float(np.exp(value / n_tokens))
