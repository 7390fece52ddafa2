"""Helper functions given to students in the assignments (NumPy only, nothing graded).

This module is self-contained on purpose: ``seqlab grade`` hands its source to the
sandboxed worker, where the notebook's ``from seqlab.assignments.helpers import ...``
must work while the rest of ``seqlab`` (the reference implementation) is out of reach.

* A1, A2: :func:`sigmoid` and :func:`softmax`.
* A3 (character-level name generator): :func:`initialize_parameters`,
  :func:`char_rnn_forward`, :func:`char_rnn_backward`, :func:`update_parameters`,
  :func:`shuffled`, :func:`get_initial_loss`, :func:`smooth`.

Layout as in the course: x^<t> is (n_x, m), a^<t> is (n_a, m), parameters are
``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``Wya`` (n_y, n_a), ``ba`` (n_a, 1), ``by`` (n_y, 1).
"""
from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "softmax", "initialize_parameters", "char_rnn_forward",
           "char_rnn_backward", "update_parameters", "shuffled", "get_initial_loss", "smooth"]


def sigmoid(z):
    """σ(z) = 1 / (1 + e^{-z}), element-wise and without overflow."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z):
    """softmax over the class axis 0: every column of ``z`` (n_y, m) becomes a distribution."""
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


# --------------------------------------------------------------------------- A3
def initialize_parameters(n_a, n_x, n_y, seed=1):
    """Small random weights (× 0.01) and zero biases for the character-level RNN.

    Returns ``{"Wax": (n_a, n_x), "Waa": (n_a, n_a), "Wya": (n_y, n_a), "ba": (n_a, 1),
    "by": (n_y, 1)}``, drawn from ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    return {"Wax": rng.standard_normal((n_a, n_x)) * 0.01,
            "Waa": rng.standard_normal((n_a, n_a)) * 0.01,
            "Wya": rng.standard_normal((n_y, n_a)) * 0.01,
            "ba": np.zeros((n_a, 1)), "by": np.zeros((n_y, 1))}


def _one_hot(index, vocab_size):
    x = np.zeros((vocab_size, 1))
    if index is not None:
        x[index, 0] = 1.0
    return x


def char_rnn_forward(X, Y, a0, parameters):
    """Forward pass of the character-level RNN over one name, with its loss.

    ``X`` is the list of input indices, ``X[0] = None`` standing for x^<1> = 0⃗; ``Y`` the
    target indices (``Y[t] = X[t+1]``, ending with the index of ``"\\n"``).  For every t:
    a^<t> = tanh(W_ax x^<t> + W_aa a^<t-1> + b_a), ŷ^<t> = softmax(W_ya a^<t> + b_y), and the
    loss is L = −Σ_t log ŷ^<t>[Y[t]].

    Returns ``loss, cache`` with ``cache = (y_hat, a, x)``: dicts keyed by t (``a[-1]`` is a0).
    """
    vocab_size = parameters["Wya"].shape[0]
    x, a, y_hat = {}, {-1: np.copy(a0)}, {}
    loss = 0.0
    for t in range(len(X)):
        x[t] = _one_hot(X[t], vocab_size)
        a[t] = np.tanh(parameters["Wax"] @ x[t] + parameters["Waa"] @ a[t - 1] + parameters["ba"])
        y_hat[t] = softmax(parameters["Wya"] @ a[t] + parameters["by"])
        loss -= np.log(y_hat[t][Y[t], 0])
    return loss, (y_hat, a, x)


def char_rnn_backward(X, Y, parameters, cache):
    """Backpropagation through time of :func:`char_rnn_forward`.

    Returns ``gradients, a`` with ``gradients = {"dWax", "dWaa", "dWya", "dba", "dby"}``
    (and ``"da_next"``, the gradient on a^<0>) and ``a`` the hidden states of the cache.
    """
    y_hat, a, x = cache
    gradients = {"d" + k: np.zeros_like(v) for k, v in parameters.items()}
    da_next = np.zeros_like(a[0])
    for t in reversed(range(len(X))):
        dy = np.copy(y_hat[t])
        dy[Y[t]] -= 1.0                                  # dL/dz_y^<t> = ŷ^<t> − y^<t>
        gradients["dWya"] += dy @ a[t].T
        gradients["dby"] += dy
        da = parameters["Wya"].T @ dy + da_next
        dz = (1.0 - a[t] ** 2) * da                      # through tanh
        gradients["dba"] += dz
        gradients["dWax"] += dz @ x[t].T
        gradients["dWaa"] += dz @ a[t - 1].T
        da_next = parameters["Waa"].T @ dz
    gradients["da_next"] = da_next
    return gradients, a


def update_parameters(parameters, gradients, learning_rate):
    """Gradient descent in place: θ ← θ − α dθ for every parameter."""
    for key in ("Wax", "Waa", "Wya", "ba", "by"):
        parameters[key] -= learning_rate * gradients["d" + key]
    return parameters


def shuffled(names, seed=0):
    """The training examples in the order the training loop visits them (a new list)."""
    order = np.random.default_rng(seed).permutation(len(names))
    return [names[i] for i in order]


def get_initial_loss(vocab_size, seq_length):
    """The loss of a uniform guess over ``seq_length`` characters: −seq_length · log(1/|V|)."""
    return -np.log(1.0 / vocab_size) * seq_length


def smooth(loss, cur_loss):
    """Exponentially smoothed loss, for printing."""
    return loss * 0.999 + cur_loss * 0.001
