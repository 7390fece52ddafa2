"""Sampling with temperature, and sampling a sequence from a character-level RNN (chapter 6).

Temperature τ rescales the logits z before the softmax::

    p_τ = softmax(z / τ)

τ = 1 samples from the model's distribution, τ → 0 approaches the argmax (greedy
decoding; τ = 0 is exactly the argmax), τ > 1 flattens the distribution.

A language model generates by feeding each sampled token back as the next input:
x^<1> = 0⃗, a^<0> = 0⃗; at step t, a^<t> = tanh(W_aa a^<t-1> + W_ax x^<t> + b_a),
ŷ^<t> = softmax((W_ya a^<t> + b_y) / τ), y^<t> ~ ŷ^<t>, x^<t+1> = one_hot(y^<t>).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..checks import check_array
from .activations import ACTIVATIONS, softmax
from .init import _rng
from .rnn import _check_activation, _check_parameters

__all__ = ["softmax_with_temperature", "sample_with_temperature", "sample_sequence"]


def _check_temperature(temperature: Any) -> float:
    ok = isinstance(temperature, (int, float, np.integer, np.floating)) and not isinstance(temperature, bool)
    if not ok or not np.isfinite(temperature) or temperature < 0:
        raise ValueError(f"temperature τ must be a finite number ≥ 0; got {temperature!r}")
    return float(temperature)


def _check_logits(logits: Any) -> np.ndarray:
    dims = ("n_y",) if isinstance(logits, np.ndarray) and logits.ndim == 1 else ("n_y", "m")
    return check_array(logits, "logits z^<t>", dims)


def softmax_with_temperature(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """p_τ = softmax(z / τ) over the class axis 0; τ = 0 gives the one-hot vector of argmax z."""
    _check_logits(logits)
    tau = _check_temperature(temperature)
    if tau == 0:
        p = np.zeros_like(logits)
        np.put_along_axis(p, np.argmax(logits, axis=0)[None], 1.0, axis=0)
        return p
    return softmax(logits / logits.dtype.type(tau), axis=0)


def sample_with_temperature(logits: np.ndarray, temperature: float = 1.0, seed=None):
    """Draw a class index from p_τ = softmax(z / τ).

    Parameters
    ----------
    logits : (n_y,) or (n_y, m) logits z^<t> (one draw per column).
    temperature : τ ≥ 0; 0 returns the argmax.
    seed : int or :class:`numpy.random.Generator` (pass a Generator to draw repeatedly).

    Returns an ``int`` for (n_y,) logits, an int array (m,) for (n_y, m).
    """
    p = softmax_with_temperature(logits, temperature)
    if p.ndim == 1:
        return int(_draw(p[:, None], _rng(seed))[0])
    return _draw(p, _rng(seed))


def _draw(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One index per column of the distributions p (n_y, m), by inverting the CDF."""
    cdf = np.cumsum(p.astype(np.float64), axis=0)
    u = rng.random(p.shape[1]) * cdf[-1]
    idx = (cdf <= u[None, :]).sum(axis=0)
    return np.minimum(idx, p.shape[0] - 1)


def sample_sequence(parameters: Mapping[str, np.ndarray], eos_index: int | None = None, *,
                    max_length: int = 50, temperature: float = 1.0, seed=0,
                    prefix: Sequence[int] = (), activation: str = "tanh") -> list[int]:
    """Generate token ids from a character-level RNN, one at a time, until ``eos_index``.

    The input of step 1 is x^<1> = 0⃗; every later input is the one-hot vector of the
    previous token.  The tokens of ``prefix`` are forced as the first outputs (they prime
    a^<t> and are not sampled); sampling continues after them.  Stops after sampling
    ``eos_index`` (included in the result) or after ``max_length`` sampled tokens.

    ``parameters`` must hold ``Wax`` (n_a, n_x), ``Waa``, ``ba``, ``Wya`` (n_y, n_a), ``by``
    with n_y = n_x = |V|.  Returns the sampled ids (without the prefix).
    """
    _check_activation(activation)
    sizes: dict[str, int] = {}
    if not isinstance(parameters, Mapping) or "Wya" not in parameters or "by" not in parameters:
        raise ValueError("sampling needs the output layer: parameters must hold 'Wya' (W_ya) and 'by' (b_y)")
    _check_parameters(parameters, sizes, None)
    if sizes["n_x"] != sizes["n_y"]:
        raise ValueError(f"a language model needs n_x = n_y = |V|; got n_x = {sizes['n_x']}, n_y = {sizes['n_y']}")
    vocab = sizes["n_y"]
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) or max_length < 1:
        raise ValueError(f"max_length must be a positive int; got {max_length!r}")
    for i in list(prefix) + ([] if eos_index is None else [eos_index]):
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < vocab:
            raise ValueError(f"token ids must be ints in 0 … |V| − 1 = {vocab - 1}; got {i!r}")
    tau = _check_temperature(temperature)
    return _generate(parameters, vocab, eos_index, max_length, tau, _rng(seed), list(prefix), activation)


def _generate(parameters, vocab, eos_index, max_length, tau, rng, prefix, activation) -> list[int]:
    """The generation loop of :func:`sample_sequence`, without checks."""
    g, _ = ACTIVATIONS[activation]
    Wax, Waa, ba = parameters["Wax"], parameters["Waa"], parameters["ba"]
    dtype = Wax.dtype
    a = np.zeros((Waa.shape[0], 1), dtype=dtype)
    x = np.zeros((vocab, 1), dtype=dtype)
    for token in prefix:  # prime the state with the given tokens
        a = g(Waa @ a + Wax @ x + ba)
        x = _one_hot(token, vocab, dtype)
    out: list[int] = []
    while len(out) < max_length:
        a = g(Waa @ a + Wax @ x + ba)
        z = parameters["Wya"] @ a + parameters["by"]
        token = int(_draw(softmax_with_temperature(z, tau), rng)[0])
        out.append(token)
        if token == eos_index:
            break
        x = _one_hot(token, vocab, dtype)
    return out


def _one_hot(token: int, vocab: int, dtype) -> np.ndarray:
    x = np.zeros((vocab, 1), dtype=dtype)
    x[token, 0] = 1.0
    return x
