"""Vanishing and exploding gradients in the basic RNN, measured (chapter 7).

Backpropagation through time multiplies the gradient by one Jacobian per step::

    ∂L/∂a^<t-1> = W_aaᵀ (g'(z^<t>) ⊙ ∂L/∂a^<t>)

so k steps back it has been multiplied by k such factors.  With g = tanh (|g'| ≤ 1) and
W_aa of spectral radius ρ(W_aa), the norm ‖∂L/∂a^<t-k>‖ shrinks roughly like ρ(W_aa)^k
when ρ(W_aa) < 1 (vanishing) and may grow like it when ρ(W_aa) > 1 (exploding).
:func:`gradient_norms_by_distance` measures it with :func:`seqlab.numpy.rnn_cell_backward`,
one step at a time.

The rest of the module is a small task that needs memory, the "cat … was / cats … were"
agreement: a sentence ``the cat(s) w_1 … w_d`` of ``d`` filler words, after which the model
must say whether the verb is ``was`` or ``were``.  The only information is d + 1 steps back.
:func:`train_agreement` trains a many-to-one RNN on it (ŷ = softmax(W_ya a^<T_x> + b_y))
with plain SGD or Adam, optional element-wise or global-norm clipping, and full or
truncated BPTT, and records the loss and gradient norm of every step.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from .charlm import one_hot_inputs
from .checks import check_array, check_parameters
from .esn import scale_to_spectral_radius, spectral_radius
from .numpy.clipping import clip, clip_by_global_norm, global_norm
from .numpy.init import orthogonal, xavier_uniform
from .numpy.losses import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from .numpy.optim import SGD, Adam
from .numpy.rnn import RNN_ACTIVATIONS, RNN_PARAMETER_SHAPES, rnn_backward, rnn_cell_backward, rnn_forward
from .numpy.tbptt import rnn_tbptt_backward

__all__ = ["spectral_radius", "scale_to_spectral_radius", "rnn_with_spectral_radius",
           "gradient_norms_by_distance", "AGREEMENT_VOCAB", "AGREEMENT_FILLERS", "AGREEMENT_VERBS",
           "agreement_data", "agreement_sentence", "AgreementHistory", "agreement_loss_and_gradients",
           "agreement_accuracy", "train_agreement"]


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int or a numpy.random.Generator; got {type(seed).__name__}")


def _positive_int(value, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an int ≥ {low}; got {value!r}")
    return int(value)


def _positive_float(value, name: str) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


# --------------------------------------------------------------------------- gradient vs distance
def rnn_with_spectral_radius(n_x: int, n_a: int, rho: float, *, seed=0, recurrent: str = "orthogonal",
                             input_scale: float = 1.0, dtype=np.float64) -> dict[str, np.ndarray]:
    """RNN parameters ``{"Wax", "Waa", "ba"}`` whose W_aa has spectral radius ρ(W_aa) = ``rho``.

    ``recurrent="orthogonal"``: W_aa = ρ Q with Q orthogonal (every singular value is ρ,
    so one step scales a vector by exactly ρ before g'); ``"gaussian"``: a N(0, 1) matrix
    rescaled to spectral radius ρ.  W_ax is Xavier-uniform times ``input_scale``, b_a = 0.
    """
    n_x, n_a = _positive_int(n_x, "n_x"), _positive_int(n_a, "n_a")
    rho = float(rho)
    if not np.isfinite(rho) or rho < 0:
        raise ValueError(f"rho must be a finite number ≥ 0; got {rho!r}")
    rng = _rng(seed)
    if recurrent == "orthogonal":
        Waa = rho * orthogonal((n_a, n_a), rng)
    elif recurrent == "gaussian":
        Waa = scale_to_spectral_radius(rng.standard_normal((n_a, n_a)), rho)
    else:
        raise ValueError(f"recurrent must be 'orthogonal' or 'gaussian'; got {recurrent!r}")
    Wax = input_scale * xavier_uniform((n_a, n_x), rng)
    dtype = np.dtype(dtype)
    return {"Wax": Wax.astype(dtype), "Waa": Waa.astype(dtype), "ba": np.zeros((n_a, 1), dtype=dtype)}


def gradient_norms_by_distance(parameters: Mapping[str, np.ndarray], x: np.ndarray,
                               a0: np.ndarray | None = None, *, activation: str = "tanh",
                               upstream: np.ndarray | None = None) -> np.ndarray:
    """‖∂L/∂a^<T_x − k>‖ for k = 0, 1, …, T_x, for a loss L that depends on a^<T_x> only.

    The forward pass is :func:`seqlab.numpy.rnn_forward` over x (n_x, m, T_x); the gradient
    ``upstream`` = ∂L/∂a^<T_x> (n_a, m) (default: every entry 1/√n_a, a unit vector per
    example) is then carried back one step at a time by
    :func:`seqlab.numpy.rnn_cell_backward`: ∂L/∂a^<t-1> = W_aaᵀ (g'(z^<t>) ⊙ ∂L/∂a^<t>).

    Returns a float64 array of length T_x + 1: entry k is the mean over the m examples of
    the Euclidean norm of ∂L/∂a^<T_x − k> (entry T_x is ∂L/∂a^<0>).
    """
    if activation not in RNN_ACTIVATIONS:
        raise ValueError(f"activation must be one of {RNN_ACTIVATIONS}; got {activation!r}")
    sizes: dict[str, int] = {}
    params = {k: parameters[k] for k in RNN_PARAMETER_SHAPES if k in parameters} \
        if isinstance(parameters, Mapping) else parameters
    check_parameters(params, RNN_PARAMETER_SHAPES, sizes)
    dtype = params["Waa"].dtype
    check_array(x, "x", ("n_x", "m", "T_x"), sizes, dtype=dtype)
    if a0 is None:
        a0 = np.zeros((sizes["n_a"], sizes["m"]), dtype=dtype)
    check_array(a0, "a0", ("n_a", "m"), sizes, dtype=dtype)
    if upstream is None:
        upstream = np.full((sizes["n_a"], sizes["m"]), 1.0 / np.sqrt(sizes["n_a"]), dtype=dtype)
    check_array(upstream, "dL/da^<T_x>", ("n_a", "m"), sizes, dtype=dtype)
    _, _, (cell_caches, _) = rnn_forward(x, a0, params, activation)
    norms = np.empty(sizes["T_x"] + 1)
    da = upstream
    norms[0] = np.linalg.norm(da, axis=0).mean()
    for k, cache in enumerate(reversed(cell_caches), start=1):
        da = rnn_cell_backward(da, cache)["da_prev"]
        norms[k] = np.linalg.norm(da.astype(np.float64), axis=0).mean()
    return norms


# --------------------------------------------------------------------------- the agreement task
#: Filler words between the noun and the verb.
AGREEMENT_FILLERS = ("which", "already", "ate", "a", "lot", "of", "food", "and", "then", "slept",
                     "on", "the", "mat", "very", "happily", "in", "sun", "after", "lunch", "big")
#: The vocabulary: the nouns, then the fillers ("the" is both the first word and a filler).
AGREEMENT_VOCAB = ("cat", "cats") + AGREEMENT_FILLERS
#: The verb that agrees with the noun: label 0 -> "was" (cat), 1 -> "were" (cats).
AGREEMENT_VERBS = ("was", "were")


def agreement_data(m: int, distance: int, seed=0):
    """``m`` sentences ``the cat(s) w_1 … w_distance`` and the verb each needs.

    The fillers w_i are drawn uniformly from :data:`AGREEMENT_FILLERS` (seeded); half of
    the nouns, at random, are plural.  Returns ``(x, labels)``: x (n_x, m, T_x) one-hot
    over :data:`AGREEMENT_VOCAB` with T_x = distance + 2, labels (m,) ints, 0 for "was"
    and 1 for "were".  The noun is x^<2>; the verb would come right after x^<T_x>.
    """
    m, distance = _positive_int(m, "m"), _positive_int(distance, "distance", low=0)
    rng = _rng(seed)
    labels = rng.integers(0, 2, size=m)
    the = AGREEMENT_VOCAB.index("the")
    fillers = rng.integers(2, len(AGREEMENT_VOCAB), size=(m, distance))
    ids = np.concatenate([np.full((m, 1), the), labels[:, None], fillers], axis=1)
    return one_hot_inputs(ids, len(AGREEMENT_VOCAB)), labels


def agreement_sentence(x: np.ndarray, i: int = 0, label: int | None = None) -> str:
    """Example ``i`` of ``x`` as words (and the verb of ``label`` in brackets)."""
    ids = x[:, i, :].argmax(axis=0)
    words = " ".join(AGREEMENT_VOCAB[k] for k in ids)
    return words if label is None else f"{words} [{AGREEMENT_VERBS[label]}]"


def _check_classifier(parameters) -> dict:
    sizes: dict[str, int] = {}
    spec = dict(RNN_PARAMETER_SHAPES, Wya=("n_y", "n_a"), by=("n_y", "1"))
    check_parameters(parameters, spec, sizes)
    return sizes


def _forward(parameters, x, activation):
    rnn = {k: parameters[k] for k in RNN_PARAMETER_SHAPES}
    a0 = np.zeros((rnn["Waa"].shape[0], x.shape[1]), dtype=x.dtype)
    a, _, caches = rnn_forward(x, a0, rnn, activation)
    a_last = a[:, :, -1]
    z = parameters["Wya"] @ a_last + parameters["by"]
    return a, a_last, z, caches


def agreement_loss_and_gradients(parameters: Mapping[str, np.ndarray], x: np.ndarray, labels: np.ndarray,
                                 *, activation: str = "tanh", truncation: int | None = None):
    """Mean cross-entropy of ŷ = softmax(W_ya a^<T_x> + b_y) and its gradients.

    The loss sits on the last step only: ∂L/∂a^<T_x> = W_yaᵀ (ŷ − y) / m and ∂L/∂a^<t> = 0
    from the output for t < T_x; BPTT carries it back (:func:`seqlab.numpy.rnn_backward`,
    or :func:`seqlab.numpy.rnn_tbptt_backward` with segments of ``truncation`` steps).

    Returns ``(L, gradients)`` with keys ``dWax, dWaa, dba, dWya, dby``.
    """
    _check_classifier(parameters)
    _, a_last, z, caches = _forward(parameters, x, activation)
    m = x.shape[1]
    loss, cache = softmax_cross_entropy_forward(z, labels)
    dz = softmax_cross_entropy_backward(cache) / x.dtype.type(m)
    da = np.zeros((a_last.shape[0], m, x.shape[2]), dtype=x.dtype)
    da[:, :, -1] = parameters["Wya"].T @ dz
    if truncation is None:
        rnn_grads = rnn_backward(da, caches)
    else:
        rnn_grads = rnn_tbptt_backward(da, caches, truncation)
    grads = {k: rnn_grads[k] for k in ("dWax", "dWaa", "dba")}
    grads.update(dWya=dz @ a_last.T, dby=dz.sum(axis=1, keepdims=True))
    return float(loss) / m, grads


def agreement_accuracy(parameters: Mapping[str, np.ndarray], x: np.ndarray, labels: np.ndarray,
                       *, activation: str = "tanh") -> float:
    """Fraction of sentences whose verb (argmax of ŷ) is right."""
    _check_classifier(parameters)
    _, _, z, _ = _forward(parameters, x, activation)
    return float(np.mean(z.argmax(axis=0) == labels))


@dataclass
class AgreementHistory:
    """Per training step: the mean loss, ‖g‖ before clipping; at the end: accuracy on held-out sentences."""

    loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    accuracy: float = float("nan")
    diverged: bool = False  #: a loss or gradient became non-finite (training stopped there)


def train_agreement(parameters: dict[str, np.ndarray], distance: int, *, steps: int = 300,
                    batch_size: int = 32, learning_rate: float = 0.01, optimizer: str = "sgd",
                    clip_norm: float | None = None, clip_value: float | None = None,
                    truncation: int | None = None, activation: str = "tanh", seed=0,
                    eval_size: int = 512) -> AgreementHistory:
    """Train ``parameters`` (updated in place) on fresh agreement sentences at every step.

    Each step draws ``batch_size`` sentences with ``distance`` fillers, computes the loss
    and gradients (:func:`agreement_loss_and_gradients`), clips them — to the global norm
    ``clip_norm`` (:func:`seqlab.numpy.clip_by_global_norm`) or element-wise to
    ±``clip_value`` (:func:`seqlab.numpy.clip`) — and updates with SGD or Adam.  After the
    last step it measures the accuracy on ``eval_size`` held-out sentences.
    """
    _check_classifier(parameters)
    steps, batch_size = _positive_int(steps, "steps"), _positive_int(batch_size, "batch_size")
    learning_rate = _positive_float(learning_rate, "learning_rate")
    if clip_norm is not None and clip_value is not None:
        raise ValueError("give clip_norm or clip_value, not both")
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer must be 'sgd' or 'adam'; got {optimizer!r}")
    rng = _rng(seed)
    eval_seed = int(rng.integers(2**31))
    update = SGD(learning_rate) if optimizer == "sgd" else Adam(learning_rate)
    dtype = parameters["Waa"].dtype
    history = AgreementHistory()
    for _ in range(steps):
        x, labels = agreement_data(batch_size, distance, rng)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                loss, grads = agreement_loss_and_gradients(parameters, x.astype(dtype), labels,
                                                           activation=activation, truncation=truncation)
        except ValueError as err:  # the checks of seqlab.numpy refuse non-finite logits or states
            if "NaN" not in str(err) and "Inf" not in str(err):
                raise
            history.diverged = True
            break
        if not (np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())):
            history.diverged = True
            break
        norm = global_norm(grads)
        if clip_norm is not None:
            grads, _ = clip_by_global_norm(grads, clip_norm)
        elif clip_value is not None:
            grads = clip(grads, clip_value)
        with np.errstate(over="ignore", invalid="ignore"):
            update.step(parameters, grads)
        history.loss.append(loss)
        history.grad_norm.append(norm)
        if not all(np.isfinite(p).all() for p in parameters.values()):
            history.diverged = True
            break
    if not history.diverged:
        x, labels = agreement_data(_positive_int(eval_size, "eval_size"), distance, eval_seed)
        history.accuracy = agreement_accuracy(parameters, x.astype(dtype), labels, activation=activation)
    return history
