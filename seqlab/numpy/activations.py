"""Activation functions and their derivatives, numerically stable.

``g`` is the hidden activation (tanh or ReLU), ``g_2`` the output activation
(softmax over the class axis 0, or the sigmoid σ).  Derivatives are written in terms of
the *output* of the activation where that is the cheaper form, as the backward passes use
it: tanh'(z) = 1 - tanh(z)^2, σ'(z) = σ(z)(1 - σ(z)).
"""
from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "tanh", "relu", "softmax", "log_softmax",
           "dtanh_from_output", "dsigmoid_from_output", "drelu_from_output", "ACTIVATIONS"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{-z}), without overflow for large |z|.

    With e = exp(−|z|): σ(z) = 1/(1 + e) for z ≥ 0 and e/(1 + e) for z < 0.
    """
    e = np.exp(-np.abs(z))
    r = 1 / (1 + e)
    return np.where(z >= 0, r, e * r)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z)."""
    return np.tanh(z)


def relu(z: np.ndarray) -> np.ndarray:
    """max(0, z)."""
    return np.maximum(z, 0)


def softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    """softmax over ``axis`` (the class axis n_y is axis 0 in the course's layout).

    Subtracts the maximum first, so large logits do not overflow.
    """
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    """log softmax(z), stable: z - max - log Σ exp(z - max)."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def dtanh_from_output(a: np.ndarray) -> np.ndarray:
    """tanh'(z) written with a = tanh(z): 1 - a²."""
    return 1.0 - a * a


def dsigmoid_from_output(s: np.ndarray) -> np.ndarray:
    """σ'(z) written with s = σ(z): s (1 - s)."""
    return s * (1.0 - s)


def drelu_from_output(a: np.ndarray) -> np.ndarray:
    """ReLU'(z) written with a = relu(z): 1 where a > 0, else 0."""
    return (a > 0).astype(a.dtype)


#: name -> (g, g' written with the output of g)
ACTIVATIONS = {
    "tanh": (tanh, dtanh_from_output),
    "relu": (relu, drelu_from_output),
    "sigmoid": (sigmoid, dsigmoid_from_output),
}
